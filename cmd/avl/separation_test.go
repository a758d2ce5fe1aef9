package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/separation"
)

func TestSeparationTrainEvalSeparate(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "spk")
	if code := run([]string{"synth", "speakers", "--out", data, "--n", "14", "--speakers", "14", "--duration", "1", "--size", "32", "-q"}, io.Discard, io.Discard); code != 0 {
		t.Fatal("synth failed")
	}
	model := filepath.Join(dir, "m.safetensors")
	var out, errb strings.Builder
	// no model flags: the recipe
	recipe := filepath.Join(dir, "recipe.safetensors")
	if code := run([]string{"separation", "train", "--data", data, "-o", recipe, "--channels", "8", "--hidden", "8",
		"--epochs", "1", "--steps", "1", "--batch", "2", "--segment", "0.4", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train with the default flags: exit %d: %s", code, errb.String())
	}
	want := separation.DefaultConfig()
	if m, err := separation.Load(recipe); err != nil || m.Config.Mask != want.Mask || m.Config.Combs != want.Combs || !m.Config.MultiPitch ||
		!m.Config.TrackPitch || !m.Config.Consistency || m.Config.Loss != want.Loss || m.Config.SalienceWindow != want.SalienceWindow {
		t.Fatalf("default flags did not give the recipe: %v", err)
	}
	// the recipe's parts that do not apply are dropped for the audio-only
	// model and for speech + noise
	for _, flag := range []string{"--audio-only", "--speakers=1"} {
		if code := run([]string{"separation", "train", "--data", data, "-o", filepath.Join(dir, "x.safetensors"), flag, "--channels", "8", "--hidden", "8",
			"--epochs", "1", "--steps", "1", "--batch", "2", "--segment", "0.4", "-q"}, io.Discard, &errb); code != 0 {
			t.Fatalf("train %s with the default flags: exit %d: %s", flag, code, errb.String())
		}
	}
	// the paper's plain model, to grow below
	args := []string{"separation", "train", "--data", data, "--out", model, "--channels", "8", "--hidden", "8",
		"--mask", "complex", "--combs", "0", "--epochs", "1", "--steps", "2", "--batch", "2", "--segment", "0.4"}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errb.String())
	}
	if m, err := separation.Load(model); err != nil || m.Config.Mask != separation.MaskComplex || m.Config.Combs != 0 || m.Config.TrackPitch ||
		m.Config.MultiPitch || m.Config.Consistency || m.Config.Loss != separation.LossCompressed {
		t.Fatalf("--mask complex --combs 0 did not give the plain model: %v", err)
	}
	if !strings.Contains(out.String(), "model ") || !strings.Contains(out.String(), "validation SI-SDRi: ") || !strings.Contains(errb.String(), "train") {
		t.Fatalf("train output %q, progress %q", out.String(), errb.String())
	}
	// continuing: the file fixes the architecture, so --channels is refused
	more := filepath.Join(dir, "m2.safetensors")
	if code := run([]string{"separation", "train", "--data", data, "--out", more, "--init", model, "--epochs", "1", "--steps", "1", "--batch", "2", "--seed", "2", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train --init: exit %d: %s", code, errb.String())
	}
	if code := run([]string{"separation", "train", "--data", data, "--out", more, "--init", model, "--channels", "4"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--init with --channels: exit %d, want 2", code)
	}
	// --combs with --init adds harmonic combs to the trained model
	if code := run([]string{"separation", "train", "--data", data, "--out", more, "--init", model, "--combs", "16", "--epochs", "1", "--steps", "1", "--batch", "2", "--seed", "3", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train --init --combs: exit %d: %s", code, errb.String())
	}
	if m, err := separation.Load(more); err != nil || m.Config.Combs != 16 {
		t.Fatalf("model after --init --combs 16: %v", err)
	}
	// --track-pitch with --init adds pitch tracking to a model with combs
	tracked := filepath.Join(dir, "m3.safetensors")
	if code := run([]string{"separation", "train", "--data", data, "--out", tracked, "--init", more, "--track-pitch", "--salience-window", "640", "--multi-pitch", "--epochs", "1", "--steps", "1", "--batch", "2", "--seed", "4", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train --init --track-pitch: exit %d: %s", code, errb.String())
	}
	if m, err := separation.Load(tracked); err != nil || !m.Config.TrackPitch || m.Config.Combs != 16 || m.Config.SalienceWindow != 640 || !m.Config.MultiPitch {
		t.Fatalf("model after --init --track-pitch: %v", err)
	}
	if code := run([]string{"separation", "train", "--data", data, "--out", tracked, "--init", model, "--track-pitch", "--epochs", "1", "--steps", "1", "-q"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("--track-pitch on a model without combs: exit %d, want 2", code)
	}
	// what --init's model cannot take is a usage error naming flag and file
	for _, flag := range []string{"--consistency", "--loss=si-sdr"} {
		errb.Reset()
		if code := run([]string{"separation", "train", "--data", data, "--out", tracked, "--init", model, flag, "-q"}, io.Discard, &errb); code != 2 ||
			!strings.Contains(errb.String(), strings.Split(flag, "=")[0]) || !strings.Contains(errb.String(), model) {
			t.Errorf("%s on a complex-mask model: exit %d, %q", flag, code, errb.String())
		}
	}
	// real masks trained through the consistency rescaling on SI-SDR; the
	// rescaling switched off at evaluation, and refused for complex masks
	cons := filepath.Join(dir, "m4.safetensors")
	if code := run([]string{"separation", "train", "--data", data, "--out", cons, "--mask", "real", "--consistency", "--loss", "si-sdr",
		"--channels", "8", "--hidden", "8", "--epochs", "1", "--steps", "1", "--batch", "2", "--segment", "0.4", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train --consistency --loss si-sdr: exit %d: %s", code, errb.String())
	}
	if m, err := separation.Load(cons); err != nil || !m.Config.Consistency || m.Config.Loss != separation.LossSISDR {
		t.Fatalf("model after --consistency --loss si-sdr: %v", err)
	}
	// continuing keeps the model's loss and rescaling unless told otherwise
	cont := filepath.Join(dir, "m5.safetensors")
	if code := run([]string{"separation", "train", "--data", data, "--out", cont, "--init", cons, "--epochs", "1", "--steps", "1", "--batch", "2", "--seed", "5", "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("train --init of an SI-SDR model: exit %d: %s", code, errb.String())
	}
	if m, err := separation.Load(cont); err != nil || !m.Config.Consistency || m.Config.Loss != separation.LossSISDR {
		t.Fatalf("continued model lost its loss or rescaling: %v %+v", err, m.Config)
	}
	out.Reset()
	if code := run([]string{"separation", "eval", "--model", cons, "--consistency=false", "--data", data, "--n", "2", "-q"}, &out, &errb); code != 0 {
		t.Fatalf("eval --consistency=false: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "face-guided (this model)") {
		t.Fatalf("eval --consistency=false still rescales:\n%s", out.String())
	}
	errb.Reset()
	if code := run([]string{"separation", "eval", "--model", model, "--consistency", "--data", data, "--n", "2", "-q"}, io.Discard, &errb); code == 0 || !strings.Contains(errb.String(), "real masks") {
		t.Errorf("--consistency on a complex-mask model: exit %d, %q", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"separation", "eval", "--model", model, "--data", data, "--n", "2", "-q"}, &out, &errb); code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"face-guided", "oracle IRM", "unprocessed mixture", "SI-SDRi"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("eval table lacks %q:\n%s", want, out.String())
		}
	}

	// A mixture of the first two clips of different speakers.
	ds, err := avio.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	a := ds.Clips[0]
	var b *avio.Clip
	for _, c := range ds.Clips {
		if c.Meta.Labels["speaker"] != a.Meta.Labels["speaker"] {
			b = c
			break
		}
	}
	xa, _ := a.Audio(16000)
	xb, _ := b.Audio(16000)
	for i := range xa {
		xa[i] += xb[i]
	}
	mix := filepath.Join(dir, "mix.wav")
	if err := avio.WriteMonoWAV(mix, xa, 16000, avio.Float32); err != nil {
		t.Fatal(err)
	}
	res := filepath.Join(dir, "out")
	if code := run([]string{"separate", "--model", model, "--mix", mix, "--face", a.Dir, "--face", b.Dir, "-o", res, "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("separate: exit %d: %s", code, errb.String())
	}
	for _, f := range []string{"speaker_1.wav", "speaker_2.wav", "separation.png"} {
		if _, err := os.Stat(filepath.Join(res, f)); err != nil {
			t.Fatal(err)
		}
	}
	y, info, err := avio.ReadWAV(filepath.Join(res, "speaker_1.wav"))
	if err != nil || y.Len() != len(xa) || info.SampleRate != 16000 {
		t.Fatalf("speaker_1.wav: %v, %d samples, want %d", err, y.Len(), len(xa))
	}
	// without --model: the shipped model, with the same output files
	shipped := filepath.Join(dir, "out-shipped")
	if code := run([]string{"separate", "--mix", mix, "--face", a.Dir, "--face", b.Dir, "-o", shipped, "-q"}, io.Discard, &errb); code != 0 {
		t.Fatalf("separate with the shipped model: exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(shipped, "speaker_2.wav")); err != nil {
		t.Fatal(err)
	}
	// one face for a two-speaker model: usage; a too-short face video: error
	if code := run([]string{"separate", "--model", model, "--mix", mix, "--face", a.Dir, "-o", res}, io.Discard, io.Discard); code != 2 {
		t.Errorf("one face: exit %d, want 2", code)
	}
	short := filepath.Join(dir, "short")
	os.MkdirAll(short, 0o755)
	for i := 0; i < 10; i++ {
		src, _ := os.ReadFile(a.FramePath(i))
		os.WriteFile(filepath.Join(short, filepath.Base(a.FramePath(i))), src, 0o644)
	}
	var e strings.Builder
	if code := run([]string{"separate", "--model", model, "--mix", mix, "--face", a.Dir, "--face", short, "-o", res}, io.Discard, &e); code != 1 || !strings.Contains(e.String(), "frames") {
		t.Errorf("short face video: exit %d, stderr %q", code, e.String())
	}
}
