package dsp

// dot returns Σ w[i]·x[i] over len(w) ≤ len(x) terms, in an order fixed on
// every machine so that results do not depend on which path runs: sixteen
// partial sums, sum p taking the terms i ≡ p (mod 16) of the leading
// multiple of 16; the rest summed in order into a seventeenth; then the
// partial sums combined as the AVX kernel does (dot_amd64.s). The AVX path
// and dotGo give the same bits.
func dot(w, x []float64) float64 {
	x = x[:len(w)]
	if useAVX && len(w) >= 16 {
		return dotAVX(w, x)
	}
	return dotGo(w, x)
}

// dotGo is dot in plain Go. Each product is converted explicitly so that
// the compiler cannot fuse it with the addition (the AVX kernel does not).
func dotGo(w, x []float64) float64 {
	x = x[:len(w)]
	var a [16]float64
	i := 0
	for ; i+16 <= len(w); i += 16 {
		ww, xx := w[i:i+16:i+16], x[i:i+16:i+16]
		for p := range a {
			a[p] += float64(ww[p] * xx[p])
		}
	}
	var t float64
	for ; i < len(w); i++ {
		t += float64(w[i] * x[i])
	}
	var v [4]float64
	for l := range v {
		v[l] = (a[l] + a[4+l]) + (a[8+l] + a[12+l])
	}
	return ((v[0] + v[1]) + (v[2] + v[3])) + t
}
