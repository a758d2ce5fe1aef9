package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/soundnet"
	"github.com/avlearn/avlearn/synth"
)

// TestSoundNetPipeline runs teacher → distill → features → probe on a
// tiny scenes corpus (one conv8 step per clip, a few steps of training):
// it checks that the commands connect and print what they promise, not
// the accuracy, which a run this short cannot reach.
func TestSoundNetPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small networks")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "scenes")
	if err := synth.Scenes(data, synth.ScenesOptions{N: 16, Seed: 3, Scenes: 2, Objects: 2, Duration: 9.5, FPS: 1, Size: 32, ValFrac: 0.2, TestFrac: 0.25}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"train", "val", "test"} {
		if len(ds.Split(s)) == 0 {
			t.Fatalf("corpus has no %s clips", s)
		}
	}
	tf := filepath.Join(dir, "t.safetensors")
	mf := filepath.Join(dir, "m.safetensors")
	steps := []struct {
		args []string
		want []string
	}{
		{[]string{"soundnet", "teacher", "--data", data, "--out", tf, "--epochs", "2", "--batch", "8", "--size", "16", "--width", "4", "--export"},
			[]string{"2 object and 2 scene classes", "val frames: object accuracy", "teacher_objects.npy"}},
		{[]string{"soundnet", "distill", "--data", data, "--teacher", tf, "--out", mf, "--epochs", "1", "--batch", "4", "--width", "0.125", "--window", "9.5"},
			[]string{"student " + mf, "1 conv8 steps each", "best val KL", "agreement with the teacher on", "objects: top-1", "scenes:  top-1"}},
		{[]string{"soundnet", "distill", "--data", data, "--teacher", "npy", "--out", filepath.Join(dir, "npy-teacher.safetensors"), "--epochs", "1", "--batch", "4", "--width", "0.125", "--window", "9.5", "-q"},
			[]string{"student "}},
		{[]string{"soundnet", "distill", "--data", data, "--teacher", tf, "--init", mf, "--out", mf + ".more.safetensors", "--epochs", "1", "--batch", "4", "-q"},
			[]string{"student " + mf + ".more.safetensors: width 0.125"}},
		{[]string{"soundnet", "probe", "--model", mf, "--data", data, "--layers", "pool5,conv8"},
			[]string{"linear probes for \"scene\"", "pool5", "conv8", "random-weight pool5", "MFCC mean+std", "log-mel mean+std", "test %", "± s.e."}},
		{[]string{"soundnet", "probe", "--model", mf, "--data", data, "--layers", "pool5", "--folds", "3", "-q"},
			[]string{"3-fold cross-validation over", "pool5", "log-mel mean+std"}},
		{[]string{"soundnet", "probe", "--data", data, "--layers", "pool5", "--no-mfcc", "-q"}, // the shipped model
			[]string{"linear probes for \"scene\"", "pool5", "random-weight pool5"}},
	}
	for _, s := range steps {
		var out, errb strings.Builder
		if code := run(s.args, &out, &errb); code != 0 {
			t.Fatalf("avl %v: exit %d\n%s", s.args, code, errb.String())
		}
		for _, w := range s.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("avl %v: output lacks %q:\n%s", s.args[:2], w, out.String())
			}
		}
	}
	// features: a 3 s WAV at 16 kHz is resampled and padded, with a note.
	wav := filepath.Join(dir, "in.wav")
	x := make([]float64, 48000)
	for i := range x {
		x[i] = 0.1 * float64(i%50) / 50
	}
	if err := avio.WriteMonoWAV(wav, x, 16000, avio.PCM16); err != nil {
		t.Fatal(err)
	}
	npy := filepath.Join(dir, "f.npy")
	var out, errb strings.Builder
	if code := run([]string{"soundnet", "features", "--model", mf, wav, "-o", npy, "--layer", "pool5"}, &out, &errb); code != 0 {
		t.Fatalf("features: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "padded with") {
		t.Errorf("no padding note: %q", errb.String())
	}
	a, err := avio.ReadNPY(npy)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Shape) != 2 || a.Shape[0] != 32 || a.Shape[1] != 26 {
		t.Errorf("pool5 features shape %v, want [32 26] (width 0.125, 9.5 s after padding)", a.Shape)
	}
	// without --model: the shipped model
	out.Reset()
	if code := run([]string{"soundnet", "features", wav, "-o", npy, "-q"}, &out, io.Discard); code != 0 {
		t.Fatalf("features with the shipped model: exit %d", code)
	}
	pm, err := soundnet.Pretrained()
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	if a, err = avio.ReadNPY(npy); err != nil || a.Shape[0] != pm.Config.Channels()[4] {
		t.Errorf("shipped model's pool5 features: shape %v, %v; want %d channels", a.Shape, err, pm.Config.Channels()[4])
	}
}

func TestSoundNetUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"soundnet"},
		{"soundnet", "fly"},
		{"soundnet", "teacher", "--out", "x"},
		{"soundnet", "distill", "--data", dir, "--teacher", "npy"},
		{"soundnet", "features", "--model", "m"},
		{"soundnet", "features", "--model", "m", "x.wav", "-o", "f.npy", "--layer", "conv9"},
		{"soundnet", "probe", "--data", dir, "--folds", "1"},
		{"soundnet", "probe", "--data", dir, "--few-shot", "-5"},
	} {
		if code := run(args, io.Discard, io.Discard); code != 2 {
			t.Errorf("avl %v: exit %d, want 2", args, code)
		}
	}
	if code := run([]string{"soundnet", "-h"}, io.Discard, io.Discard); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	var e strings.Builder
	if code := run([]string{"soundnet", "features", "--model", filepath.Join(dir, "none"), "x.wav", "-o", filepath.Join(dir, "f.npy")}, io.Discard, &e); code != 1 || !strings.Contains(e.String(), "none") {
		t.Errorf("missing model: exit %d, %q", code, e.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "f.npy")); err == nil {
		t.Error("output written after an error")
	}
}
