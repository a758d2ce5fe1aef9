package dsp

import (
	"math"
	"math/cmplx"
	"math/rand"
	"testing"
)

// voiceLike returns n samples at 16 kHz of a harmonic tone at f0 with a
// ±5 % vibrato, 8 harmonics at amplitude 0.1/h, plus a little noise.
func voiceLike(n int, f0 float64, seed int64) []float64 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float64, n)
	ph := 0.0
	for i := range x {
		f := f0 * (1 + 0.05*math.Sin(2*math.Pi*3*float64(i)/16000))
		ph += 2 * math.Pi * f / 16000
		for h := 1; h <= 8; h++ {
			x[i] += 0.1 / float64(h) * math.Sin(float64(h)*ph)
		}
		x[i] += 0.001 * r.NormFloat64()
	}
	return x
}

// maskSTFT is the analysis the mask tests use: 512-point FFT, 25 ms Hann
// window, 10 ms hop at 16 kHz, centred with zero padding.
var maskSTFT = STFTConfig{NFFT: 512, Hop: 160, WinLength: 400, Window: Hann(400, true), Center: true, Pad: PadConstant}

func mustSTFT(t *testing.T, x []float64) *ComplexSpectrogram {
	t.Helper()
	s, err := STFT(x, maskSTFT)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Compression raises every magnitude to p and keeps the phase;
// decompression undoes it.
func TestCompressSpectrogram(t *testing.T) {
	X := mustSTFT(t, voiceLike(4000, 140, 1))
	X.Data[3] = 0
	C := CompressSpectrogram(X, 0.3)
	if C.Bins != X.Bins || C.Frames != X.Frames || len(C.Data) != len(X.Data) {
		t.Fatalf("shape %d×%d (%d), want %d×%d (%d)", C.Bins, C.Frames, len(C.Data), X.Bins, X.Frames, len(X.Data))
	}
	if C.Data[3] != 0 {
		t.Fatalf("a zero bin became %v", C.Data[3])
	}
	back := DecompressSpectrogram(C, 0.3)
	for i, x := range X.Data {
		if x == 0 {
			continue
		}
		c := C.Data[i]
		if a := cmplx.Abs(x); math.Abs(cmplx.Abs(c)-math.Pow(a, 0.3)) > 1e-12*math.Max(1, math.Pow(a, 0.3)) {
			t.Fatalf("bin %d: |C| = %g, |X|^0.3 = %g", i, cmplx.Abs(c), math.Pow(a, 0.3))
		}
		if d := math.Abs(math.Remainder(cmplx.Phase(c)-cmplx.Phase(x), 2*math.Pi)); d > 1e-9 {
			t.Fatalf("bin %d: phase moved by %g", i, d)
		}
		if cmplx.Abs(back.Data[i]-x) > 1e-9*cmplx.Abs(x) {
			t.Fatalf("bin %d: decompressed %v, want %v", i, back.Data[i], x)
		}
	}
}

// An identity mask returns the mixture exactly, real or complex; the
// oracle complex mask S/X returns the source up to float32 rounding; a
// mask of the wrong length is refused.
func TestApplyMask(t *testing.T) {
	a, b := voiceLike(8000, 110, 3), voiceLike(8000, 210, 4)
	mix := make([]float64, len(a))
	for i := range mix {
		mix[i] = a[i] + b[i]
	}
	X, A := mustSTFT(t, mix), mustSTFT(t, a)
	ones := make([]float32, len(X.Data))
	for i := range ones {
		ones[i] = 1
	}
	for _, im := range [][]float32{nil, make([]float32, len(X.Data))} {
		Y, err := ApplyMask(X, ones, im)
		if err != nil {
			t.Fatal(err)
		}
		for i := range X.Data {
			if Y.Data[i] != X.Data[i] {
				t.Fatalf("identity mask (im %v): bin %d is %v, want %v", im != nil, i, Y.Data[i], X.Data[i])
			}
		}
	}
	re, im := make([]float32, len(X.Data)), make([]float32, len(X.Data))
	for i, x := range X.Data {
		if x != 0 {
			m := A.Data[i] / x
			re[i], im[i] = float32(real(m)), float32(imag(m))
		}
	}
	Y, err := ApplyMask(X, re, im)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range A.Data {
		if d := cmplx.Abs(Y.Data[i] - s); d > 1e-6*cmplx.Abs(s)+1e-12 { // float32 masks: ≈ 1e-7 relative
			t.Fatalf("oracle complex mask: bin %d is %v, want %v", i, Y.Data[i], s)
		}
	}
	if _, err := ApplyMask(X, ones[:10], nil); err == nil {
		t.Error("a short real mask was accepted")
	}
	if _, err := ApplyMask(X, ones, ones[:10]); err == nil {
		t.Error("a short imaginary part was accepted")
	}
}

// The ideal ratio masks of two sources sum to one in power wherever there
// is energy; sources of different shapes are refused.
func TestIdealRatioMasks(t *testing.T) {
	A, B := mustSTFT(t, voiceLike(12000, 110, 3)), mustSTFT(t, voiceLike(12000, 210, 4))
	irm, err := IdealRatioMasks([]*ComplexSpectrogram{A, B})
	if err != nil {
		t.Fatal(err)
	}
	for i := range irm[0] {
		p := float64(irm[0][i])*float64(irm[0][i]) + float64(irm[1][i])*float64(irm[1][i])
		if math.Abs(p-1) > 1e-5 && (A.Data[i] != 0 || B.Data[i] != 0) {
			t.Fatalf("IRM bin %d: m1²+m2² = %g", i, p)
		}
	}
	short := mustSTFT(t, voiceLike(8000, 110, 3))
	if _, err := IdealRatioMasks([]*ComplexSpectrogram{A, short}); err == nil {
		t.Error("sources of different lengths accepted")
	}
	if _, err := IdealRatioMasks(nil); err == nil {
		t.Error("no sources accepted")
	}
}

// The phase-sensitive mask minimises |m·X − S|² over real m in [0, 1] bin
// by bin: nudging it either way (within [0, 1]) never lowers the error.
func TestPhaseSensitiveMasksMinimiseLoss(t *testing.T) {
	n := 8000
	a, b := voiceLike(n, 120, 5), voiceLike(n, 190, 6)
	mix := make([]float64, n)
	for i := range mix {
		mix[i] = a[i] + b[i]
	}
	X := CompressSpectrogram(mustSTFT(t, mix), 0.3)
	A := CompressSpectrogram(mustSTFT(t, a), 0.3)
	B := CompressSpectrogram(mustSTFT(t, b), 0.3)
	masks, err := PhaseSensitiveMasks(X, []*ComplexSpectrogram{A, B})
	if err != nil {
		t.Fatal(err)
	}
	loss := func(m float64, x, s complex128) float64 {
		d := complex(m, 0)*x - s
		return real(d)*real(d) + imag(d)*imag(d)
	}
	inside := 0
	for j, S := range []*ComplexSpectrogram{A, B} {
		for i, x := range X.Data {
			m := float64(masks[j][i])
			if m < 0 || m > 1 {
				t.Fatalf("mask %d bin %d = %g, outside [0, 1]", j, i, m)
			}
			best := loss(m, x, S.Data[i])
			for _, d := range []float64{-1e-3, 1e-3} {
				if v := m + d; v >= 0 && v <= 1 && loss(v, x, S.Data[i]) < best-1e-12 {
					t.Fatalf("mask %d bin %d: %g has error %g, %g has %g", j, i, m, best, v, loss(v, x, S.Data[i]))
				}
			}
			if m > 0.05 && m < 0.95 {
				inside++
			}
		}
	}
	if inside < len(X.Data)/10 {
		t.Fatalf("only %d of %d mask values strictly inside (0, 1): the test checks little", inside, 2*len(X.Data))
	}
	// A lone source's mask is 1 wherever it has energy.
	lone, err := PhaseSensitiveMasks(A, []*ComplexSpectrogram{A})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range lone[0] {
		if A.Data[i] != 0 && math.Abs(float64(v)-1) > 1e-6 {
			t.Fatalf("lone source bin %d: mask %g", i, v)
		}
	}
	if _, err := PhaseSensitiveMasks(X, []*ComplexSpectrogram{A, mustSTFT(t, a[:4000])}); err == nil {
		t.Error("a source shorter than the mixture accepted")
	}
}
