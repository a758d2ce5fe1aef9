package fftkernel

import (
	"math"
	"math/cmplx"
	"math/rand"
	"testing"
)

// Radix4Pass must give the Go passes' bits, AVX or not, for every h,
// with signed zeros, infinities and NaN among the values.
func TestRadix4PassMatchesGo(t *testing.T) {
	t.Logf("AVX: %v", AVX)
	rng := rand.New(rand.NewSource(1))
	special := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-310, 1e300}
	for _, h := range []int{1, 2, 3, 4, 6, 16, 64, 256} {
		for _, n := range []int{4 * h, 16 * h} {
			z := make([]complex128, n)
			for i := range z {
				re, im := rng.NormFloat64(), rng.NormFloat64()
				if rng.Intn(20) == 0 {
					re = special[rng.Intn(len(special))]
				}
				if rng.Intn(20) == 0 {
					im = special[rng.Intn(len(special))]
				}
				z[i] = complex(re, im)
			}
			w1, w2, w3 := make([]complex128, h), make([]complex128, h), make([]complex128, h)
			for j := range w1 {
				a := -2 * math.Pi * float64(j) / float64(4*h)
				w1[j], w2[j], w3[j] = cmplx.Rect(1, a), cmplx.Rect(1, 2*a), cmplx.Rect(1, 3*a)
			}
			want := append([]complex128(nil), z...)
			if h < 16 {
				Radix4Small(want, w1, w2, w3, h)
			} else {
				for g := 0; g < n; g += 4 * h {
					Radix4Group(want[g:g+h], want[g+h:g+2*h], want[g+2*h:g+3*h], want[g+3*h:g+4*h], w1, w2, w3)
				}
			}
			for _, vec := range []bool{false, true} {
				if vec && !AVX {
					continue
				}
				useVec = vec
				got := append([]complex128(nil), z...)
				Radix4Pass(got, w1, w2, w3, h)
				useVec = AVX
				for i := range got {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("h %d n %d vec %v: z[%d] = %v, want %v", h, n, vec, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// sameBits compares two complex values bit for bit, any NaN equal to any.
func sameBits(a, b complex128) bool {
	eq := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	return eq(real(a), real(b)) && eq(imag(a), imag(b))
}
