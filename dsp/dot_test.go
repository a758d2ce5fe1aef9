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
	t.Logf("AVX path: %v", useAVX)
}
