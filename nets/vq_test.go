package nets

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestVQGolden(t *testing.T) {
	v, err := NewVQ("", 8, 4, 0.25, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newSeqRun(t, "vq")
	r.load(v.Params())
	o, err := v.Forward(r.g, r.input("x"))
	if err != nil {
		t.Fatal(err)
	}
	// L = sum(quantized·R) + vq_loss, as in the script.
	r.check(map[string]*G.Node{"quantized": o.Quantized, "vq_loss": o.Loss}, v.Params(), "x")
	codes, err := o.Codes()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := seqGolden(t, "vq", "indices")
	for i := range want {
		if codes[i] != int(want[i]) {
			t.Fatalf("codes %v, want %v", codes, want)
		}
	}
	for name, n := range map[string]*G.Node{"codebook_loss": o.CodebookLoss, "commitment_loss": o.CommitmentLoss} {
		got, _ := Value(n)
		ref, _ := seqGolden(t, "vq", name)
		seqCompare(t, name, got, ref)
	}
	perp, _ := o.Perplexity()
	ref, _ := seqGolden(t, "vq", "perplexity")
	if math.Abs(perp-float64(ref[0])) > 1e-4*float64(ref[0]) {
		t.Errorf("perplexity %v, want %v", perp, ref[0])
	}
	var total int64
	for _, c := range v.Usage {
		total += c
	}
	if total != int64(len(want)) {
		t.Errorf("usage counts %d codes, want %d", total, len(want))
	}
}

// TestVQStraightThrough checks the gradient paths one at a time: the
// quantised output passes gradients to x unchanged and none to the
// codebook; the codebook loss reaches only the chosen rows.
func TestVQStraightThrough(t *testing.T) {
	v, _ := NewVQ("vq", 3, 2, 0.25, rand.New(rand.NewSource(1)))
	copy(v.Weight.Data, []float32{0, 0, 1, 1, 5, 5})
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 2), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{0.9, 1.2, 0.1, -0.2}))))
	o, err := v.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	loss := G.Must(G.Add(G.Must(G.Sum(o.Quantized)), o.CodebookLoss))
	m, err := NewMachine(g, loss, x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	codes, _ := o.Codes()
	if codes[0] != 1 || codes[1] != 0 {
		t.Fatalf("codes %v, want [1 0]", codes)
	}
	gx, _ := m.Grad(x)
	for i, gv := range gx {
		if gv != 1 {
			t.Fatalf("grad x[%d] = %v, want 1 (straight through)", i, gv)
		}
	}
	// d/dE_k mean((E_k − x)²) over 4 elements = 2(E_k − x)/4 for chosen rows.
	want := []float32{2 * (0 - 0.1) / 4, 2 * (0 + 0.2) / 4, 2 * (1 - 0.9) / 4, 2 * (1 - 1.2) / 4, 0, 0}
	for i := range want {
		if math.Abs(float64(v.Weight.Grad[i]-want[i])) > 1e-6 {
			t.Fatalf("codebook grad %v, want %v", v.Weight.Grad, want)
		}
	}
	if p, _ := o.Perplexity(); math.Abs(p-2) > 1e-9 {
		t.Errorf("perplexity %v, want 2", p)
	}
	if CodePerplexity([]int{1, 1, 1}, 3) != 1 {
		t.Error("one code used: perplexity should be 1")
	}
}
