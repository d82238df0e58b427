// Package atomicfile writes files that appear whole or not at all, for
// files another process may read at any moment: a hand-off, a systemd
// unit, a TLS key.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// WriteFile writes b to path with mode perm: into a temporary file beside
// it, synced, then renamed over path, so a reader sees the old file or the
// new one, never half of it. An existing file at path is replaced. On
// failure the temporary file is removed and path is left as it was. On
// Windows, where a file's mode is not Unix permissions, a failed chmod is
// not an error.
func WriteFile(path string, b []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err != nil && runtime.GOOS == "windows" {
		err = nil
	}
	if err == nil {
		_, err = f.Write(b)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
