package nets

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLayerNormGolden(t *testing.T) {
	l, err := NewLayerNorm("", 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	r := newSeqRun(t, "layernorm")
	r.load(l.Params())
	out, err := l.Forward(r.g, r.input("x"))
	if err != nil {
		t.Fatal(err)
	}
	r.check(map[string]*G.Node{"out": out}, l.Params(), "x")
}

func TestLayerNormBadShape(t *testing.T) {
	l, _ := NewLayerNorm("ln", 3, 4)
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(4, 3), G.WithName("x"))
	if _, err := l.Forward(g, x); err == nil {
		t.Fatal("want a shape error")
	}
	if _, err := NewLayerNorm("ln"); err == nil {
		t.Fatal("want an error for an empty shape")
	}
}
