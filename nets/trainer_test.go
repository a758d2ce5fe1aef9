package nets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// linTask is linear regression y = x·w + b with hand-written gradients:
// a cheap, exactly deterministic Task for testing Fit itself.
type linTask struct {
	w, b         *Param
	x, y, vx, vy []float64
	dim          int
	calls        int
	hook         func(call int) float64 // if set and non-zero, replaces the loss
	valHook      func() float64
	evals        int
}

func newLinTask(seed int64, n, nv int) *linTask {
	const dim = 3
	r := rand.New(rand.NewSource(seed))
	t := &linTask{w: NewParam("fc.weight", 1, dim), b: NewParam("fc.bias", 1), dim: dim}
	truth := []float64{0.5, -1.25, 2}
	gen := func(n int) (xs, ys []float64) {
		for i := 0; i < n; i++ {
			y := 0.3 + 0.05*r.NormFloat64()
			for j := 0; j < dim; j++ {
				v := r.NormFloat64()
				xs = append(xs, v)
				y += truth[j] * v
			}
			ys = append(ys, y)
		}
		return xs, ys
	}
	t.x, t.y = gen(n)
	t.vx, t.vy = gen(nv)
	return t
}

func (t *linTask) Params() []*Param { return []*Param{t.w, t.b} }

func (t *linTask) loss(x, y []float64, idx []int, grad bool) float64 {
	var sum float64
	for _, i := range idx {
		pred := float64(t.b.Data[0])
		for j := 0; j < t.dim; j++ {
			pred += float64(t.w.Data[j]) * x[i*t.dim+j]
		}
		d := pred - y[i]
		sum += d * d
		if grad {
			k := 2 * d / float64(len(idx))
			for j := 0; j < t.dim; j++ {
				t.w.Grad[j] += float32(k * x[i*t.dim+j])
			}
			t.b.Grad[0] += float32(k)
		}
	}
	return sum / float64(len(idx))
}

func (t *linTask) TrainBatch(idx []int) (float64, error) {
	t.calls++
	l := t.loss(t.x, t.y, idx, true)
	if t.hook != nil {
		if v := t.hook(t.calls); v != 0 {
			return v, nil
		}
	}
	return l, nil
}

func (t *linTask) EvalBatch(idx []int) (float64, error) {
	if t.valHook != nil {
		return t.valHook(), nil
	}
	return t.loss(t.vx, t.vy, idx, false), nil
}

func TestFitLearnsAndWritesCurves(t *testing.T) {
	dir := t.TempDir()
	task := newLinTask(1, 200, 50)
	var prog bytes.Buffer
	h, err := Fit(context.Background(), task, 200, 50, TrainOptions{
		Epochs: 30, BatchSize: 16, Seed: 7, Optimizer: NewAdam(0.05),
		Schedule: Cosine{Base: 0.05, Min: 0.001, Steps: 30}, SchedulePerEpoch: true,
		ClipNorm: 10, CheckpointPath: filepath.Join(dir, "best.safetensors"),
		Meta: map[string]string{MetaConfig: `{"dim":3}`}, CurvePrefix: filepath.Join(dir, "curve"),
		Progress: &prog,
	})
	if err != nil {
		t.Fatal(err)
	}
	last := h.Epochs[len(h.Epochs)-1]
	// Noise variance is 0.0025: a fitted model gets close to it.
	if last.ValLoss > 0.004 || last.TrainLoss > 0.004 {
		t.Fatalf("did not learn: %+v", last)
	}
	if h.Epochs[0].LR != 0.05 || math.Abs(last.LR-Cosine{Base: 0.05, Min: 0.001, Steps: 30}.LR(29)) > 1e-15 {
		t.Fatalf("schedule not applied: first lr %v last %v", h.Epochs[0].LR, last.LR)
	}
	// The checkpoint holds the best epoch's model and says so.
	q := []*Param{NewParam("fc.weight", 1, 3), NewParam("fc.bias", 1)}
	meta, err := LoadSafetensors(filepath.Join(dir, "best.safetensors"), q)
	if err != nil {
		t.Fatal(err)
	}
	if meta[MetaConfig] != `{"dim":3}` || meta["epoch"] == "" || meta["epoch"] != strconv.Itoa(h.BestEpoch) {
		t.Fatalf("checkpoint metadata %v (best epoch %d)", meta, h.BestEpoch)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "curve.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 31 || !strings.HasPrefix(lines[0], "epoch,train_loss,val_loss") {
		t.Fatalf("csv has %d lines: %q", len(lines), lines[0])
	}
	png, err := os.ReadFile(filepath.Join(dir, "curve.png"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("curve.png: %v", err)
	}
	if !strings.Contains(prog.String(), "train 390/390") || !strings.Contains(prog.String(), "epoch 30/30") {
		t.Fatalf("progress output %q", prog.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Fatalf("%d files in the output directory, want 3 (temporary files left?)", len(ents))
	}
}

// scoredTask is a linTask that is also a Scorer: its score is the
// negated mean validation loss, and it counts its calls.
type scoredTask struct {
	*linTask
	scores int
}

func (t *scoredTask) ScoreName() string { return "negative MSE" }

func (t *scoredTask) ValScore() (float64, error) {
	t.scores++
	idx := make([]int, len(t.vy))
	for i := range idx {
		idx[i] = i
	}
	return -t.loss(t.vx, t.vy, idx, false), nil
}

func TestFitRecordsScore(t *testing.T) {
	dir := t.TempDir()
	task := &scoredTask{linTask: newLinTask(2, 100, 20)}
	h, err := Fit(context.Background(), task, 100, 20, TrainOptions{
		Epochs: 4, BatchSize: 10, Seed: 1, Optimizer: NewAdam(0.05), CurvePrefix: filepath.Join(dir, "c"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.Score != "negative MSE" || task.scores != 4 {
		t.Fatalf("score %q asked %d times, want 4", h.Score, task.scores)
	}
	var prev time.Duration
	for _, e := range h.Epochs {
		// the score is the validation loss negated (up to rounding of the batch means)
		if math.Abs(e.ValScore+e.ValLoss) > 1e-12 || e.Elapsed < prev+e.Duration {
			t.Fatalf("epoch %d: score %v loss %v, elapsed %v after %v + %v", e.Epoch, e.ValScore, e.ValLoss, e.Elapsed, prev, e.Duration)
		}
		prev = e.Elapsed
	}
	csv, err := os.ReadFile(filepath.Join(dir, "c.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 5 || lines[0] != "epoch,train_loss,val_loss,lr,grad_norm,seconds,elapsed,val_score" {
		t.Fatalf("csv %q", lines)
	}
	if f := strings.Split(lines[4], ","); len(f) != 8 || f[7] != strconv.FormatFloat(h.Epochs[3].ValScore, 'g', -1, 64) {
		t.Fatalf("last row %q, score %v", lines[4], h.Epochs[3].ValScore)
	}
	if png, err := os.ReadFile(filepath.Join(dir, "c-score.png")); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("c-score.png: %v", err)
	}
	// Without validation examples there is nothing to score.
	task = &scoredTask{linTask: newLinTask(2, 100, 0)}
	if h, err = Fit(context.Background(), task, 100, 0, TrainOptions{Epochs: 2, BatchSize: 10, Optimizer: NewAdam(0.05)}); err != nil || h.Score != "" || task.scores != 0 || !math.IsNaN(h.Epochs[0].ValScore) {
		t.Fatalf("no validation set: score %q asked %d times (%v), err %v", h.Score, task.scores, h.Epochs[0].ValScore, err)
	}
}

func TestHistoryJSON(t *testing.T) {
	h := History{Epochs: []EpochStats{{Epoch: 1, TrainLoss: 0.5, ValLoss: math.NaN(), ValScore: math.NaN(), LR: 0.1,
		Duration: 1500 * time.Millisecond, Elapsed: 2 * time.Second}}, BestEpoch: 1, BestLoss: 0.5}
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"epochs":[{"epoch":1,"train_loss":0.5,"val_loss":null,"val_score":null,"lr":0.1,"grad_norm":0,"seconds":1.5,"elapsed":2}],"best_epoch":1,"best_loss":0.5,"stopped_early":false}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if b, err = json.Marshal(History{BestLoss: math.Inf(1)}); err != nil || string(b) != `{"epochs":null,"best_epoch":0,"best_loss":null,"stopped_early":false}` {
		t.Fatalf("empty history: %s %v", b, err)
	}
}

func TestFitDeterministic(t *testing.T) {
	run := func(seed int64) []float32 {
		task := newLinTask(3, 100, 0)
		_, err := Fit(context.Background(), task, 100, 0, TrainOptions{Epochs: 3, BatchSize: 7, Seed: seed,
			Optimizer: &SGD{Rate: 0.01, Momentum: 0.9, Nesterov: true}})
		if err != nil {
			t.Fatal(err)
		}
		return append(append([]float32(nil), task.w.Data...), task.b.Data...)
	}
	a, b, c := run(5), run(5), run(6)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("same seed, different params: %v vs %v", a, b)
		}
	}
	same := true
	for i := range a {
		same = same && a[i] == c[i]
	}
	if same {
		t.Fatal("a different seed gave the same params: shuffling ignores the seed")
	}
}

func TestFitStopsOnNaN(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "best.safetensors")
	task := newLinTask(1, 40, 10)
	// 40 examples / batch 8 = 5 batches per epoch: call 17 is epoch 4 batch 2.
	task.hook = func(call int) float64 {
		if call == 17 {
			return math.NaN()
		}
		return 0
	}
	h, err := Fit(context.Background(), task, 40, 10, TrainOptions{Epochs: 10, BatchSize: 8, Optimizer: NewAdam(0.01), CheckpointPath: ck})
	if err == nil || !strings.Contains(err.Error(), "epoch 4 batch 2: loss is NaN") {
		t.Fatalf("error %v", err)
	}
	if len(h.Epochs) != 3 {
		t.Fatalf("history has %d epochs, want the 3 completed", len(h.Epochs))
	}
	meta, err := LoadSafetensors(ck, []*Param{NewParam("fc.weight", 1, 3), NewParam("fc.bias", 1)})
	if err != nil || meta["epoch"] != "3" {
		t.Fatalf("last good checkpoint: meta %v err %v", meta, err)
	}
	// A NaN gradient with a finite loss is caught too, before the step.
	task = newLinTask(1, 40, 0)
	var w0 []float32
	task.hook = func(call int) float64 {
		if call == 2 {
			task.w.Grad[1] = float32(math.Inf(-1))
			w0 = append([]float32(nil), task.w.Data...)
		}
		return 0
	}
	_, err = Fit(context.Background(), task, 40, 0, TrainOptions{Epochs: 1, BatchSize: 20, Optimizer: NewAdam(0.01)})
	if err == nil || !strings.Contains(err.Error(), "epoch 1 batch 2: gradient norm is +Inf") {
		t.Fatalf("error %v", err)
	}
	for i := range w0 {
		if w0[i] != task.w.Data[i] {
			t.Fatal("the bad step was applied")
		}
	}
}

func TestFitCancel(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "best.safetensors")
	task := newLinTask(1, 40, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	task.hook = func(call int) float64 {
		if call == 12 { // epoch 3 batch 2
			cancel()
		}
		return 0
	}
	h, err := Fit(ctx, task, 40, 10, TrainOptions{Epochs: 10, BatchSize: 8, Optimizer: NewAdam(0.01), CheckpointPath: ck})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if task.calls != 12 || len(h.Epochs) != 2 {
		t.Fatalf("ran %d batches and %d epochs after cancel at batch 12", task.calls, len(h.Epochs))
	}
	if meta, err := LoadSafetensors(ck, task.Params()); err != nil || meta["epoch"] != "2" {
		t.Fatalf("checkpoint after cancel: %v %v", meta, err)
	}
}

func TestFitEarlyStopping(t *testing.T) {
	task := newLinTask(1, 16, 4)
	vals := []float64{5, 4, 3, 3.5, 3.2, 3.1, 1, 0.5}
	task.valHook = func() float64 {
		task.evals++
		return vals[task.evals-1]
	}
	h, err := Fit(context.Background(), task, 16, 4, TrainOptions{Epochs: 8, BatchSize: 8, Optimizer: NewAdam(0.01), Patience: 3, RestoreBest: true})
	if err != nil {
		t.Fatal(err)
	}
	if !h.StoppedEarly || len(h.Epochs) != 6 || h.BestEpoch != 3 || h.BestLoss != 3 {
		t.Fatalf("stopped %v after %d epochs, best epoch %d loss %v; want stop after 6, best 3",
			h.StoppedEarly, len(h.Epochs), h.BestEpoch, h.BestLoss)
	}
	// RestoreBest: rerun three epochs without early stopping; the params
	// must equal those restored.
	task2 := newLinTask(1, 16, 4)
	task2.valHook = func() float64 { return 1 }
	if _, err := Fit(context.Background(), task2, 16, 4, TrainOptions{Epochs: 3, BatchSize: 8, Optimizer: NewAdam(0.01)}); err != nil {
		t.Fatal(err)
	}
	for i := range task.w.Data {
		if task.w.Data[i] != task2.w.Data[i] {
			t.Fatalf("restored params %v, epoch-3 params %v", task.w.Data, task2.w.Data)
		}
	}
}

// TestFitResume checks that stopping after 2 epochs and resuming from the
// saved training state gives exactly the params of an uninterrupted run.
func TestFitResume(t *testing.T) {
	dir := t.TempDir()
	for _, mk := range []func() Optimizer{
		func() Optimizer { return NewAdamW(0.02, 0.01) },
		func() Optimizer { return &SGD{Rate: 0.01, Momentum: 0.9, WeightDecay: 1e-3} },
	} {
		opts := func(o Optimizer) TrainOptions {
			return TrainOptions{Epochs: 4, BatchSize: 6, Seed: 11, Optimizer: o, Schedule: StepLR{Base: 0.02, Every: 10, Gamma: 0.5}}
		}
		full := newLinTask(2, 50, 10)
		hFull, err := Fit(context.Background(), full, 50, 10, opts(mk()))
		if err != nil {
			t.Fatal(err)
		}
		state := filepath.Join(dir, "state.safetensors")
		first := newLinTask(2, 50, 10)
		o := opts(mk())
		o.Epochs, o.StatePath = 2, state
		if _, err := Fit(context.Background(), first, 50, 10, o); err != nil {
			t.Fatal(err)
		}
		second := newLinTask(2, 50, 10) // fresh model and optimiser
		opt := mk()
		st, _, err := LoadTrainingState(state, second.Params(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if st.Epoch != 2 {
			t.Fatalf("state epoch %d", st.Epoch)
		}
		o = opts(opt)
		o.Resume = &st
		h, err := Fit(context.Background(), second, 50, 10, o)
		if err != nil {
			t.Fatal(err)
		}
		for i := range full.w.Data {
			if math.Float32bits(full.w.Data[i]) != math.Float32bits(second.w.Data[i]) {
				t.Fatalf("%T: resumed params %v, uninterrupted %v", opt, second.w.Data, full.w.Data)
			}
		}
		if h.BestEpoch != hFull.BestEpoch || h.BestLoss != hFull.BestLoss {
			t.Fatalf("best after resume %d %v, uninterrupted %d %v", h.BestEpoch, h.BestLoss, hFull.BestEpoch, hFull.BestLoss)
		}
	}
}

func TestFitRejectsBadOptions(t *testing.T) {
	task := newLinTask(1, 10, 0)
	for _, c := range []struct {
		o    TrainOptions
		n    int
		want string
	}{
		{TrainOptions{Epochs: 1, BatchSize: 2}, 10, "Optimizer is nil"},
		{TrainOptions{BatchSize: 2, Optimizer: NewAdam(1)}, 10, "Epochs = 0"},
		{TrainOptions{Epochs: 1, Optimizer: NewAdam(1)}, 10, "BatchSize = 0"},
		{TrainOptions{Epochs: 1, BatchSize: 20, DropLast: true, Optimizer: NewAdam(1)}, 10, "leaves no batch"},
		{TrainOptions{Epochs: 1, BatchSize: 2, Optimizer: NewAdam(math.NaN())}, 10, "learning rate NaN"},
	} {
		if _, err := Fit(context.Background(), task, c.n, 0, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
