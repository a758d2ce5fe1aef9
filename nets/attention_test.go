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
