package nets

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestBindingSharesData checks that a graph sees in-place updates of a
// Param's Data on the next run of the same machine, and that gradients
// can be read back.
func TestBindingSharesData(t *testing.T) {
	p := NewParam("w", 2)
	p.Data[0], p.Data[1] = 1, 2
	g := NewGraph(Train, 1)
	x := G.NewVector(g.ExprGraph, tensor.Float32, G.WithShape(2), G.WithName("x"))
	w := g.Param(p)
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(x, w))))
	ns, _ := g.LearnableNodes()
	grads, err := G.Grad(loss, ns...)
	if err != nil {
		t.Fatal(err)
	}
	m := G.NewTapeMachine(g.ExprGraph)
	defer m.Close()
	for step := 0; step < 3; step++ {
		if err := G.Let(x, tensor.New(tensor.WithBacking([]float32{3, 4}))); err != nil {
			t.Fatal(err)
		}
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		want := 3*p.Data[0] + 4*p.Data[1]
		if got := loss.Value().Data().(float32); got != want {
			t.Fatalf("step %d: loss %v want %v", step, got, want)
		}
		gd := grads[0].Value().Data().([]float32)
		if gd[0] != 3 || gd[1] != 4 {
			t.Fatalf("grad %v", gd)
		}
		p.Data[0] += 1 // in-place update must be seen next pass
		m.Reset()
	}
}
