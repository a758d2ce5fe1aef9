package dsp

// dot returns Σ w[i]·x[i] over len(w) ≤ len(x) terms, in an order fixed on
// every machine so that results do not depend on which path runs: eight
// partial sums, sum p taking the terms i ≡ p (mod 8) of the leading
// multiple of 8; the rest summed in order into a ninth; then
// ((a0+a4)+(a1+a5)) + ((a2+a6)+(a3+a7)), plus the ninth. The AVX kernels
// (dot_amd64.s) and dotGo give the same bits.
func dot(w, x []float64) float64 {
	x = x[:len(w)]
	if useAVX && len(w) >= 8 {
		return dotAVX(w, x)
	}
	return dotGo(w, x)
}

// dot4 sets r[q] = dot(w, x[q·stride:]) for q = 0 … 3, loading each weight
// once for the four sums; x must hold 3·stride + len(w) values.
func dot4(w, x []float64, stride int, r *[4]float64) {
	x = x[:3*stride+len(w)]
	if useAVX && len(w) >= 8 && stride >= 0 {
		dot4AVX(w, x, stride, r)
		return
	}
	for q := range r {
		r[q] = dotGo(w, x[q*stride:])
	}
}

// dotGo is dot in plain Go. Each product is converted explicitly so that
// the compiler cannot fuse it with the addition (the AVX kernel does not).
func dotGo(w, x []float64) float64 {
	x = x[:len(w)]
	var a [8]float64
	i := 0
	for ; i+8 <= len(w); i += 8 {
		ww, xx := w[i:i+8:i+8], x[i:i+8:i+8]
		for p := range a {
			a[p] += float64(ww[p] * xx[p])
		}
	}
	var t float64
	for ; i < len(w); i++ {
		t += float64(w[i] * x[i])
	}
	return (((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]))) + t
}
