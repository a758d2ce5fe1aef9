package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
)

func TestAdditiveAttentionGolden(t *testing.T) {
	a, err := NewAdditiveAttention("", 5, 6, 7, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newSeqRun(t, "attention")
	r.load(a.Params())
	ctx, w, err := a.Forward(r.g, r.input("q"), r.input("k"))
	if err != nil {
		t.Fatal(err)
	}
	r.check(map[string]*G.Node{"context": ctx, "weights": w}, a.Params(), "q", "k")
}

func TestAdditiveAttentionMaskedGolden(t *testing.T) {
	a, err := NewAdditiveAttention("", 5, 6, 7, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	r := newSeqRun(t, "attention_masked")
	r.load(a.Params())
	ctx, w, err := a.ForwardMasked(r.g, r.input("q"), r.input("k"), r.input("mask"))
	if err != nil {
		t.Fatal(err)
	}
	ww, err := NewWatch(w)
	if err != nil {
		t.Fatal(err)
	}
	r.check(map[string]*G.Node{"context": ctx, "weights": w}, a.Params(), "q", "k")
	got, _ := ww.Value()
	mask, _ := seqGolden(t, "attention_masked", "mask")
	for i, m := range mask {
		if m == 0 && got[i] != 0 {
			t.Errorf("weight %d = %v at a padded key, want exactly 0", i, got[i])
		}
	}
}
