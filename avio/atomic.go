package avio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteFileAtomic writes a file through fill, which gets a buffered writer
// on a temporary file in path's directory; the file is synced and renamed
// to path only when everything succeeded, so a crash or an error never
// leaves half a file under the final name. The file gets mode 0666 less the
// umask (0644 under the usual 022), like any new file. Errors name path.
// Every writer of avlearn that creates a whole file goes through it.
func WriteFileAtomic(path string, fill func(w io.Writer) error) (err error) {
	base := filepath.Base(path)
	f, err := createTemp(path)
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
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", path, tempFree(err, base))
	}
	return nil
}

// createTemp creates a new temporary file beside path, named after it and
// starting with a dot, with mode 0666 less the umask (os.CreateTemp would
// make it 0600 whatever the umask).
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for range 1000 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("no free temporary name beside %s", base)
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
