package separation

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// tilter tilts the spectrum of n-sample signals: every frequency f is
// scaled by (f / 1 kHz)^(dB/6.02), flat below 100 Hz, so that the level
// changes by dB per octave about 1 kHz. The signal is transformed whole
// (a circular filter: its impulse response is short, so the wrap at the
// ends is slight).
type tilter struct {
	fft  *fourier.FFT
	rate float64
	n    int
	c    []complex128
	logf []float64 // log2 of each bin's frequency over 1 kHz, clamped at 100 Hz
}

func newTilter(n, rate int) *tilter {
	t := &tilter{fft: fourier.NewFFT(n), rate: float64(rate), n: n, c: make([]complex128, n/2+1)}
	t.logf = make([]float64, n/2+1)
	for k := range t.logf {
		f := math.Max(100, float64(k)*t.rate/float64(n))
		t.logf[k] = math.Log2(f / 1000)
	}
	return t
}

// apply tilts x (of the tilter's length) in place by db per octave. Not
// safe for concurrent use.
func (t *tilter) apply(x []float64, db float64) {
	if db == 0 || len(x) != t.n {
		return
	}
	c := t.fft.Coefficients(t.c, x)
	for k := range c {
		c[k] *= complex(math.Exp2(db/(20*math.Log10(2))*t.logf[k]), 0)
	}
	t.fft.Sequence(x, c)
	scale(x, 1/float64(t.n))
}
