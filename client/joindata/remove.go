package joindata

import (
	"os"
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
