package separation

import (
	"math"
	"testing"
)

// TestTilter checks the tilt on sines at whole-bin frequencies: +6.02 dB
// per octave doubles 2 kHz, halves 500 Hz, keeps 1 kHz, and holds the
// level below 100 Hz at that of 100 Hz.
func TestTilter(t *testing.T) {
	const n, rate = 16000, 16000
	oct := 20 * math.Log10(2)
	tl := newTilter(n, rate)
	for _, c := range []struct{ f, db, gain float64 }{
		{1000, oct, 1}, {2000, oct, 2}, {500, oct, 0.5}, {4000, -oct, 0.25},
		{50, oct, 0.1}, {0, 0, 1},
	} {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * c.f * float64(i) / rate)
		}
		if c.f == 0 {
			for i := range x {
				x[i] = float64(i%7) - 3
			}
		}
		want := rms(x) * c.gain
		tl.apply(x, c.db)
		if got := rms(x); math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%g Hz tilted %+g dB/octave: rms %.6f, want %.6f", c.f, c.db, got, want)
		}
	}
}
