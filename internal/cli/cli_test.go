package cli

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

func TestMessage(t *testing.T) {
	for in, want := range map[string]string{
		"separation: Config.Rate = 1":                "Config.Rate = 1",
		"in.wav: spectrogram: nets: x":               "in.wav: x",
		"clip c0: audio.wav: sample 3 is NaN":        "clip c0: audio.wav: sample 3 is NaN",
		"soundnet: m.safetensors: dsp: bad":          "m.safetensors: bad",
		"synth: output folder x is not empty; avio:": "output folder x is not empty; avio:",
	} {
		if got := Message(errors.New(in)); got != want {
			t.Errorf("Message(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSupervise checks Ctrl-C handling: a command that honours its context
// stops by itself; one that does not is abandoned after the grace period
// or at a second Ctrl-C, with its registered outputs cleaned up.
func TestSupervise(t *testing.T) {
	if code := Supervise(make(chan os.Signal), time.Hour, io.Discard, func(context.Context) int { return 3 }); code != 3 {
		t.Errorf("no signal: %d, want the command's 3", code)
	}
	sig := make(chan os.Signal, 2)
	sig <- os.Interrupt
	polite := func(ctx context.Context) int { <-ctx.Done(); return 42 }
	if code := Supervise(sig, time.Hour, io.Discard, polite); code != 42 {
		t.Errorf("a command that stops: %d, want its own 42", code)
	}
	for _, signals := range []int{1, 2} {
		cleaned := false
		OnAbandon(func() { cleaned = true })
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
		code := Supervise(sig, grace, &errb, func(context.Context) int { <-block; return 0 })
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
	if err := CheckOutFile(out, []string{".wav"}); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutDir(outDir); err != nil {
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

func TestFlagNames(t *testing.T) {
	keys := [][2]string{{"mask", "--mask"}, {"loss", "--loss"}, {"width", "--width"}, {"audio_only", "--audio-only"}}
	for _, c := range []struct{ task, in, want string }{
		{"separation", `separation: loss = "si-sdr" needs real masks (mask = "real") and faces (not audio_only)`,
			`--loss "si-sdr" needs real masks (--mask "real") and faces (not --audio-only)`},
		{"soundnet", "soundnet: width = 0, want in (0, 16]", "--width 0, want in (0, 16]"},
		{"fusion", "fusion: config: mask 3; want 1–4", "--mask 3; want 1–4"},
		{"soundnet", "soundnet: masks are fine", "masks are fine"}, // a key only as a whole word at the start
	} {
		if got := FlagNames(errors.New(c.in), c.task, keys); got != c.want {
			t.Errorf("%q → %q, want %q", c.in, got, c.want)
		}
	}
}
