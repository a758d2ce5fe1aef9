package nets

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestPoolGoldens(t *testing.T) {
	for _, name := range []string{"maxpool1d", "maxpool1d_soundnet", "maxpool2d", "avgpool1d", "avgpool2d"} {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			k, s, p := gd.ints("k"), gd.ints("s"), gd.ints("p")
			var l Layer
			switch gd.config["layer"] {
			case "maxpool1d":
				l = NewMaxPool1d(k[0], s[0], p[0])
			case "avgpool1d":
				l = NewAvgPool1d(k[0], s[0], p[0])
			case "maxpool2d":
				l = NewMaxPool2d([2]int{k[0], k[1]}, [2]int{s[0], s[1]}, [2]int{p[0], p[1]})
			case "avgpool2d":
				l = NewAvgPool2d([2]int{k[0], k[1]}, [2]int{s[0], s[1]}, [2]int{p[0], p[1]})
			}
			t.Logf("max relative error %.2g", coreCheckLayer(t, gd, Train, "", l.Forward, nil))
		})
	}
}

func TestPoolBadSizes(t *testing.T) {
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(1, 2, 5), G.WithName("x"))
	for _, l := range []Layer{NewMaxPool1d(3, 1, 2), NewMaxPool1d(8, 8, 0), NewAvgPool1d(0, 1, 0), NewMaxPool2d([2]int{2, 2}, [2]int{0, 0}, [2]int{0, 0})} {
		if _, err := l.Forward(g, x); err == nil {
			t.Errorf("%+v: want an error", l)
		}
	}
}

// TestMaxPool1dTies checks the one-row max pooling on what random data
// rarely holds: ties (the first wins), NaN (propagates; the first NaN's
// index), signed zeros (the first one's sign) and −Inf.
func TestMaxPool1dTies(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	x := []float32{
		1, 3, 3, 2, // tie: index 1
		-1, nan, 5, nan, // first NaN: index 5
		negZero, 0, -2, -3, // −0 first: index 8, value −0
		0, negZero, -2, -3, // +0 first: index 12
		-inf, -inf, -inf, -inf, // index 16
		7, 1, 2, nan, // NaN last: index 23
	}
	q := poolGeom{n: 1, c: 1, h: 1, w: len(x), kh: 1, kw: 4, sh: 1, sw: 4, oh: 1, ow: len(x) / 4}
	y, arg := make([]float32, q.ow), make([]int32, q.ow)
	poolForward(&q, true, x, y, arg, 0, 0, 1)
	wantArg := []int32{1, 5, 8, 12, 16, 23}
	for i, a := range arg {
		if a != wantArg[i] || math.Float32bits(y[i]) != math.Float32bits(x[a]) {
			t.Errorf("window %d: max %v at %d, want %v at %d", i, y[i], a, x[wantArg[i]], wantArg[i])
		}
	}
}

// TestMaxPool8 checks the windows-of-8 path (AVX2 where there is one)
// against a plain scan, on random windows with many ties and on the
// special cases of TestMaxPool1dTies.
func TestMaxPool8(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	x := []float32{
		1, 3, 3, 2, 0, 1, 3, 2, // tie
		-1, nan, 5, nan, 9, 9, 1, 2, // first NaN
		negZero, 0, -2, -3, 0, 0, 0, 0, // −0 first
		0, negZero, -2, -3, -1, -1, -1, -1, // +0 first
		-inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf,
		7, 1, 2, 9, 9, 1, 3, nan, // NaN last
		nan, nan, nan, nan, nan, nan, nan, nan,
		1, 2, 3, 4, 5, 6, 7, inf,
	}
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 8*300; i++ {
		x = append(x, float32(rng.Intn(5))-2) // small integers: ties
	}
	x = append(x, 1, 2, 3) // a partial window, dropped
	q := poolGeom{n: 1, c: 1, h: 1, w: len(x), kh: 1, kw: 8, sh: 1, sw: 8, oh: 1, ow: len(x) / 8}
	y, arg := make([]float32, q.ow), make([]int32, q.ow)
	poolForward(&q, true, x, y, arg, 0, 0, 1)
	for o := range y {
		w := x[8*o : 8*o+8]
		bi := 0
		for i, v := range w {
			if v != v {
				bi = i
				break
			}
			if v > w[bi] {
				bi = i
			}
		}
		if arg[o] != int32(8*o+bi) || math.Float32bits(y[o]) != math.Float32bits(w[bi]) {
			t.Fatalf("window %d %v: max %v at %d, want %v at %d", o, w, y[o], arg[o]-int32(8*o), w[bi], bi)
		}
	}
	idx := make([]int32, q.ow)
	poolArgmax8Go(x, idx)
	if poolAVX2 {
		idx2 := make([]int32, q.ow)
		poolArgmax8AVX2(&x[0], q.ow, &idx2[0])
		for i := range idx {
			if idx[i] != idx2[i] {
				t.Fatalf("window %d %v: AVX2 %d, Go %d", i, x[8*i:8*i+8], idx2[i], idx[i])
			}
		}
	}
}
