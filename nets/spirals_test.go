package nets

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// spirals returns n points of two interleaved spirals (1.5 turns each,
// Gaussian jitter) with labels 0 and 1, alternating.
func spirals(r *rand.Rand, n int) (xy []float32, label []float32) {
	for i := 0; i < n; i++ {
		c := i % 2
		u := r.Float64()
		th := 0.6 + 3*math.Pi*math.Sqrt(u)
		rad := th / (3*math.Pi + 0.6)
		a := th + float64(c)*math.Pi
		xy = append(xy, float32(rad*math.Cos(a)+0.015*r.NormFloat64()), float32(rad*math.Sin(a)+0.015*r.NormFloat64()))
		label = append(label, float32(c))
	}
	return xy, label
}

// spiralMLP is a 2 → 64 → 64 → 2 tanh MLP trained with cross-entropy, as
// a Task. It keeps one compiled machine per (mode, batch size).
type spiralMLP struct {
	layers   Sequential
	params   []*Param
	trX, trY []float32
	vaX, vaY []float32
	machines map[[2]int]*spiralRun
	xbuf     []float32
	ybuf     []float32
}

type spiralRun struct {
	m            *Machine
	x, y, logits *G.Node
	loss         *G.Node
}

func newSpiralMLP(seed int64) (*spiralMLP, error) {
	rng := rand.New(rand.NewSource(seed))
	var layers Sequential
	for i, io := range [][2]int{{2, 64}, {64, 64}, {64, 2}} {
		l, err := NewLinear(fmt.Sprintf("net.%d", 2*i), io[0], io[1], true, rng)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
		if i < 2 {
			layers = append(layers, LayerFunc(Tanh))
		}
	}
	return &spiralMLP{layers: layers, params: layers.Params(), machines: map[[2]int]*spiralRun{}}, nil
}

func (s *spiralMLP) Params() []*Param { return s.params }

func (s *spiralMLP) run(mode Mode, n int) (*spiralRun, error) {
	k := [2]int{int(mode), n}
	if r := s.machines[k]; r != nil {
		return r, nil
	}
	g := NewGraph(mode, 1)
	r := &spiralRun{
		x: G.NewMatrix(g.ExprGraph, tensor.Float32, G.WithShape(n, 2), G.WithName("x")),
		y: G.NewVector(g.ExprGraph, tensor.Float32, G.WithShape(n), G.WithName("y")),
	}
	var err error
	if r.logits, err = s.layers.Forward(g, r.x); err != nil {
		return nil, err
	}
	if r.loss, err = CrossEntropyLoss(r.logits, r.y); err != nil {
		return nil, err
	}
	lossFor := r.loss
	if mode == Eval {
		lossFor = nil
	}
	if r.m, err = NewMachine(g, lossFor); err != nil {
		return nil, err
	}
	s.machines[k] = r
	return r, nil
}

// pass runs examples idx of (X, Y) through the machine for mode.
func (s *spiralMLP) pass(mode Mode, X, Y []float32, idx []int) (*spiralRun, error) {
	r, err := s.run(mode, len(idx))
	if err != nil {
		return nil, err
	}
	s.xbuf, s.ybuf = s.xbuf[:0], s.ybuf[:0]
	for _, i := range idx {
		s.xbuf = append(s.xbuf, X[2*i], X[2*i+1])
		s.ybuf = append(s.ybuf, Y[i])
	}
	if err := Let(r.x, s.xbuf); err != nil {
		return nil, err
	}
	if err := Let(r.y, s.ybuf); err != nil {
		return nil, err
	}
	return r, r.m.Run()
}

func (s *spiralMLP) TrainBatch(idx []int) (float64, error) {
	r, err := s.pass(Train, s.trX, s.trY, idx)
	if err != nil {
		return 0, err
	}
	l, err := Scalar(r.loss)
	return float64(l), err
}

func (s *spiralMLP) EvalBatch(idx []int) (float64, error) {
	r, err := s.pass(Eval, s.vaX, s.vaY, idx)
	if err != nil {
		return 0, err
	}
	l, err := Scalar(r.loss)
	return float64(l), err
}

// accuracy classifies the points X in one eval pass.
func (s *spiralMLP) accuracy(X, Y []float32) (float64, error) {
	idx := make([]int, len(Y))
	for i := range idx {
		idx[i] = i
	}
	r, err := s.pass(Eval, X, Y, idx)
	if err != nil {
		return 0, err
	}
	lg, err := Value(r.logits)
	if err != nil {
		return 0, err
	}
	right := 0
	for i, y := range Y {
		pred := float32(0)
		if lg[2*i+1] > lg[2*i] {
			pred = 1
		}
		if pred == y {
			right++
		}
	}
	return float64(right) / float64(len(Y)), nil
}

func (s *spiralMLP) close() {
	for _, r := range s.machines {
		r.m.Close()
	}
}

// TestSpiralsHeldOut trains the MLP with Fit and Adam and checks the
// accuracy on 1000 points it never saw (neither in training nor in the
// validation set used for early stopping and keep-best).
func TestSpiralsHeldOut(t *testing.T) {
	data := rand.New(rand.NewSource(42))
	m, err := newSpiralMLP(7)
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	m.trX, m.trY = spirals(data, 1000)
	m.vaX, m.vaY = spirals(data, 400)
	teX, teY := spirals(data, 1000)
	// The untrained net is near chance, so the test measures learning.
	acc0, err := m.accuracy(teX, teY)
	if err != nil {
		t.Fatal(err)
	}
	if acc0 > 0.7 {
		t.Fatalf("untrained accuracy %.1f%%: the task is too easy to show learning", 100*acc0)
	}
	start := time.Now()
	h, err := Fit(context.Background(), m, 1000, 400, TrainOptions{
		Epochs: 60, BatchSize: 50, Seed: 1, Optimizer: NewAdam(0.01),
		Schedule: Cosine{Base: 0.01, Min: 1e-4, Steps: 60}, SchedulePerEpoch: true,
		Patience: 15, RestoreBest: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := m.accuracy(teX, teY)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("two spirals: held-out accuracy %.1f%% (untrained %.1f%%) after %d epochs (best val loss %.4f at epoch %d), %.1fs",
		100*acc, 100*acc0, len(h.Epochs), h.BestLoss, h.BestEpoch, time.Since(start).Seconds())
	if acc < 0.98 {
		t.Fatalf("held-out accuracy %.1f%%, want ≥ 98%%", 100*acc)
	}
}
