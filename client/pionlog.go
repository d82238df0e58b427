package client

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// Pion's debug messages are per packet and its trace ones finer still:
// both sit below slog's Debug, so that a debug log shows Tandem's own
// messages and "-log-level debug-4" shows pion's too.
const (
	levelPionDebug = slog.LevelDebug - 2
	levelPionTrace = slog.LevelDebug - 4
)

// pionLogs routes pion's logging into slog, one logger per pion scope.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.log.With("pion", scope)}
}

type pionLogger struct{ log *slog.Logger }

func (l pionLogger) logf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (l pionLogger) Trace(msg string) { l.log.Log(context.Background(), levelPionTrace, msg) }
func (l pionLogger) Tracef(format string, args ...any) {
	l.logf(levelPionTrace, format, args...)
}
func (l pionLogger) Debug(msg string) { l.log.Log(context.Background(), levelPionDebug, msg) }
func (l pionLogger) Debugf(format string, args ...any) {
	l.logf(levelPionDebug, format, args...)
}
func (l pionLogger) Info(msg string)                   { l.log.Info(msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.logf(slog.LevelInfo, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.log.Warn(msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelWarn, format, args...) }
func (l pionLogger) Error(msg string)                  { l.log.Error(msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.logf(slog.LevelError, format, args...) }
