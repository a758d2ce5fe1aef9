package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUnknownCommand(t *testing.T) {
	var errb strings.Builder
	if code := run([]string{"nope"}, io.Discard, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `unknown command "nope"`) {
		t.Fatalf("stderr %q", errb.String())
	}
}

func TestHelp(t *testing.T) {
	var errb strings.Builder
	if code := run([]string{"-h"}, io.Discard, &errb); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// Every registered command answers -h with exit 0.
	for name := range commands {
		var e strings.Builder
		if code := run([]string{name, "-h"}, io.Discard, &e); code != 0 {
			t.Errorf("avl %s -h: exit %d, stderr %q", name, code, e.String())
		}
	}
}

func TestMessage(t *testing.T) {
	for in, want := range map[string]string{
		"separation: Config.Rate = 1":                "Config.Rate = 1",
		"in.wav: spectrogram: nets: x":               "in.wav: x",
		"clip c0: audio.wav: sample 3 is NaN":        "clip c0: audio.wav: sample 3 is NaN",
		"soundnet: m.safetensors: dsp: bad":          "m.safetensors: bad",
		"synth: output folder x is not empty; avio:": "output folder x is not empty; avio:",
	} {
		if got := message(errors.New(in)); got != want {
			t.Errorf("message(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSupervise checks Ctrl-C handling: a command that honours its context
// stops by itself; one that does not is abandoned after the grace period
// or at a second Ctrl-C, with its registered outputs cleaned up.
func TestSupervise(t *testing.T) {
	if code := supervise(make(chan os.Signal), time.Hour, io.Discard, func(context.Context) int { return 3 }); code != 3 {
		t.Errorf("no signal: %d, want the command's 3", code)
	}
	sig := make(chan os.Signal, 2)
	sig <- os.Interrupt
	polite := func(ctx context.Context) int { <-ctx.Done(); return 42 }
	if code := supervise(sig, time.Hour, io.Discard, polite); code != 42 {
		t.Errorf("a command that stops: %d, want its own 42", code)
	}
	for _, signals := range []int{1, 2} {
		cleaned := false
		onAbandon(func() { cleaned = true })
		sig := make(chan os.Signal, 2)
		for range signals {
			sig <- os.Interrupt
		}
		grace := time.Hour
		if signals == 1 {
			grace = 10 * time.Millisecond
		}
		block := make(chan struct{})
		var errb strings.Builder
		code := supervise(sig, grace, &errb, func(context.Context) int { <-block; return 0 })
		close(block)
		if code != 130 || !cleaned || errb.String() != "avl: interrupted\n" {
			t.Errorf("%d signal(s) to a command that ignores them: exit %d, cleaned %v, stderr %q", signals, code, cleaned, errb.String())
		}
	}
}

// An abandoned command's temporary files and fresh output folders go.
func TestAbandonCleansOutputs(t *testing.T) {
	cleanups.fns = nil // what earlier tests registered is not this test's
	dir := t.TempDir()
	out := filepath.Join(dir, "a.wav")
	outDir := filepath.Join(dir, "corpus")
	if err := checkOutFile(out, []string{".wav"}); err != nil {
		t.Fatal(err)
	}
	if err := checkOutDir(outDir); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".a.wav.tmp123")
	keep := filepath.Join(dir, "b.wav")
	for _, p := range []string{tmp, keep} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(outDir, "clip0"), 0o755); err != nil {
		t.Fatal(err)
	}
	runCleanups()
	for _, p := range []string{tmp, outDir} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind", p)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("an unrelated file was removed: %v", err)
	}
}
