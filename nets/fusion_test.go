package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGatedSumGoldens(t *testing.T) {
	for _, c := range []struct {
		name    string
		dim, n  int
		streams []string
	}{{"gated2", 5, 2, []string{"a", "b"}}, {"gated3", 4, 3, []string{"a", "b", "c"}}} {
		t.Run(c.name, func(t *testing.T) {
			f, err := NewGatedSum("", c.dim, c.n, rand.New(rand.NewSource(1)))
			if err != nil {
				t.Fatal(err)
			}
			r := newSeqRun(t, c.name)
			r.load(f.Params())
			var xs []*G.Node
			for _, s := range c.streams {
				xs = append(xs, r.input(s))
			}
			out, err := f.Forward(r.g, xs...)
			if err != nil {
				t.Fatal(err)
			}
			r.check(map[string]*G.Node{"out": out}, f.Params(), c.streams...)
		})
	}
}

func TestConcat(t *testing.T) {
	g := NewGraph(Eval, 1)
	a := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 1), G.WithName("a"),
		G.WithValue(tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{1, 2}))))
	b := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 2), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{3, 4, 5, 6}))))
	out, err := Concat(a, b)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := Value(out)
	want := []float32{1, 3, 4, 2, 5, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	c := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(3, 2), G.WithName("c"))
	if _, err := Concat(a, c); err == nil {
		t.Fatal("want an error for mismatched batch sizes")
	}
}
