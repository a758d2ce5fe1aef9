package nets

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestBatchNormGoldens runs two training steps (running statistics after
// both, output and gradients of the second) and then an eval pass with
// the updated statistics, against PyTorch.
func TestBatchNormGoldens(t *testing.T) {
	for _, name := range []string{"batchnorm1d_2d", "batchnorm1d_3d", "batchnorm2d"} {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			c := gd.get(t, "weight").shape[0]
			bn, err := NewBatchNorm1d("bn", c)
			if name == "batchnorm2d" {
				bn, err = NewBatchNorm2d("bn", c)
			}
			if err != nil {
				t.Fatal(err)
			}
			ps := map[string]*Param{"weight": bn.Weight, "bias": bn.Bias}
			// Step 1: forward only (updates the running stats).
			x1 := gd.get(t, "x1")
			g := NewGraph(Train, 1)
			x := G.NewTensor(g.ExprGraph, tensor.Float32, len(x1.shape), G.WithShape(x1.shape...), G.WithName("x"))
			copy(bn.Weight.Data, gd.get(t, "weight").data)
			copy(bn.Bias.Data, gd.get(t, "bias").data)
			if _, err := bn.Forward(g, x); err != nil {
				t.Fatal(err)
			}
			m, err := NewMachine(g, nil)
			if err != nil {
				t.Fatal(err)
			}
			Let(x, x1.data)
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			m.Close()
			// Step 2: forward and backward.
			rel := coreCheckLayer(t, gd, Train, "", bn.Forward, ps)
			rel2 := coreClose(t, "running_mean", bn.RunningMean.Data, gd.get(t, "running_mean").data)
			rel3 := coreClose(t, "running_var", bn.RunningVar.Data, gd.get(t, "running_var").data)
			if bn.NumBatchesTracked.Data[0] != 2 {
				t.Errorf("num_batches_tracked %v, want 2", bn.NumBatchesTracked.Data)
			}
			// Eval with the running statistics.
			stats := append([]float32(nil), bn.RunningMean.Data...)
			rel4 := coreCheckLayer(t, gd, Eval, "eval.", bn.Forward, ps)
			if bn.RunningMean.Data[0] != stats[0] || bn.NumBatchesTracked.Data[0] != 2 {
				t.Error("eval pass changed the running statistics")
			}
			t.Logf("max relative error: train %.2g, running mean %.2g, var %.2g, eval %.2g", rel, rel2, rel3, rel4)
		})
	}
}

func TestBatchNormErrors(t *testing.T) {
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(1, 3), G.WithName("x"))
	bn := func(c int, twoD bool) *BatchNorm {
		b, err := newBatchNorm("bn", c, twoD)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []int{0, -1} {
		if _, err := NewBatchNorm1d("bn", c); err == nil || !strings.Contains(err.Error(), "features, want > 0") {
			t.Fatalf("%d features: error %v", c, err)
		}
	}
	if _, err := bn(4, false).Forward(g, x); err == nil {
		t.Fatal("wrong channel count: want error")
	}
	if _, err := bn(3, true).Forward(g, x); err == nil {
		t.Fatal("BatchNorm2d on rank 2: want error")
	}
	y, err := bn(3, false).Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	_ = y
	m, err := NewMachine(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	Let(x, []float32{1, 2, 3})
	if err := m.Run(); err == nil {
		t.Fatal("one value per channel in training: want error")
	}
}

// TestBatchNormReLUFused checks that ForwardReLU gives the same bits as
// Forward then ReLU: output, running statistics and the gradients of the
// input, weight and bias, in training and in evaluation; followed by the
// loss directly, and by max pooling, whose gradient buffer the input
// gradient then overwrites (over two passes).
func TestBatchNormReLUFused(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const n, c, l = 3, 4, 37
	xs := make([]float32, n*c*l)
	ws := make([]float32, n*c*l)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
		ws[i] = float32(rng.NormFloat64())
	}
	type result struct {
		y, gx   []float32
		bn      *BatchNorm
		inPlace int // dx ops that overwrite dy
	}
	run := func(mode Mode, fused, pool bool) result {
		bn, err := NewBatchNorm1d("bn", c)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < c; i++ {
			bn.Weight.Data[i] = float32(i) - 1.5 // a negative scale too
			bn.Bias.Data[i] = 0.25 * float32(i)
			bn.RunningMean.Data[i] = 0.1 * float32(i)
		}
		g := NewGraph(mode, 1)
		x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(n, c, l), G.WithName("x"))
		var out *G.Node
		if fused {
			out, err = bn.ForwardReLU(g, x)
		} else if out, err = bn.Forward(g, x); err == nil {
			out, err = ReLU(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		h := out
		if pool {
			if h, err = NewMaxPool1d(2, 2, 0).Forward(g, out); err != nil {
				t.Fatal(err)
			}
		}
		wv := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(h.Shape()...), G.WithName("w"))
		loss := G.Must(G.Sum(G.Must(G.HadamardProd(h, wv))))
		m, err := NewMachine(g, loss, x)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		Let(x, xs)
		Let(wv, ws[:h.Shape().TotalSize()])
		for pass := 0; pass < 2; pass++ {
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
		}
		r := result{y: append([]float32(nil), out.Value().Data().([]float32)...), bn: bn}
		if r.gx, err = m.Grad(x); err != nil {
			t.Fatal(err)
		}
		for _, nd := range g.AllNodes() {
			if op, ok := nd.Op().(*coreOp); ok && op.inPlace >= 0 {
				r.inPlace++
			}
		}
		return r
	}
	same := func(what string, a, b []float32) {
		if len(a) != len(b) {
			t.Fatalf("%s: %d and %d values", what, len(a), len(b))
		}
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d]: fused %v, unfused %v", what, i, a[i], b[i])
			}
		}
	}
	for _, mode := range []Mode{Train, Eval} {
		for _, c := range []struct {
			pool    bool
			inPlace int // in the fused graph
		}{{false, 0}, {true, 1}} {
			r1 := run(mode, true, c.pool)
			r2 := run(mode, false, c.pool)
			if r1.inPlace != c.inPlace {
				t.Errorf("mode %v, %+v: %d in-place ops, want %d", mode, c, r1.inPlace, c.inPlace)
			}
			same("y", r1.y, r2.y)
			same("dx", r1.gx, r2.gx)
			same("dweight", r1.bn.Weight.Grad, r2.bn.Weight.Grad)
			same("dbias", r1.bn.Bias.Grad, r2.bn.Bias.Grad)
			same("running_var", r1.bn.RunningVar.Data, r2.bn.RunningVar.Data)
			zeros := 0
			for _, v := range r1.y {
				if v == 0 {
					zeros++
				}
			}
			if zeros == 0 || zeros == len(r1.y) {
				t.Fatalf("mode %v: %d of %d outputs are zero: the ReLU is not exercised", mode, zeros, len(r1.y))
			}
		}
	}
}

// TestBatchNormReLUOver checks that ForwardReLUOver gives ForwardReLU's
// bits, over two evaluation passes, writing over the convolution's output
// in evaluation and not in training (where the gradient reads it).
func TestBatchNormReLUOver(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	const n, c, l = 2, 3, 50
	xs := make([]float32, n*c*l)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64())
	}
	run := func(mode Mode, over bool) ([]float32, int) {
		conv, err := NewConv1d("conv", c, c, 3, Conv1dOptions{Padding: 1}, rand.New(rand.NewSource(5)))
		if err != nil {
			t.Fatal(err)
		}
		bn, err := NewBatchNorm1d("bn", c)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < c; i++ {
			bn.Weight.Data[i], bn.RunningMean.Data[i] = float32(i)-1, 0.1*float32(i)
		}
		g := NewGraph(mode, 1)
		x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(n, c, l), G.WithName("x"))
		h, err := conv.Forward(g, x)
		if err != nil {
			t.Fatal(err)
		}
		var y *G.Node
		if over {
			y, err = bn.ForwardReLUOver(g, h)
		} else {
			y, err = bn.ForwardReLU(g, h)
		}
		if err != nil {
			t.Fatal(err)
		}
		var loss *G.Node
		if mode == Train {
			loss = G.Must(G.Sum(y))
		}
		m, err := NewMachine(g, loss)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		Let(x, xs)
		for pass := 0; pass < 2; pass++ {
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
		}
		overwrites := 0
		for _, nd := range g.AllNodes() {
			if op, ok := nd.Op().(*coreOp); ok && op.inPlace == 0 && strings.HasPrefix(op.name, "BatchNorm") {
				overwrites++
			}
		}
		return append([]float32(nil), y.Value().Data().([]float32)...), overwrites
	}
	for _, mode := range []Mode{Eval, Train} {
		want, _ := run(mode, false)
		got, overwrites := run(mode, true)
		if wantOver := map[Mode]int{Eval: 1, Train: 0}[mode]; overwrites != wantOver {
			t.Errorf("mode %v: %d BatchNorm ops write over their input, want %d", mode, overwrites, wantOver)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("mode %v: y[%d] = %v written over, %v not", mode, i, got[i], want[i])
			}
		}
	}
}
