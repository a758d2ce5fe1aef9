//go:build linux

package avio

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestNPYColumnWriterNoRoom: an array the file system refuses room for
// fails at CreateNPYColumns, naming the file and leaving nothing behind.
// A file-size limit stands in for a full disk (Go ignores SIGXFSZ, so the
// refusal is an error, EFBIG).
func TestNPYColumnWriterNoRoom(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	lim := old
	lim.Cur = 1 << 20
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	w, err := CreateNPYColumns(p, 257, 10000) // 10 MB
	if err == nil {
		w.Abort()
		t.Fatal("no error for a file over the size limit")
	}
	if !strings.HasPrefix(err.Error(), p+": ") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("error %q does not name %s alone", err, p)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left behind", len(ents))
	}
}
