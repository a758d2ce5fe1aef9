package nets

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestWatchSurvivesMemoryReuse builds w = exp(x) used in a loss; in the
// backward pass Gorgonia computes grad⊙w in w's memory, so w.Value() after
// the run no longer holds exp(x). The watch must still hold it.
func TestWatchSurvivesMemoryReuse(t *testing.T) {
	g := NewGraph(Train, 1)
	xs := []float32{0, 1, -1, 0.5}
	r := []float32{2, -3, 0.5, 4}
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 1, G.WithShape(4), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithBacking(append([]float32(nil), xs...)))))
	rn := G.NewTensor(g.ExprGraph, tensor.Float32, 1, G.WithShape(4), G.WithName("r"),
		G.WithValue(tensor.New(tensor.WithBacking(r))))
	w := G.Must(G.Exp(x))
	watch, err := NewWatch(w)
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(w, rn))))
	m, err := NewMachine(g, loss, x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	got, err := watch.Value()
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2.7182817, 0.36787945, 1.6487212}
	seqCompare(t, "watched exp(x)", got, want)
	if raw, err := Value(w); err == nil {
		clobbered := false
		for i := range raw {
			clobbered = clobbered || raw[i] != got[i]
		}
		t.Logf("node value after the backward pass: %v (differs from the forward value: %v)", raw, clobbered)
	}
	if !watch.Shape().Eq(tensor.Shape{4}) {
		t.Errorf("shape %v", watch.Shape())
	}
}
