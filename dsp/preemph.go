package dsp

// PreEmphasis applies the first-order high-pass filter
// y[n] = x[n] − coef·x[n−1] with y[0] = x[0] (x[−1] taken as 0), as
// torchaudio.functional.preemphasis (torchaudio ≥ 2.0) and
// librosa.effects.preemphasis(y, coef=coef, zi=0). librosa's default zi
// extrapolates x[−1] from the first samples instead, so its first output
// sample differs. Typical coef is 0.97. A new slice is returned.
func PreEmphasis(x []float64, coef float64) []float64 {
	y := make([]float64, len(x))
	prev := 0.0
	for i, v := range x {
		y[i] = v - coef*prev
		prev = v
	}
	return y
}

// DeEmphasis inverts PreEmphasis: y[n] = x[n] + coef·y[n−1], with y[−1] = 0
// (torchaudio.functional.deemphasis).
func DeEmphasis(x []float64, coef float64) []float64 {
	y := make([]float64, len(x))
	prev := 0.0
	for i, v := range x {
		prev = v + coef*prev
		y[i] = prev
	}
	return y
}
