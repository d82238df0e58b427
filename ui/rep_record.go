package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/tandemhq/tandem/client"
	"github.com/tandemhq/tandem/protocol"
)

// The console records the customer's screen of a session whose
// configuration records it: media goes peer to peer, so the server never
// sees the picture, and the console uploads what it recorded when the
// session's screen closes. The file lives in a temporary file readable by
// the rep's account only and is deleted after the upload, taken or not.

// StartRecording records screen, the customer's screen of session
// sessionID, into a temporary file in dir ("" means the system's temporary
// directory) when the session's summary says the session is recorded
// (nothing is recorded when it says Recording is false, or when the
// summary cannot be read). ctx bounds reading the summary only.
//
// stop ends the recording, uploads the file and deletes it; ctx bounds the
// upload. A recording with no frames is not uploaded. A server that
// answers that the session is not recorded (its configuration records no
// screen, or the customer refused meanwhile) is not an error: the file is
// deleted. stop may be called more than once; later calls return the first
// call's result. One recording follows one RemoteScreen: a peer connection
// made afresh (a reconnect, an elevated relaunch) needs another
// StartRecording, whose file is uploaded as a recording of its own.
func StartRecording(ctx context.Context, rep *client.Rep, sessionID string, screen *client.RemoteScreen, dir string, log *slog.Logger) (stop func(ctx context.Context) error) {
	if log == nil {
		log = slog.Default()
	}
	log = log.With("session", sessionID)
	nothing := func(context.Context) error { return nil }
	if rep == nil || screen == nil {
		return nothing
	}
	sum, err := rep.Summary(ctx, sessionID)
	if err != nil {
		log.Warn("not recording the screen: the session's summary cannot be read", "err", err)
		return nothing
	}
	if !sum.Recording {
		log.Info("the session is not recorded")
		return nothing
	}
	f, err := os.CreateTemp(dir, "tandem-recording-*.ivf")
	if err != nil {
		log.Error("not recording the screen", "err", err)
		return nothing
	}
	rec, err := screen.Record(f)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		log.Error("not recording the screen", "err", err)
		return nothing
	}
	log.Info("recording the customer's screen", "file", f.Name())
	var (
		once   sync.Once
		result error
	)
	return func(ctx context.Context) error {
		once.Do(func() {
			result = finishRecording(ctx, rep, sessionID, rec, f, log)
		})
		return result
	}
}

// finishRecording closes the recording, uploads its file and deletes it.
func finishRecording(ctx context.Context, rep *client.Rep, sessionID string, rec *client.Recording, f *os.File, log *slog.Logger) error {
	defer func() {
		f.Close()
		if err := os.Remove(f.Name()); err != nil {
			log.Warn("recording file not deleted", "file", f.Name(), "err", err)
		}
	}()
	if err := rec.Close(); err != nil {
		return fmt.Errorf("recording of session %s: %w", sessionID, err)
	}
	if rec.Frames() == 0 {
		log.Info("nothing was recorded: no picture came")
		return nil
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("recording of session %s: %w", sessionID, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("recording of session %s: %w", sessionID, err)
	}
	err = rep.UploadRecording(ctx, sessionID, f, size)
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Code == protocol.CodeForbidden && strings.Contains(perr.Message, "not recorded") {
		log.Info("the server does not keep this session's recording", "reason", perr.Message)
		return nil
	}
	if err != nil {
		return err
	}
	log.Info("recording uploaded", "frames", rec.Frames(), "bytes", size)
	return nil
}
