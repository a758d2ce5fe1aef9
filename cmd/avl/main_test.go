package main

import (
	"errors"
	"io"
	"strings"
	"testing"
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
