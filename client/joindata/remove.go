package joindata

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// DownloadDirs returns the directories a browser or mail program puts a
// downloaded client in: the user's Downloads folder (and $XDG_DOWNLOAD_DIR
// where set) and the temporary directory.
func DownloadDirs() []string {
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "Downloads"))
	}
	if x := os.Getenv("XDG_DOWNLOAD_DIR"); x != "" {
		dirs = append(dirs, x)
	}
	return append(dirs, os.TempDir())
}

// Installed reports whether the client at exe counts as installed, so
// that it must not remove itself after the session. A client counts as
// downloaded — removable — only when it lies inside one of dirs (see
// [DownloadDirs]); anywhere else (Program Files, /Applications,
// /usr/local/bin, a folder the user chose) it was put there on purpose
// and stays. The caller also keeps files that carry no join data: those
// are development builds.
func Installed(exe string, dirs []string) bool {
	exe = filepath.Clean(exe)
	for _, d := range dirs {
		if d == "" {
			continue
		}
		rel, err := filepath.Rel(filepath.Clean(d), exe)
		if err != nil {
			continue
		}
		if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
			// Case-insensitive file systems by default.
			if r2, err := filepath.Rel(strings.ToLower(filepath.Clean(d)), strings.ToLower(exe)); err == nil {
				rel = r2
			}
		}
		if rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return false
		}
	}
	return true
}

// RemoveDownloaded removes the client at exe after its session unless it
// counts as installed (see [Installed]); it reports whether the file is
// gone (or, on Windows, scheduled to go). Linux and macOS remove a running
// executable's name at once; Windows refuses while the program runs, so
// there a detached cmd.exe deletes it a few seconds after the client
// exits (not exercised by this package's tests, which run on Linux).
func RemoveDownloaded(exe string, dirs []string) (bool, error) {
	if Installed(exe, dirs) {
		return false, nil
	}
	if runtime.GOOS == "windows" {
		cmd := exec.Command("cmd.exe", "/C", "ping -n 4 127.0.0.1 >NUL & del /F /Q \""+exe+"\"")
		if err := cmd.Start(); err != nil {
			return false, fmt.Errorf("joindata: schedule removal of %s: %w", exe, err)
		}
		return true, cmd.Process.Release()
	}
	if err := os.Remove(exe); err != nil {
		return false, fmt.Errorf("joindata: %w", err)
	}
	return true, nil
}
