package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyDir copies the small fixture dataset so a test can break it.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDatasetCheck(t *testing.T) {
	root := t.TempDir()
	copyDir(t, "../../testdata/avio/clips", root)
	var out, errb strings.Builder
	if code := run([]string{"dataset", "check", root}, &out, &errb); code != 0 {
		t.Fatalf("clean dataset: exit %d, stdout %q stderr %q", code, out.String(), errb.String())
	}
	for _, want := range []string{"2 clips, 10 frames, 0.40 s of audio", "  test         1", "  train        1", "label speaker: 2 values", "no problems"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}

	// Break a frame and the fps: exit 1, both problems listed with the clip.
	os.Remove(filepath.Join(root, "c02", "frames", "000002.png"))
	os.WriteFile(filepath.Join(root, "c01", "meta.json"), []byte(`{"fps": 0, "split": "train", "labels": {"speaker": "s01"}}`), 0o644)
	out.Reset()
	errb.Reset()
	if code := run([]string{"dataset", "check", root, "-decode"}, &out, &errb); code != 1 {
		t.Fatalf("broken dataset: exit %d", code)
	}
	for _, want := range []string{"2 problems:", "c01: meta.json: \"fps\" is missing or 0", "c02: frames missing from the numbering: 000002"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errb.String(), "2 problems in "+root) {
		t.Errorf("stderr %q", errb.String())
	}

	// Usage errors exit 2; a missing or empty root exits 1.
	for _, args := range [][]string{{"dataset"}, {"dataset", "fix", root}, {"dataset", "check"}, {"dataset", "check", "-nope", root}} {
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	if code := run([]string{"dataset", "check", filepath.Join(root, "missing")}, &out, &errb); code != 1 {
		t.Errorf("missing root: exit %d", code)
	}
	errb.Reset()
	if code := run([]string{"dataset", "check", t.TempDir()}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no clip folders") {
		t.Errorf("empty root: exit %d %q", code, errb.String())
	}
	for _, args := range [][]string{{"dataset", "-h"}, {"dataset", "check", "-h"}} {
		errb.Reset()
		if code := run(args, &out, &errb); code != 0 || !strings.Contains(errb.String(), "usage: avl dataset check") {
			t.Errorf("%v: exit %d %q", args, code, errb.String())
		}
	}
}
