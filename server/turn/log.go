package turn

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// Pion's debug messages are per packet and its trace ones finer still:
// both sit below slog's Debug, so that "-log-level debug" shows Tandem's
// own messages and "-log-level debug-4" shows pion's too.
const (
	levelPionDebug = slog.LevelDebug - 2
	levelTrace     = slog.LevelDebug - 4
)

// logFactory routes pion's loggers into slog, one "scope" attribute per
// pion component.
type logFactory struct{ logger *slog.Logger }

// NewLogger implements logging.LoggerFactory.
func (f logFactory) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.logger.With("scope", scope)}
}

// pionLogger is one pion component's logger. Pion's errors are mostly
// about a peer's bad packets, so they are logged as warnings.
type pionLogger struct{ l *slog.Logger }

func (p pionLogger) log(level slog.Level, msg string) { p.l.Log(context.Background(), level, msg) }
func (p pionLogger) logf(level slog.Level, format string, args ...any) {
	if p.l.Enabled(context.Background(), level) {
		p.l.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (p pionLogger) Trace(msg string)                  { p.log(levelTrace, msg) }
func (p pionLogger) Tracef(format string, args ...any) { p.logf(levelTrace, format, args...) }
func (p pionLogger) Debug(msg string)                  { p.log(levelPionDebug, msg) }
func (p pionLogger) Debugf(format string, args ...any) { p.logf(levelPionDebug, format, args...) }
func (p pionLogger) Info(msg string)                   { p.log(slog.LevelInfo, msg) }
func (p pionLogger) Infof(format string, args ...any)  { p.logf(slog.LevelInfo, format, args...) }
func (p pionLogger) Warn(msg string)                   { p.log(slog.LevelWarn, msg) }
func (p pionLogger) Warnf(format string, args ...any)  { p.logf(slog.LevelWarn, format, args...) }
func (p pionLogger) Error(msg string)                  { p.log(slog.LevelWarn, msg) }
func (p pionLogger) Errorf(format string, args ...any) { p.logf(slog.LevelWarn, format, args...) }
