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
