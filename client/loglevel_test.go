package client_test

import (
	"log/slog"
	"os"
	"time"
)

// hung bounds a wait for something that must happen: long enough that
// only a hung connection reaches it while CI runs everything on two cores.
const hung = 2 * time.Minute

// testLogLevel is Warn, or Debug with TANDEM_TEST_LOG=debug.
var testLogLevel = func() slog.Level {
	if os.Getenv("TANDEM_TEST_LOG") == "debug" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}()
