package host

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xinerama"
	"github.com/jezek/xgb/xproto"
	"golang.org/x/sys/unix"

	"github.com/tandemhq/tandem/internal/xext"
)

// collectOS fills in the distribution from os-release(5), the kernel from
// uname(2) and the monitor count from the X display (Xinerama screens, or
// the X server's screens without Xinerama).
func (h *Host) collectOS(ctx context.Context, info *SystemInfo) {
	// A malformed line costs only that line: the rest still names the system.
	if rel, _ := readOSRelease(); rel != nil {
		info.OSName = rel["NAME"]
		info.OSVersion = rel["VERSION"]
		if info.OSVersion == "" {
			info.OSVersion = rel["VERSION_ID"]
		}
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		info.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	if ctx.Err() == nil {
		info.Screens = h.screenCount()
	}
}

// osReleasePaths are where os-release(5) says to look, in order.
var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

func readOSRelease() (map[string]string, error) {
	var errs []error
	for _, p := range osReleasePaths {
		f, err := os.Open(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		defer f.Close()
		return parseOSRelease(io.LimitReader(f, 64<<10))
	}
	return nil, errors.Join(errs...)
}

// parseOSRelease parses os-release(5): KEY=value lines, values optionally
// in single or double quotes with shell-style backslash escapes in double
// quotes; blank lines and # comments are skipped. A malformed line is
// left out and reported in the error, which joins one error per such line;
// the variables of the well-formed lines are returned either way.
func parseOSRelease(r io.Reader) (map[string]string, error) {
	vars := make(map[string]string)
	var errs []error
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !validEnvName(k) {
			errs = append(errs, fmt.Errorf("os-release line %d: %w: %q", n, ErrInvalidValue, line))
			continue
		}
		val, err := unquoteOSRelease(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("os-release line %d: %w", n, err))
			continue
		}
		vars[k] = val
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("os-release: %w", err))
	}
	return vars, errors.Join(errs...)
}

func validEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		if c != '_' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func unquoteOSRelease(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return "", fmt.Errorf("%w: control character or invalid UTF-8 in %q", ErrInvalidValue, v)
	}
	q := v[0]
	if q != '"' && q != '\'' {
		if strings.ContainsAny(v, "\"'`$\\ \t") {
			return "", fmt.Errorf("%w: unquoted value %q", ErrInvalidValue, v)
		}
		return v, nil
	}
	if len(v) < 2 || v[len(v)-1] != q {
		return "", fmt.Errorf("%w: unterminated quote in %q", ErrInvalidValue, v)
	}
	body := v[1 : len(v)-1]
	if q == '\'' {
		if strings.ContainsRune(body, '\'') {
			return "", fmt.Errorf("%w: quote inside %q", ErrInvalidValue, v)
		}
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body) && strings.IndexByte("\"\\`$", body[i+1]) >= 0:
			i++
			b.WriteByte(body[i])
		case c == '"' || c == '`' || c == '$' || c == '\\':
			return "", fmt.Errorf("%w: unescaped %q in %q", ErrInvalidValue, c, v)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// screenCount returns the number of monitors on the X display, or 0 when
// there is no display or it cannot be asked.
func (h *Host) screenCount() int {
	d := h.display()
	if d == "" {
		return 0
	}
	conn, err := xgb.NewConnDisplay(d)
	if err != nil {
		return 0
	}
	defer conn.Close()
	if err := xext.Init(conn, xext.Xinerama); err == nil {
		if active, err := xinerama.IsActive(conn).Reply(); err == nil && active.State != 0 {
			if s, err := xinerama.QueryScreens(conn).Reply(); err == nil && s.Number > 0 {
				return int(s.Number)
			}
		}
	}
	return len(xproto.Setup(conn).Roots)
}
