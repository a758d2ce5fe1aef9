package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestConvTranspose2dGoldens(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  ConvTranspose2dConfig
	}{
		{"convt_k4s2p1", ConvTranspose2dConfig{In: 3, Out: 2, Kernel: 4, Stride: 2, Padding: 1, Bias: true}},
		{"convt_k3s2p1op1", ConvTranspose2dConfig{In: 3, Out: 2, Kernel: 3, Stride: 2, Padding: 1, OutputPadding: 1, Bias: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := NewConvTranspose2d("", c.cfg, rand.New(rand.NewSource(1)))
			if err != nil {
				t.Fatal(err)
			}
			r := newSeqRun(t, c.name)
			r.load(l.Params())
			out, err := l.Forward(r.g, r.input("x"))
			if err != nil {
				t.Fatal(err)
			}
			if s := out.Shape(); s[2] != l.OutSize(5) || s[3] != l.OutSize(4) || s[2] != 10 || s[3] != 8 {
				t.Fatalf("output shape %v", s)
			}
			r.check(map[string]*G.Node{"out": out}, l.Params(), "x")
		})
	}
}

func TestConvTranspose2dBadConfig(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, cfg := range []ConvTranspose2dConfig{
		{In: 0, Out: 1, Kernel: 3, Stride: 2},
		{In: 1, Out: 1, Kernel: 3, Stride: 2, Padding: -1},
		{In: 1, Out: 1, Kernel: 3, Stride: 2, OutputPadding: 2},
	} {
		if _, err := NewConvTranspose2d("up", cfg, rng); err == nil {
			t.Errorf("config %+v: want an error", cfg)
		}
	}
	l, _ := NewConvTranspose2d("up", ConvTranspose2dConfig{In: 2, Out: 1, Kernel: 4, Stride: 2, Padding: 1}, rng)
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 4, G.WithShape(1, 3, 4, 4), G.WithName("x"))
	if _, err := l.Forward(g, x); err == nil {
		t.Fatal("want an error for 3 input channels")
	}
}
