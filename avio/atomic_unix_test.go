//go:build unix

package avio

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// New files get 0666 less the umask, as os.Create gives, under the usual
// umask and a private one, and no temporary file is left.
func TestWriteFileAtomicMode(t *testing.T) {
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}} {
		old := syscall.Umask(tc.umask)
		dir := t.TempDir()
		a := filepath.Join(dir, "a.bin")
		err := WriteFileAtomic(a, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err })
		b := filepath.Join(dir, "b.npy")
		var err2 error
		if w, err := CreateNPYColumns(b, 1, 1); err == nil {
			if err2 = w.WriteColumn([]float32{1}); err2 == nil {
				err2 = w.Close()
			}
		} else {
			err2 = err
		}
		syscall.Umask(old)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		for _, p := range []string{a, b} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != tc.want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", tc.umask, filepath.Base(p), got, tc.want)
			}
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Errorf("umask %03o: %d entries, want the 2 files", tc.umask, len(ents))
		}
	}
}
