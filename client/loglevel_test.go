package client_test

import (
	"log/slog"
	"os"
)

// testLogLevel is Warn, or Debug with TANDEM_TEST_LOG=debug.
var testLogLevel = func() slog.Level {
	if os.Getenv("TANDEM_TEST_LOG") == "debug" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}()
