package spectrogram

import (
	"math"
	"testing"

	"github.com/avlearn/avlearn/dsp"
)

// FuzzCompute: any Config either fails Validate with an error or computes
// and renders without panicking, with the shape the Config promises.
func FuzzCompute(f *testing.F) {
	f.Add(512, 160, 400, uint8(0), true, true, uint8(0), 2.0, 40, uint8(0), 0.0, 0.0, true, 80.0, 13, 3000)
	f.Add(64, 7, 64, uint8(2), false, false, uint8(1), 1.0, 0, uint8(1), 100.0, 7000.0, false, 0.0, 0, 64)
	f.Add(3, 1, 2, uint8(3), true, true, uint8(0), 2.0, 1, uint8(0), 0.0, 0.0, false, 0.0, 1, 2)
	f.Fuzz(func(t *testing.T, nfft, hop, win int, window uint8, periodic, center bool, pad uint8,
		power float64, mels int, scale uint8, fmin, fmax float64, db bool, topDB float64, mfcc, n int) {
		if nfft > 4096 || mels > 256 || n < 0 || n > 20000 || hop > 1<<20 {
			return // keep each run small; Validate's own bounds are tested elsewhere
		}
		c := Config{SampleRate: 8000, NFFT: nfft, Hop: hop, WinLength: win,
			Window:   []string{"hamming", "hann", "blackman", "rect", "kaiser"}[int(window)%5],
			Periodic: periodic, Center: center, Pad: dsp.PadMode(pad % 3), Power: power, NMels: mels,
			MelScale: dsp.MelScale(scale % 3), MelNorm: dsp.MelNorm(scale / 3 % 3), FMin: fmin, FMax: fmax,
			DB: db, TopDB: topDB, NMFCC: mfcc}
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(float64(i) * 0.3)
		}
		s, err := Compute(x, c)
		if err != nil {
			return
		}
		if c.Validate() != nil {
			t.Fatal("Compute accepted an invalid config")
		}
		if s.Bins != c.Bins() || len(s.Data) != s.Bins*s.Frames || s.Frames < 1 {
			t.Fatalf("%d×%d with %d values for %+v", s.Bins, s.Frames, len(s.Data), c)
		}
		if _, err := s.Image(RenderOptions{Axes: true, Width: 50, Height: 40}); err != nil {
			t.Fatal(err)
		}
	})
}
