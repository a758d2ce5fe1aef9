package task

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/nets"
)

func TestWithDefaults(t *testing.T) {
	d := TrainOptions{Epochs: 10, BatchSize: 8, LR: 1e-3, ClipNorm: 5, StepsPerEpoch: 100}
	o, err := TrainOptions{Epochs: 3, Seed: 7}.WithDefaults(d)
	if err != nil {
		t.Fatal(err)
	}
	if o.Epochs != 3 || o.BatchSize != 8 || o.LR != 1e-3 || o.ClipNorm != 5 || o.StepsPerEpoch != 100 || o.Seed != 7 {
		t.Fatalf("%+v", o)
	}
	for _, c := range []struct {
		o    TrainOptions
		want string
	}{
		{TrainOptions{Epochs: -1}, "epochs -1"},
		{TrainOptions{BatchSize: -2}, "batch size -2"},
		{TrainOptions{LR: math.NaN()}, "learning rate NaN"},
		{TrainOptions{LR: -1}, "learning rate -1"},
		{TrainOptions{WeightDecay: -1}, "weight decay -1"},
		{TrainOptions{ClipNorm: math.Inf(1)}, "gradient clip norm +Inf"},
		{TrainOptions{Patience: -1}, "patience -1"},
		{TrainOptions{ValExamples: -1}, "validation examples -1"},
		{TrainOptions{Schedule: "linear"}, `schedule "linear"`},
	} {
		if _, err := c.o.WithDefaults(d); err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "TrainOptions") {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
	if a, ok := (TrainOptions{LR: 1, WeightDecay: 0.1}).Optimizer().(*nets.Adam); !ok || !a.Decoupled || a.WeightDecay != 0.1 {
		t.Error("weight decay does not give AdamW")
	}
	if a, ok := (TrainOptions{LR: 1}).Optimizer().(*nets.Adam); !ok || a.WeightDecay != 0 {
		t.Error("no weight decay does not give Adam")
	}
}

// lineTask fits y = w·x on 8 points with one weight.
type lineTask struct{ w *nets.Param }

func (l lineTask) Params() []*nets.Param { return []*nets.Param{l.w} }
func (l lineTask) loss(idx []int, grad bool) float64 {
	var s float64
	for _, i := range idx {
		x := float64(i + 1)
		d := float64(l.w.Data[0])*x - 3*x
		s += d * d
		if grad {
			l.w.Grad[0] += float32(2 * d * x / float64(len(idx)))
		}
	}
	return s / float64(len(idx))
}
func (l lineTask) TrainBatch(idx []int) (float64, error) { return l.loss(idx, true), nil }
func (l lineTask) EvalBatch(idx []int) (float64, error)  { return l.loss(idx, false), nil }

// TestFitCheckpoint checks that Fit's best checkpoint is a model file of
// the task's kind that nets.LoadModel reads back with its config.
func TestFitCheckpoint(t *testing.T) {
	type config struct {
		Width int `json:"width"`
	}
	w := nets.NewParam("w", 1)
	nets.Uniform(w, 1, rand.New(rand.NewSource(1)))
	path := filepath.Join(t.TempDir(), "best.safetensors")
	h, err := Fit(context.Background(), lineTask{w}, 8, 4, "line", config{3},
		TrainOptions{Epochs: 30, BatchSize: 4, LR: 0.1, CheckpointPath: path}, false)
	if err != nil {
		t.Fatal(err)
	}
	if h.BestLoss > 1e-2 {
		t.Fatalf("best validation loss %v", h.BestLoss)
	}
	var cfg config
	got, _, err := nets.LoadModel(path, "line", &cfg, func() (nets.ParamSet, error) { return nets.ParamSet{nets.NewParam("w", 1)}, nil })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != 3 || got[0].Data[0] != w.Data[0] {
		t.Fatalf("checkpoint config %+v, weight %v (model holds the best epoch's %v)", cfg, got[0].Data[0], w.Data[0])
	}
}

// The cosine schedule runs from LR towards LR/20 over exactly the steps of
// the call, with or without the last short batch; constant keeps LR.
func TestFitSchedule(t *testing.T) {
	// 7 examples in batches of 3: 3 steps an epoch, 2 with dropLast
	cos := func(steps int) float64 {
		return 0.0005 + 0.0095*(1+math.Cos(math.Pi*float64(steps-1)/float64(steps)))/2
	}
	for _, c := range []struct {
		s          Schedule
		drop       bool
		first, end float64
	}{{ScheduleCosine, false, 0.01, cos(12)}, {ScheduleCosine, true, 0.01, cos(8)}, {ScheduleConstant, false, 0.01, 0.01}, {"", false, 0.01, 0.01}} {
		w := nets.NewParam("w", 1)
		h, err := Fit(context.Background(), lineTask{w}, 7, 0, "line", struct{}{},
			TrainOptions{Epochs: 4, BatchSize: 3, LR: 0.01, Schedule: c.s}, c.drop)
		if err != nil {
			t.Fatal(err)
		}
		last := h.Epochs[len(h.Epochs)-1].LR
		// the first epoch's last step is already below the peak for cosine
		if first := h.Epochs[0].LR; first > c.first || (c.s == ScheduleCosine && first >= c.first) {
			t.Errorf("%q dropLast %v: first epoch LR %g", c.s, c.drop, first)
		}
		// the last step runs at the schedule's value for step Steps-1
		if math.Abs(last-c.end) > 1e-12 {
			t.Errorf("%q dropLast %v: last LR %g, want ≈ %g", c.s, c.drop, last, c.end)
		}
	}
}
