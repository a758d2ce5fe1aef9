package avio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteFileAtomic writes a file through fill, which gets a buffered writer
// on a temporary file in path's directory; the file is synced, given mode
// 0644 and renamed to path only when everything succeeded, so a crash or an
// error never leaves half a file under the final name. Errors name path.
// Every writer of avlearn that creates a whole file goes through it.
func WriteFileAtomic(path string, fill func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fill(bw); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	// CreateTemp makes the file 0600; give it the usual permissions.
	if err = os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	return nil
}

// tempFree drops the name of the temporary file for base from an
// *fs.PathError or *os.LinkError, so that errors name the file the caller
// asked for, never the temporary one.
func tempFree(err error, base string) error {
	tmp := "." + base + ".tmp"
	var pe *fs.PathError
	if errors.As(err, &pe) && strings.Contains(pe.Path, tmp) {
		return fmt.Errorf("%s %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) && strings.Contains(le.Old, tmp) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
