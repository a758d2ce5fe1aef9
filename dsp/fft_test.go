package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

// fftNaiveRDFT is the O(n²) definition of the real DFT, with angles reduced
// modulo n so that it is accurate to a few ulps.
func fftNaiveRDFT(x []float64) []complex128 {
	n := len(x)
	out := make([]complex128, n/2+1)
	for k := range out {
		var re, im float64
		for j, v := range x {
			a := -2 * math.Pi * float64((j*k)%n) / float64(n)
			s, c := math.Sincos(a)
			re += v * c
			im += v * s
		}
		out[k] = complex(re, im)
	}
	return out
}

func fftRandSignal(r *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return x
}

func fftTestLengths() []int {
	var ns []int
	for n := 1; n <= 64; n++ {
		ns = append(ns, n)
	}
	// 400 = 2·(4·2·5·5), 441 = 3·3·7·7, 997 prime (Bluestein), 2310 uses
	// radices 3, 5, 7, 11; 248 = 2·4·31 the largest generic radix; 74 =
	// 2·37 and 1994 = 2·997 go through Bluestein for the half-length plan.
	return append(ns, 400, 441, 512, 1024, 997, 2048, 1000, 2310, 248, 74, 1994, 882)
}

func TestFFTMatchesNaiveDFT(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range fftTestLengths() {
		x := fftRandSignal(r, n)
		want := fftNaiveRDFT(x)
		f := NewFFT(n)
		if f.Len() != n || f.Bins() != n/2+1 {
			t.Fatalf("n=%d: Len %d Bins %d", n, f.Len(), f.Bins())
		}
		got := f.Forward(nil, x)
		if len(got) != len(want) {
			t.Fatalf("n=%d: %d bins, want %d", n, len(got), len(want))
		}
		var maxErr, maxRef float64
		for k := range want {
			maxErr = math.Max(maxErr, cmplx.Abs(got[k]-want[k]))
			maxRef = math.Max(maxRef, cmplx.Abs(want[k]))
		}
		if maxErr > 1e-12*maxRef*math.Log2(float64(n)+1) {
			t.Errorf("n=%d: max |FFT − DFT| = %g (max |X| %g)", n, maxErr, maxRef)
		}
	}
}

func TestFFTInverseRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range fftTestLengths() {
		x := fftRandSignal(r, n)
		f := NewFFT(n)
		y := f.Inverse(nil, f.Forward(nil, x))
		for j := range x {
			if math.Abs(y[j]-x[j]) > 1e-12 {
				t.Fatalf("n=%d: irfft(rfft(x))[%d] = %g, want %g", n, j, y[j], x[j])
			}
		}
	}
}

// TestFFTInverseMatchesNaive checks irfft against its definition on a
// spectrum that is not Hermitian-consistent at DC/Nyquist: those imaginary
// parts must be ignored, as numpy does.
func TestFFTInverseMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range fftTestLengths() {
		nb := n/2 + 1
		X := make([]complex128, nb)
		for k := range X {
			X[k] = complex(r.NormFloat64(), r.NormFloat64())
		}
		want := make([]float64, n)
		for j := range want {
			var s float64
			for k := 0; k < nb; k++ {
				a := 2 * math.Pi * float64((j*k)%n) / float64(n)
				sn, c := math.Sincos(a)
				v := real(X[k])*c - imag(X[k])*sn
				if k == 0 || (n%2 == 0 && k == n/2) {
					v = real(X[k]) * c
				} else {
					v *= 2
				}
				s += v
			}
			want[j] = s / float64(n)
		}
		got := NewFFT(n).Inverse(nil, X)
		for j := range want {
			if math.Abs(got[j]-want[j]) > 1e-12 {
				t.Fatalf("n=%d: irfft[%d] = %g, want %g", n, j, got[j], want[j])
			}
		}
	}
}

func TestFFTParseval(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{2, 7, 16, 400, 441, 512, 4096, 1009} {
		x := fftRandSignal(r, n)
		X := NewFFT(n).Forward(nil, x)
		var et, ef float64
		for _, v := range x {
			et += v * v
		}
		for k, v := range X {
			p := real(v)*real(v) + imag(v)*imag(v)
			if k == 0 || (n%2 == 0 && k == n/2) {
				ef += p
			} else {
				ef += 2 * p
			}
		}
		ef /= float64(n)
		if math.Abs(et-ef) > 1e-12*et {
			t.Errorf("n=%d: Σx² = %.15g, Σ|X|²/n = %.15g", n, et, ef)
		}
	}
}

func TestFFTPanicsOnWrongLength(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Forward with wrong length did not panic")
		}
	}()
	NewFFT(8).Forward(nil, make([]float64, 7))
}

// TestFFTPlanKinds pins which algorithm each length uses, so the lengths
// above really exercise every kernel.
func TestFFTPlanKinds(t *testing.T) {
	for _, tc := range []struct {
		n    int
		kind string
	}{
		{256, "pow2"}, {128, "pow2"}, {200, "[4 2 5 5]"}, {441, "[3 3 7 7]"},
		{1155, "[3 5 7 11]"}, {124, "[4 31]"}, {37, "bluestein"}, {997, "bluestein"},
	} {
		p := newCplan(tc.n)
		got := fmt.Sprint(p.radices)
		switch {
		case p.rev != nil:
			got = "pow2"
		case p.radices == nil && p.bn > 0:
			got = "bluestein"
		}
		if got != tc.kind {
			t.Errorf("plan(%d) = %s, want %s", tc.n, got, tc.kind)
		}
	}
}
