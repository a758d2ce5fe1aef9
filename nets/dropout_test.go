package nets

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// dropoutRun builds dropout over ones [n] in a graph of the given seed and
// returns the outputs of `runs` passes and the input gradient of the last.
func dropoutRun(t *testing.T, p float64, n int, seed int64, runs int) ([][]float32, []float32) {
	t.Helper()
	d, err := NewDropout(p)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(Train, seed)
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 1, G.WithShape(n), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(n), tensor.WithBacking(ones))))
	y, err := d.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWatch(y)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(g, G.Must(G.Sum(y)), x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var outs [][]float32
	var grad []float32
	for r := 0; r < runs; r++ {
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		v, _ := w.Value()
		outs = append(outs, v)
		grad, _ = m.Grad(x)
	}
	return outs, grad
}

func TestDropoutTrain(t *testing.T) {
	const p, n = 0.3, 20000
	a, grad := dropoutRun(t, p, n, 7, 2)
	b, _ := dropoutRun(t, p, n, 7, 1)
	c, _ := dropoutRun(t, p, n, 8, 1)
	same := func(u, v []float32) bool {
		for i := range u {
			if u[i] != v[i] {
				return false
			}
		}
		return true
	}
	if !same(a[0], b[0]) {
		t.Error("same seed, different masks")
	}
	if same(a[0], c[0]) {
		t.Error("different seeds, same mask")
	}
	if same(a[0], a[1]) {
		t.Error("second pass reused the first mask")
	}
	zeros := 0
	scale := float32(1 / (1 - p))
	for i, v := range a[1] {
		switch v {
		case 0:
			zeros++
		case scale:
		default:
			t.Fatalf("element %d = %v, want 0 or %v", i, v, scale)
		}
		if grad[i] != v { // d sum(x⊙mask)/dx = mask
			t.Fatalf("grad[%d] = %v, want %v", i, grad[i], v)
		}
	}
	rate := float64(zeros) / n
	if sigma := math.Sqrt(p * (1 - p) / n); math.Abs(rate-p) > 4*sigma {
		t.Errorf("drop rate %.4f, want %.2f ± %.4f", rate, p, 4*sigma)
	}
}

func TestDropoutEvalIdentity(t *testing.T) {
	d, _ := NewDropout(0.5)
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 3), G.WithName("x"))
	y, err := d.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	if y != x {
		t.Error("eval-mode dropout should return its input node")
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := NewDropout(p); err == nil {
			t.Errorf("p=%v: want an error", p)
		}
	}
}
