package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// TestImg2speechSpeak speaks a caption picture with the shipped model:
// the WAV and the unit sequence beside it are written, and --words prints
// what the recogniser hears.
func TestImg2speechSpeak(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "c")
	must(t, synth.Captions(root, synth.CaptionsOptions{N: 1, Seed: 3, Workers: 1}))
	pic := filepath.Join(root, "000000", "frames", "000000.png")
	out := filepath.Join(dir, "speech.wav")
	var stdout, stderr strings.Builder
	if code := run([]string{"img2speech", pic, "-o", out, "--words"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	a, _, err := avio.ReadWAV(out)
	if err != nil || a.SampleRate != 16000 || len(a.Mono()) < 1600 {
		t.Fatalf("speech: %v, %+v", err, a)
	}
	units, err := os.ReadFile(filepath.Join(dir, "speech.units.txt"))
	if err != nil || len(strings.Fields(string(units))) == 0 {
		t.Errorf("units file: %q, %v", units, err)
	}
	if !strings.Contains(stdout.String(), "the recogniser hears:") {
		t.Errorf("output: %s", stdout.String())
	}
}

// TestImg2speechTrainImageFlags checks that a bad --objects is a usage
// error naming the flag, before any file is read.
func TestImg2speechTrainImageFlags(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run([]string{"img2speech", "train", "--stage", "image", "--model", "m.safetensors", "--data", "nowhere", "-o", filepath.Join(t.TempDir(), "o.safetensors"), "--objects", "-1"}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--objects") {
		t.Errorf("exit %d, stderr %q; want 2 and a message naming --objects", code, stderr.String())
	}
}
