package dsp

import (
	"fmt"
	"math"
	"testing"
)

func rmsOf(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(len(x)))
}

// Sines at whole-bin frequencies change by exactly the tilt's gain: +6.02
// dB per octave doubles 2 kHz, halves 500 Hz, keeps 1 kHz, and holds the
// level below 100 Hz at that of 100 Hz.
func TestTilter(t *testing.T) {
	const n, rate = 16000, 16000
	oct := 20 * math.Log10(2)
	tl := NewTilter(n, rate)
	for _, c := range []struct{ f, db, gain float64 }{
		{1000, oct, 1}, {2000, oct, 2}, {500, oct, 0.5}, {4000, -oct, 0.25}, {50, oct, 0.1}, {3000, 0, 1},
	} {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(2 * math.Pi * c.f * float64(i) / rate)
		}
		want := rmsOf(x) * c.gain
		tl.Apply(x, c.db)
		if got := rmsOf(x); math.Abs(got-want) > 1e-9*math.Max(1, want) {
			t.Errorf("%g Hz tilted %+.2f dB/octave: rms %.9f, want %.9f", c.f, c.db, got, want)
		}
	}
}

func ExampleTilter() {
	const n, rate = 8000, 8000
	x := make([]float64, n)
	for i := range x { // 1 kHz and 2 kHz at equal level
		x[i] = math.Sin(2*math.Pi*1000*float64(i)/rate) + math.Sin(2*math.Pi*2000*float64(i)/rate)
	}
	NewTilter(n, rate).Apply(x, -6) // 6 dB per octave duller
	spec := NewFFT(n).Forward(nil, x)
	db := func(f int) float64 { v := spec[f*n/rate]; return 20 * math.Log10(math.Hypot(real(v), imag(v))) }
	fmt.Printf("2 kHz against 1 kHz: %.1f dB\n", db(2000)-db(1000))
	// Output: 2 kHz against 1 kHz: -6.0 dB
}
