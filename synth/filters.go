package synth

import "math"

// resonator is a second-order IIR resonator with unit gain at 0 Hz (Klatt):
// y[n] = a·x[n] + b·y[n−1] + c·y[n−2].
type resonator struct{ a, b, c, y1, y2 float64 }

func (r *resonator) set(f, bw float64) {
	const T = 1.0 / SpeechRate
	r.c = -math.Exp(-2 * math.Pi * bw * T)
	r.b = 2 * math.Exp(-math.Pi*bw*T) * math.Cos(2*math.Pi*f*T)
	r.a = 1 - r.b - r.c
}

func (r *resonator) step(x float64) float64 {
	y := r.a*x + r.b*r.y1 + r.c*r.y2
	r.y2, r.y1 = r.y1, y
	return y
}

// antiresonator is the inverse of a resonator (a pair of zeros, unit gain
// at 0 Hz), used for the nasal antiformant: y[n] = a·x[n] + b·x[n−1] + c·x[n−2].
type antiresonator struct{ a, b, c, x1, x2 float64 }

func (r *antiresonator) set(f, bw float64) {
	var p resonator
	p.set(f, bw)
	r.a, r.b, r.c = 1/p.a, -p.b/p.a, -p.c/p.a
}

func (r *antiresonator) step(x float64) float64 {
	y := r.a*x + r.b*r.x1 + r.c*r.x2
	r.x2, r.x1 = r.x1, x
	return y
}

// bandpass is a second-order band-pass filter with unit gain at its centre
// frequency (the audio-EQ-cookbook form), for shaping noise.
type bandpass struct{ b0, a1, a2, x1, x2, y1, y2 float64 }

func (p *bandpass) set(f, bw float64, rate float64) {
	f = math.Min(f, 0.47*rate)
	w := 2 * math.Pi * f / rate
	alpha := math.Sin(w) / (2 * f / bw)
	a0 := 1 + alpha
	p.b0 = alpha / a0
	p.a1 = -2 * math.Cos(w) / a0
	p.a2 = (1 - alpha) / a0
}

func (p *bandpass) step(x float64) float64 {
	y := p.b0*(x-p.x2) - p.a1*p.y1 - p.a2*p.y2
	p.x2, p.x1 = p.x1, x
	p.y2, p.y1 = p.y1, y
	return y
}
