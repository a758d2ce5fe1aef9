package cli

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/task"
)

func TestTrainFlags(t *testing.T) {
	d := task.TrainOptions{Epochs: 10, BatchSize: 8, LR: 1e-3, Seed: 1, ClipNorm: 5}
	parse := func(d task.TrainOptions, args ...string) (task.TrainOptions, error) {
		fs := NewFlags("x", "", io.Discard)
		opts := TrainFlags(fs, d, io.Discard)
		if err := ParseOnly(fs, args); err != nil {
			return task.TrainOptions{}, err
		}
		return opts()
	}
	o, err := parse(d)
	if err != nil || o.Epochs != 10 || o.BatchSize != 8 || o.LR != 1e-3 || o.Seed != 1 || o.ClipNorm != 5 || o.Progress == nil {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	dir := t.TempDir()
	o, err = parse(d, "--epochs", "3", "--batch", "2", "--lr", "0.5", "--seed", "7", "--patience", "2", "--wd", "0.01",
		"--curves", filepath.Join(dir, "c"), "-q")
	if err != nil || o.Epochs != 3 || o.BatchSize != 2 || o.LR != 0.5 || o.Seed != 7 || o.Patience != 2 || o.WeightDecay != 0.01 ||
		o.CurvePrefix != filepath.Join(dir, "c") || o.Progress != nil {
		t.Errorf("given: %+v, %v", o, err)
	}
	if _, err := parse(d, "--steps", "3"); err == nil {
		t.Error("--steps accepted by a task without steps per epoch")
	}
	steps := d
	steps.StepsPerEpoch = 100
	if o, err := parse(steps, "--steps", "3"); err != nil || o.StepsPerEpoch != 3 {
		t.Errorf("--steps 3: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"--epochs", "0"}, {"--batch", "0"}, {"--lr", "0"}, {"--lr", "NaN"}, {"--patience", "-1"}, {"--wd", "-1"}, {"--steps", "0"}} {
		_, err := parse(steps, bad...)
		var u UsageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v, want a usage error naming the flag", bad, err)
		}
	}
	if _, err := parse(d, "--curves", filepath.Join(dir, "missing", "c")); err == nil || !strings.Contains(err.Error(), "--curves") {
		t.Errorf("--curves into a missing folder: %v", err)
	}
}
