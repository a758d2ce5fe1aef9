package synth

import "math"

// Rand is the randomness Noise draws from; *rand.Rand of math/rand and of
// math/rand/v2 both provide it.
type Rand interface {
	Float64() float64
	NormFloat64() float64
}

// Noise returns n samples of non-speech background noise at rate Hz, RMS
// 0.05: a random blend of coloured noise (white noise through a random
// one-pole filter), a hum with a few harmonics and amplitude-modulated
// bursts. The same stream of r gives the same samples.
func Noise(r Rand, n, rate int) []float64 {
	x := make([]float64, n)
	a := 1.9*r.Float64() - 0.95 // low-pass for a > 0, high-pass for a < 0
	hum := 40 + 460*r.Float64()
	wh, ww, wb := r.Float64(), 0.3+r.Float64(), r.Float64()
	bf := 0.5 + 4*r.Float64() // burst rate in Hz
	ph := r.Float64() * 2 * math.Pi
	var y float64
	for i := range x {
		t := float64(i) / float64(rate)
		y = a*y + (1-math.Abs(a))*r.NormFloat64()
		var h float64
		for k := 1; k <= 4; k++ {
			h += math.Sin(2*math.Pi*hum*float64(k)*t+ph*float64(k)) / float64(k)
		}
		env := math.Max(0, math.Sin(2*math.Pi*bf*t+ph))
		x[i] = ww*y*4 + wh*0.3*h + wb*env*r.NormFloat64()*0.5
	}
	if v := rms(x); v > 0 {
		k := 0.05 / v
		for i := range x {
			x[i] *= k
		}
	}
	return x
}
