package lockout

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"

	"github.com/tandemhq/tandem/internal/xvfb"
)

// helperEnv, when set to an X display name, makes the test binary the
// helper process: it engages a lockout on that display, writes "engaged",
// and holds the lockout until stdin closes or it is killed.
const helperEnv = "TANDEM_LOCKOUT_HELPER_DISPLAY"

func TestMain(m *testing.M) {
	if display := os.Getenv(helperEnv); display != "" {
		os.Exit(helper(display))
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// helper is the helper process's main.
func helper(display string) int {
	l, err := Engage(context.Background(), display, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lockout helper:", err)
		return 1
	}
	fmt.Println("engaged")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := l.Release(); err != nil {
		fmt.Fprintln(os.Stderr, "lockout helper:", err)
		return 1
	}
	return 0
}

// startHelper starts the helper process on d and returns once its lockout
// is engaged.
func startHelper(t *testing.T, d *xvfb.Display) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(d.Env(), helperEnv+"="+d.Name)
	cmd.Stderr = os.Stderr
	// The helper holds its lockout until stdin closes: keep the pipe open
	// until the test ends.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the helper: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		stdin.Close()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "engaged\n" {
		t.Fatalf("helper wrote %q, %v; want engaged", line, err)
	}
	return cmd
}
