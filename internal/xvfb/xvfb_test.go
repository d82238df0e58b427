package xvfb

import (
	"os"
	"testing"
)

func TestStartAndStop(t *testing.T) {
	d := Start(t, Options{Screens: []Screen{{Width: 640, Height: 480}, {Width: 320, Height: 200}}})
	if err := dialX(d.Number); err != nil {
		t.Fatalf("dial %s: %v", d.Name, err)
	}
	d.Stop()
	d.Stop() // idempotent
	if _, err := os.Stat(socketPath(d.Number)); err == nil {
		if err := dialX(d.Number); err == nil {
			t.Fatalf("display %s still accepts connections after Stop", d.Name)
		}
	}
}
