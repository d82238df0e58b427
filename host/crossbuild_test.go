package host

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCrossBuild builds this package, with every per-OS file, for the other
// client platforms without cgo, as the customer client is shipped.
func TestCrossBuild(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to cross-build: %v", err)
	}
	for _, target := range []string{"windows/amd64", "windows/arm64", "darwin/arm64", "darwin/amd64", "freebsd/amd64"} {
		t.Run(target, func(t *testing.T) {
			goos, goarch, _ := strings.Cut(target, "/")
			cmd := exec.CommandContext(t.Context(), gobin, "build", "./...")
			cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s CGO_ENABLED=0 go build ./host/...: %v\n%s", goos, goarch, err, out)
			}
		})
	}
}
