package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// quickDemo runs "avl demo --quick" with the smallest corpora into dir.
func quickDemo(t *testing.T, dir string, extra ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	args := append([]string{"demo", "--quick", "--out", dir, "--seed", "3", "--scenes", "10", "--speakers", "8", "--captions", "3"}, extra...)
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("avl %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// TestDemoQuick checks the command around demo.Run (whose report and files
// internal/demo tests): the report is printed and written, and -q silences
// the progress.
func TestDemoQuick(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	stdout, stderr := quickDemo(t, dir, "-q")
	rep, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(rep) != stdout || !strings.Contains(stdout, "## 5. Face-guided speech separation") {
		t.Errorf("stdout is not report.md:\n%s\n---\n%s", stdout, rep)
	}
	if stderr != "" {
		t.Errorf("-q printed on stderr: %q", stderr)
	}
}

func TestDemoRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	if code := run([]string{"demo", "--quick", "--out", dir}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "not empty") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mine.txt")); err != nil || string(b) != "keep" {
		t.Errorf("the user's file was touched: %q %v", b, err)
	}
	for _, args := range [][]string{
		{"demo", "extra"}, {"demo", "--scenes", "3"}, {"demo", "--out", ""}, {"demo", "--bogus"},
	} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("avl %v: exit %d, want 2", args, code)
		}
	}
	if code := run([]string{"demo", "-h"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
}
