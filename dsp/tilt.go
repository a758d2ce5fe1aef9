package dsp

import (
	"fmt"
	"math"
)

// Tilter changes the spectral tilt of real signals of one length, as a
// microphone, a room or a voice brighter or duller than another would:
// frequency f is scaled by (f / 1 kHz)^(dB/20·log10 2), so the level
// changes by dB per octave about 1 kHz, and stays at its 100 Hz value
// below 100 Hz. The whole signal is filtered at once in the frequency
// domain (a circular filter whose impulse response is short, so the wrap
// at the ends is slight).
//
// A Tilter reuses its scratch space: it is not safe for concurrent use.
type Tilter struct {
	fft  *FFT
	logf []float64 // log2(max(f, 100 Hz) / 1 kHz) per bin
	c    []complex128
}

// NewTilter returns a Tilter for signals of n samples at rate Hz. It
// panics if n < 1 or rate < 1.
func NewTilter(n, rate int) *Tilter {
	if n < 1 || rate < 1 {
		panic(fmt.Sprintf("dsp: NewTilter: length %d, rate %d", n, rate))
	}
	t := &Tilter{fft: NewFFT(n), logf: make([]float64, n/2+1), c: make([]complex128, n/2+1)}
	for k := range t.logf {
		f := math.Max(100, float64(k)*float64(rate)/float64(n))
		t.logf[k] = math.Log2(f / 1000)
	}
	return t
}

// Apply tilts x in place by db per octave (positive: brighter). It panics
// if x does not have the Tilter's length.
func (t *Tilter) Apply(x []float64, db float64) {
	if len(x) != t.fft.Len() {
		panic(fmt.Sprintf("dsp: Tilter.Apply: %d samples, want %d", len(x), t.fft.Len()))
	}
	if db == 0 {
		return
	}
	c := t.fft.Forward(t.c, x)
	perOctave := db / (20 * math.Log10(2))
	for k := range c {
		c[k] *= complex(math.Exp2(perOctave*t.logf[k]), 0)
	}
	t.fft.Inverse(x, c)
}
