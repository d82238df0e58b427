// Command tandem-scene shows Tandem's streaming test scene on an X display
// until it is interrupted.
//
//	tandem-scene -display :99 -mode scrolling
//
// Each line read from standard input that names a mode ("idle", "typing",
// "scrolling") switches to it, so a benchmark can drive the scene from
// another process.
package main

import (
	"bufio"
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/jezek/xgb"

	"github.com/tandemhq/tandem/internal/scene"
)

func main() {
	display := flag.String("display", "", "X display to draw on; empty means $DISPLAY")
	mode := scene.ModeIdle
	flag.TextVar(&mode, "mode", scene.ModeIdle, "mode to start in: idle, typing or scrolling")
	typing := flag.Float64("typing-rate", 0, "characters typed per second; 0 means 5")
	scroll := flag.Float64("scroll-rate", 0, "pixels scrolled per second; 0 means 600")
	verbose := flag.Bool("v", false, "log debug messages")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	xgb.Logger = slog.NewLogLogger(log.Handler(), slog.LevelDebug)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := scene.Start(*display, scene.Options{Mode: mode, TypingRate: *typing, ScrollRate: *scroll}, log)
	if err != nil {
		log.Error("start scene", "err", err)
		os.Exit(1)
	}
	go readModes(os.Stdin, s, log)
	<-ctx.Done()
	if err := s.Close(); err != nil {
		log.Error("close scene", "err", err)
		os.Exit(1)
	}
}

// readModes switches the scene's mode for each line of r that names one.
// It ends at the end of r; main does not wait for it.
func readModes(r io.Reader, s *scene.Scene, log *slog.Logger) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		m, err := scene.ParseMode(line)
		if err != nil {
			log.Warn("ignored input line", "err", err)
			continue
		}
		if err := s.SetMode(m); err != nil {
			log.Warn("set mode", "mode", m, "err", err)
			return
		}
		log.Info("mode", "mode", m)
	}
}
