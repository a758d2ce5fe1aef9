package nets

import (
	"math/rand"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// machineToy builds loss = sum((w ⊙ x) · 2) + b for a 3-vector x.
func machineToy(t *testing.T) (*Graph, *Param, *Param, *G.Node, *G.Node) {
	t.Helper()
	w := NewParam("w", 3)
	copy(w.Data, []float32{1, 2, 3})
	b := NewParam("b", 1)
	b.Data[0] = 0.5
	g := NewGraph(Train, 1)
	x := G.NewVector(g.ExprGraph, tensor.Float32, G.WithShape(3), G.WithName("x"))
	prod := G.Must(G.HadamardProd(x, g.Param(w)))
	loss := G.Must(G.Add(G.Must(G.Sum(G.Must(G.Mul(prod, G.NewConstant(float32(2)))))), G.Must(G.Sum(g.Param(b)))))
	return g, w, b, x, loss
}

func TestMachineGradientsAreSetNotAccumulated(t *testing.T) {
	g, w, b, x, loss := machineToy(t)
	m, err := NewMachine(g, loss, x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	in := []float32{3, 4, 5}
	for step := 0; step < 3; step++ {
		if err := Let(x, in); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		l, err := Scalar(loss)
		if err != nil {
			t.Fatal(err)
		}
		want := 2*(3*w.Data[0]+4*w.Data[1]+5*w.Data[2]) + b.Data[0]
		if l != want {
			t.Fatalf("step %d: loss %v want %v", step, l, want)
		}
		for i := range in {
			if w.Grad[i] != 2*in[i] {
				t.Fatalf("step %d: dw %v", step, w.Grad)
			}
		}
		if b.Grad[0] != 1 {
			t.Fatalf("db %v", b.Grad)
		}
		gx, err := m.Grad(x)
		if err != nil {
			t.Fatal(err)
		}
		for i := range gx {
			if gx[i] != 2*w.Data[i] {
				t.Fatalf("dx %v", gx)
			}
		}
		w.Data[0] += 1 // an in-place update is seen next step
	}
	if _, err := m.Grad(loss); err == nil {
		t.Fatal("Grad of a node not given as wrt: want error")
	}
}

func TestMachineInferenceAndErrors(t *testing.T) {
	g, _, _, x, loss := machineToy(t)
	if _, err := NewMachine(g, x); err == nil {
		t.Fatal("non-scalar loss: want error")
	}
	if _, err := NewMachine(g, nil, x); err == nil {
		t.Fatal("wrt without loss: want error")
	}
	m, err := NewMachine(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := Let(x, []float32{1, 2}); err == nil {
		t.Fatal("short input: want error")
	}
	if err := Let(x, []float32{1, 2, 3, 4}, 2, 2); err == nil {
		t.Fatal("wrong shape: want error")
	}
	if err := Let(x, []float32{1, 1, 1}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	if l, _ := Scalar(loss); l != 12.5 {
		t.Fatalf("loss %v want 12.5", l)
	}
	m.Close()
	if err := m.Run(); err == nil {
		t.Fatal("Run after Close: want error")
	}
}

func TestMachineHooksOrder(t *testing.T) {
	g, _, _, x, loss := machineToy(t)
	var log []string
	g.BeforeRun(func() error { log = append(log, "before"); return nil })
	g.AfterRun(func() error {
		if loss.Value() == nil {
			t.Error("after-run hook ran before the pass")
		}
		log = append(log, "after")
		return nil
	})
	m, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	Let(x, []float32{1, 1, 1})
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0] != "before" || log[1] != "after" {
		t.Fatalf("hooks %v", log)
	}
}

// TestMachineNoGrowth runs many steps and checks the live heap stays flat
// (Gorgonia's dual-value closure queue, if used, would grow every Run).
func TestMachineNoGrowth(t *testing.T) {
	g, _, _, x, loss := machineToy(t)
	m, err := NewMachine(g, loss, x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	in := []float32{1, 2, 3}
	step := func(n int) uint64 {
		for i := 0; i < n; i++ {
			Let(x, in)
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	step(200)
	a := step(2000)
	b := step(2000)
	if b > a+64<<10 {
		t.Fatalf("heap grew from %d to %d bytes over 2000 steps", a, b)
	}
}

// TestMachineLayersStableOverSteps trains a small conv/batch-norm/pool/
// linear stack for many steps: the heap must not grow (every op reuses its
// buffers), the loss must fall, and the running statistics must move.
func TestMachineLayersStableOverSteps(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	c1, _ := NewConv1d("c1", 2, 4, 5, Conv1dOptions{Stride: 2, Padding: 2}, rng)
	bn, _ := NewBatchNorm1d("bn", 4)
	fc, _ := NewLinear("fc", 4*8, 3, true, rng)
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(5, 2, 32), G.WithName("x"))
	h, err := Sequential{c1, bn, LayerFunc(ReLU), NewMaxPool1d(2, 2, 0)}.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	h = G.Must(G.Reshape(h, tensor.Shape{5, 32}))
	y, err := fc.Forward(g, h)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := LogSoftmaxAxis(y, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Cross-entropy against fixed labels: −Σ onehot·log_softmax / N.
	onehot := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(5, 3), G.WithName("onehot"))
	loss := G.Must(G.Div(G.Must(G.Neg(G.Must(G.Sum(G.Must(G.HadamardProd(ls, onehot)))))), G.NewConstant(float32(5))))
	m, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	params := Learnable(Sequential{c1, bn, fc}.Params())
	oh := make([]float32, 15)
	for i := 0; i < 5; i++ {
		oh[i*3+i%3] = 1
	}
	if err := Let(onehot, oh); err != nil {
		t.Fatal(err)
	}
	data := make([]float32, 5*2*32)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	if err := Let(x, data); err != nil {
		t.Fatal(err)
	}
	run := func(n int) (float32, uint64) {
		for i := 0; i < n; i++ {
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			for _, p := range params { // plain SGD
				for j := range p.Data {
					p.Data[j] -= 0.05 * p.Grad[j]
				}
			}
		}
		l, _ := Scalar(loss)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return l, ms.HeapAlloc
	}
	l0, _ := run(1)
	_, h1 := run(300)
	l2, h2 := run(300)
	if h2 > h1+64<<10 {
		t.Errorf("heap grew from %d to %d bytes over 300 steps", h1, h2)
	}
	if !(l2 < l0/10) {
		t.Errorf("loss %v → %v: not learning", l0, l2)
	}
	if bn.NumBatchesTracked.Data[0] != 601 || bn.RunningMean.Data[0] == 0 {
		t.Errorf("running stats not updated: %v, %v", bn.NumBatchesTracked.Data, bn.RunningMean.Data)
	}
}

// TestMachineParallelMatchesSerial checks that splitting the ops over two
// goroutines (GEMM columns, channels, element ranges) gives bit-identical
// outputs and gradients to one goroutine, on sizes large enough to split.
func TestMachineParallelMatchesSerial(t *testing.T) {
	t.Run("plain", func(t *testing.T) { machineParallelMatchesSerial(t, false) })
	t.Run("soundnet", func(t *testing.T) { machineParallelMatchesSerial(t, true) })
}

// machineFusedBN is a BatchNorm followed by ReLU in one op.
type machineFusedBN struct{ *BatchNorm }

func (b machineFusedBN) Forward(g *Graph, x *G.Node) (*G.Node, error) { return b.ForwardReLU(g, x) }

// machineParallelMatchesSerial runs a small net on 1 and 2 procs; with
// soundnet, SoundNet's kinds of layers: a convolution on a split input,
// BatchNorm fused with ReLU, max pooling by 8.
func machineParallelMatchesSerial(t *testing.T, soundnet bool) {
	run := func(procs int) ([]float32, [][]float32) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		rng := rand.New(rand.NewSource(5))
		c1, _ := NewConv1d("c1", 3, 8, 9, Conv1dOptions{Stride: 2, Padding: 4}, rng)
		bn, _ := NewBatchNorm1d("bn", 8)
		c2, _ := NewConv1d("c2", 8, 4, 5, Conv1dOptions{Stride: 3}, rng)
		net := Sequential{c1, bn, LayerFunc(ReLU), NewMaxPool1d(4, 0, 0), c2, LayerFunc(Tanh), NewAvgPool1d(3, 2, 1)}
		if soundnet {
			c1, _ = NewConv1d("c1", 3, 8, 16, Conv1dOptions{Stride: 2, Padding: 8}, rng)
			c2, _ = NewConv1d("c2", 8, 4, 8, Conv1dOptions{Stride: 2, Padding: 4}, rng)
			net = Sequential{c1, machineFusedBN{bn}, NewMaxPool1d(8, 0, 0), c2, LayerFunc(Tanh)}
		}
		g := NewGraph(Train, 1)
		x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(2, 3, 20000), G.WithName("x"))
		y, err := net.Forward(g, x)
		if err != nil {
			t.Fatal(err)
		}
		r := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(y.Shape()...), G.WithName("R"))
		loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
		m, err := NewMachine(g, loss, x)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		xd := make([]float32, 2*3*20000)
		for i := range xd {
			xd[i] = float32(rng.NormFloat64())
		}
		rd := make([]float32, y.Shape().TotalSize())
		for i := range rd {
			rd[i] = float32(rng.NormFloat64())
		}
		Let(x, xd)
		Let(r, rd)
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		out, _ := Value(y)
		gx, _ := m.Grad(x)
		grads := [][]float32{gx}
		for _, p := range Learnable(net.Params()) {
			grads = append(grads, append([]float32(nil), p.Grad...))
		}
		return out, grads
	}
	y1, g1 := run(1)
	y2, g2 := run(2)
	for i := range y1 {
		if y1[i] != y2[i] {
			t.Fatalf("output %d: %v (1 proc) vs %v (2 procs)", i, y1[i], y2[i])
		}
	}
	for k := range g1 {
		for i := range g1[k] {
			if g1[k][i] != g2[k][i] {
				t.Fatalf("gradient %d[%d]: %v vs %v", k, i, g1[k][i], g2[k][i])
			}
		}
	}
}
