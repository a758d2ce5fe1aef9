package nets

import (
	"math/rand"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/internal/testsize"
)

func TestEmbeddingGolden(t *testing.T) {
	e, err := NewEmbedding("", 10, 6, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newSeqRun(t, "embedding")
	r.load(e.Params())
	out, err := e.Forward(r.g, r.input("idx"))
	if err != nil {
		t.Fatal(err)
	}
	if !out.Shape().Eq(tensor.Shape{2, 7, 6}) {
		t.Fatalf("shape %v", out.Shape())
	}
	r.check(map[string]*G.Node{"out": out}, e.Params())
}

func TestEmbeddingIntIndicesAndRange(t *testing.T) {
	e, _ := NewEmbedding("emb", 4, 2, rand.New(rand.NewSource(1)))
	g := NewGraph(Eval, 1)
	idx := G.NewTensor(g.ExprGraph, tensor.Int, 1, G.WithShape(3), G.WithName("idx"),
		G.WithValue(tensor.New(tensor.WithBacking([]int{3, 0, 3}))))
	out, err := e.Forward(g, idx)
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
	w := e.Weight.Data
	want := []float32{w[6], w[7], w[0], w[1], w[6], w[7]}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	// An out-of-range index fails the run with a clear error.
	if err := G.Let(idx, tensor.New(tensor.WithBacking([]int{1, 4, 0}))); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err == nil || !strings.Contains(err.Error(), "[0, 4)") {
		t.Fatalf("want a range error, got %v", err)
	}
}

// TestLayerSizeLimits: sizes whose parameter tensors would overflow int or
// exhaust memory (as a corrupt configuration file could ask for) are
// errors naming the layer, for every constructor of this file group.
func TestLayerSizeLimits(t *testing.T) {
	testsize.Skip32(t)
	const big = testsize.Huge
	rng := rand.New(rand.NewSource(1))
	for name, f := range map[string]func() error{
		"embedding":         func() error { _, err := NewEmbedding("e", big, big, rng); return err },
		"VQ":                func() error { _, err := NewVQ("v", big, 8, 0.25, rng); return err },
		"LayerNorm":         func() error { _, err := NewLayerNorm("l", big, big); return err },
		"LSTM":              func() error { _, err := NewLSTM("l", LSTMConfig{Input: 8, Hidden: big, Layers: 1}, rng); return err },
		"GatedSum":          func() error { _, err := NewGatedSum("g", big, 2, rng); return err },
		"AdditiveAttention": func() error { _, err := NewAdditiveAttention("a", 8, big, big, rng); return err },
		"Linear":            func() error { _, err := NewLinear("l", big, big, true, rng); return err },
		"Conv1d":            func() error { _, err := NewConv1d("c", big, big, 3, Conv1dOptions{}, rng); return err },
		"Conv2d":            func() error { _, err := NewConv2d("c", big, big, 3, 3, Conv2dOptions{}, rng); return err },
		"ConvTranspose2d": func() error {
			_, err := NewConvTranspose2d("c", ConvTranspose2dConfig{In: big, Out: big, Kernel: 3, Stride: 2}, rng)
			return err
		},
	} {
		if err := f(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want a size error naming the layer", name, err)
		}
	}
}
