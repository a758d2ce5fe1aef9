package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dot gives the bits of dotGo on every length and alignment, and the
// value of a plain sum to rounding.
func TestDot(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w, x := make([]float64, 300), make([]float64, 310)
	for i := range w {
		w[i] = r.NormFloat64()
	}
	for i := range x {
		x[i] = r.NormFloat64() * 1e3
	}
	for n := 0; n <= len(w); n++ {
		for off := 0; off < 3; off++ {
			a, b := dot(w[:n], x[off:]), dotGo(w[:n], x[off:])
			if math.Float64bits(a) != math.Float64bits(b) {
				t.Fatalf("n %d off %d: dot %v, dotGo %v", n, off, a, b)
			}
			var s, m float64
			for i := 0; i < n; i++ {
				s += w[i] * x[off+i]
				m += math.Abs(w[i] * x[off+i])
			}
			if math.Abs(a-s) > 1e-14*m {
				t.Fatalf("n %d: dot %v, sum %v", n, a, s)
			}
		}
	}
	var r4 [4]float64
	for n := 0; n <= 60; n++ {
		for _, stride := range []int{0, 1, 7, 60} {
			dot4(w[:n], x[2:], stride, &r4)
			for q, got := range r4 {
				if want := dotGo(w[:n], x[2+q*stride:]); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("dot4 n %d stride %d sum %d: %v, dotGo %v", n, stride, q, got, want)
				}
			}
		}
	}
	t.Logf("AVX path: %v", useAVX)
}
