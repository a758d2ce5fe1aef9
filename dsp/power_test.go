package dsp

import (
	"math"
	"math/rand"
	"testing"
)

// TestPowerSpectrogramMatchesSTFT checks the fused power path against
// |STFT|^p for every FFT path (powers of two, even and odd mixed radix,
// short transforms) and powers other than 2, bin by bin, DC and Nyquist
// included.
func TestPowerSpectrogramMatchesSTFT(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	x := make([]float64, 3000)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for _, n := range []int{6, 8, 10, 12, 64, 400, 441, 512} {
		c := STFTConfig{NFFT: n, Hop: n / 2, WinLength: n, Window: Hann(n, true), Center: true, Pad: PadReflect}
		s, err := STFT(x, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []float64{0.5, 1, 2, 3} {
			got, frames, err := PowerSpectrogram(x, c, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := s.Power(p)
			if frames != s.Frames || len(got) != len(want) {
				t.Fatalf("n_fft %d: %d frames (%d values), want %d (%d)", n, frames, len(got), s.Frames, len(want))
			}
			for i := range want {
				if d := math.Abs(got[i] - want[i]); d > 1e-9*(1+math.Abs(want[i])) {
					t.Fatalf("n_fft %d p %v: value %d (bin %d) = %v, want %v", n, p, i, i%s.Bins, got[i], want[i])
				}
			}
		}
	}
}
