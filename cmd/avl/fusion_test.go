package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/fusion"
)

// avl fusion train writes the model the flags describe, and eval compares
// it with a single-stream model and with the shipped model.
func TestFusionTrainEval(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "sensors")
	if code := run([]string{"synth", "sensors", "-o", data, "--n", "60", "-q"}, io.Discard, io.Discard); code != 0 {
		t.Fatal("synth failed")
	}
	audio, fused := filepath.Join(dir, "a.safetensors"), filepath.Join(dir, "f.safetensors")
	var errb strings.Builder
	for _, args := range [][]string{
		{"fusion", "train", "--data", data, "-o", audio, "--streams", "audio", "--fusion", "early", "--epochs", "2", "-q"},
		{"fusion", "train", "--data", data, "-o", fused, "--fusion", "late", "--hidden", "8", "--epochs", "2", "-q"},
	} {
		if code := run(args, io.Discard, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
	}
	m, err := fusion.Load(fused)
	if err != nil || m.Config.Fusion != fusion.BlockLate || m.Config.Hidden != 8 || len(m.Config.Streams) != 3 {
		t.Fatalf("trained model: %+v (%v)", m, err)
	}
	var out strings.Builder
	if code := run([]string{"fusion", "eval", "--data", data, "--model", fused, "--model", audio, "-q"}, &out, &errb); code != 0 {
		t.Fatalf("eval: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"late fusion", "audio only", "motion noisy", "over the best single stream"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"fusion", "eval", "--data", data, "-q"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "attention fusion") {
		t.Fatalf("eval of the shipped model: exit %d: %s%s", code, out.String(), errb.String())
	}
}
