package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSynthThenDatasetCheck(t *testing.T) {
	for _, kind := range []string{"scenes", "speakers", "captions"} {
		dir := filepath.Join(t.TempDir(), kind)
		var out, errb strings.Builder
		args := []string{"synth", kind, "--out", dir, "--n", "3", "--seed", "2", "--size", "24"}
		if kind != "captions" {
			args = append(args, "--duration", "0.6")
		}
		if code := run(args, &out, &errb); code != 0 {
			t.Fatalf("avl %v: exit %d, stderr %q", args, code, errb.String())
		}
		if !strings.Contains(errb.String(), "synth "+kind+" 3/3") {
			t.Errorf("no progress on stderr: %q", errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, "contact.png")); err != nil {
			t.Error(err)
		}
		var cout, cerr strings.Builder
		if code := run([]string{"dataset", "check", dir}, &cout, &cerr); code != 0 {
			t.Errorf("avl dataset check %s: exit %d\n%s%s", kind, code, cout.String(), cerr.String())
		}
	}
}

func TestSynthQuietAndUsage(t *testing.T) {
	dir := t.TempDir()
	var out, errb strings.Builder
	if code := run([]string{"synth", "speakers", "--out", dir, "--n", "1", "--duration", "0.4", "--size", "16", "-q"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "1 speakers clips") || errb.Len() != 0 {
		t.Errorf("-q: stdout %q (want the summary), stderr %q (want nothing)", out.String(), errb.String())
	}
	for _, args := range [][]string{
		{"synth", "speakers", "--n", "2"},
		{"synth", "--out", dir, "--n", "2"},
		{"synth", "faces", "--out", dir, "--n", "2"},
		{"synth", "speakers", "--out", dir, "--n", "0"},
		{"synth", "scenes", "--out", dir, "--n", "2", "--speakers", "3"},
		{"synth", "scenes", "--out", dir, "--n", "2", "--scenes", "99"},
		{"synth", "scenes", "--out", dir, "--n", "2", "--size", "8"},
		{"synth", "speakers", "--out", dir, "--n", "2", "--augment", "studio"},
		{"synth", "scenes", "--out", dir, "--n", "2", "--augment", "room"},
	} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("avl %v: exit %d, want 2", args, code)
		}
	}
	var e strings.Builder
	if code := run([]string{"synth", "scenes", "--out", dir, "--n", "2", "--scenes", "99"}, io.Discard, &e); !strings.Contains(e.String(), "--scenes 99") {
		t.Errorf("--scenes 99: exit %d, stderr %q", code, e.String())
	}
}

// --augment field records the same corpus in other conditions: same
// clips and labels, different audio.
func TestSynthAugment(t *testing.T) {
	clean, field := filepath.Join(t.TempDir(), "c"), filepath.Join(t.TempDir(), "f")
	for _, a := range [][]string{{"--out", clean}, {"--out", field, "--augment", "field"}} {
		args := append([]string{"synth", "speakers", "--n", "2", "--duration", "1.5", "--size", "16", "-q", "--seed", "4"}, a...)
		if code := run(args, io.Discard, io.Discard); code != 0 {
			t.Fatalf("avl %v: exit %d", args, code)
		}
	}
	for _, f := range []string{"meta.json", "audio.wav"} {
		a, err := os.ReadFile(filepath.Join(clean, "000000", f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(field, "000000", f))
		if err != nil {
			t.Fatal(err)
		}
		if same := bytes.Equal(a, b); same != (f == "meta.json") {
			t.Errorf("%s: identical = %v", f, same)
		}
	}
}
