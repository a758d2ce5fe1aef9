package fftkernel

import (
	"math"
	"math/bits"
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

// LastPower and LastSplit must give the bits of LastPassPower and
// LastPassSplit, AVX or not.
func TestLastPassesMatchGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, m := range []int{8, 16, 32, 64, 256, 1024} {
		h := m / 4
		z := make([]complex128, m)
		for i := range z {
			z[i] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		z[1] = complex(math.Copysign(0, -1), 0)
		tw := make([]complex128, 3*h)
		w1, w2, w3 := make([]complex128, h), make([]complex128, h), make([]complex128, h)
		for j := 0; j < h; j++ {
			a := -2 * math.Pi * float64(j) / float64(m)
			w1[j], w2[j], w3[j] = cmplx.Rect(1, a), cmplx.Rect(1, 2*a), cmplx.Rect(1, 3*a)
			tw[3*j], tw[3*j+1], tw[3*j+2] = w1[j], w2[j], w3[j]
		}
		post := make([]complex128, m/2+1)
		for k := range post {
			post[k] = cmplx.Rect(1, -math.Pi*float64(k)/float64(m))
		}
		wantBins := make([]complex128, m+1)
		LastPassSplit(wantBins, append([]complex128(nil), z...), tw, post)
		want := make([]float64, m+1)
		LastPassPower(want, append([]complex128(nil), z...), tw, post)
		for _, vec := range []bool{false, true} {
			if vec && !AVX {
				continue
			}
			useVec = vec
			got := make([]float64, m+1)
			LastPower(got, append([]complex128(nil), z...), tw, w1, w2, w3, post)
			bins := make([]complex128, m+1)
			LastSplit(bins, append([]complex128(nil), z...), tw, w1, w2, w3, post)
			useVec = AVX
			for k := range got {
				if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
					t.Fatalf("m %d vec %v: bin %d = %v, want %v", m, vec, k, got[k], want[k])
				}
				if !sameBits(bins[k], wantBins[k]) {
					t.Fatalf("m %d vec %v: complex bin %d = %v, want %v", m, vec, k, bins[k], wantBins[k])
				}
			}
		}
	}
}

// Load4 must give LoadFirst4's bits, AVX or not.
func TestLoad4MatchesGo(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, logm := range []int{2, 4, 6, 8, 10} {
		m := 1 << logm
		rev := make([]int32, m)
		for i := range rev {
			rev[i] = int32(bits.Reverse32(uint32(i)) >> (32 - logm))
		}
		frame, w := make([]float64, 2*m), make([]float64, 2*m)
		for i := range frame {
			frame[i], w[i] = rng.NormFloat64(), rng.Float64()
		}
		frame[3] = math.Copysign(0, -1)
		wperm := FirstWindow(w, rev, false)
		want := make([]complex128, m)
		LoadFirst4(want, frame, wperm, rev)
		for _, vec := range []bool{false, true} {
			if vec && !AVX {
				continue
			}
			useVec = vec
			got := make([]complex128, m)
			Load4(got, frame, wperm, rev)
			useVec = AVX
			for i := range got {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("m %d vec %v: z[%d] = %v, want %v", m, vec, i, got[i], want[i])
				}
			}
		}
	}
}

// The AVX load refuses an order pointing outside the frame (it would read
// beyond it) with a panic, whichever of its entries is wrong.
func TestLoad4RefusesBadOrder(t *testing.T) {
	if !AVX {
		t.Skip("no AVX")
	}
	const m = 16
	z := make([]complex128, m)
	frame, wperm := make([]float64, 2*m), make([]float64, 2*m)
	for _, bad := range []struct{ i, v int32 }{{0, m / 4}, {4, -1}, {12, 1 << 20}} {
		rev := make([]int32, m)
		rev[bad.i] = bad.v
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("rev[%d] = %d: no panic", bad.i, bad.v)
				}
			}()
			Load4(z, frame, wperm, rev)
		}()
	}
	Load4(z, frame, wperm, make([]int32, m)) // in range: no panic
}
