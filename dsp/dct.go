package dsp

import (
	"fmt"
	"math"
)

// maxMatrixValues bounds the filterbank and DCT matrices (2 GiB of float64),
// so absurd sizes are an error, not an overflowed or exhausted allocation.
const maxMatrixValues = 1 << 28

// DCTMatrix returns the DCT-II basis as an nMFCC × nMels row-major matrix:
// row k holds cos(π/nMels·(n+½)·k) for n = 0 … nMels−1, so that the k-th
// coefficient of a vector v is Σ_n D[k*nMels+n]·v[n].
//
// With ortho the rows are scaled to be orthonormal (√(2/nMels), and row 0 by
// a further 1/√2), which is scipy.fft.dct(type=2, norm="ortho") as used by
// librosa.feature.mfcc. Without it every row is multiplied by 2, scipy's
// unnormalised DCT-II. D is the transpose of
// torchaudio.functional.create_dct(nMFCC, nMels, norm) with norm "ortho" or
// None. It requires 1 ≤ nMFCC ≤ nMels.
func DCTMatrix(nMFCC, nMels int, ortho bool) ([]float64, error) {
	if nMels < 1 {
		return nil, fmt.Errorf("dsp: DCTMatrix: nMels = %d, want ≥ 1", nMels)
	}
	if nMFCC < 1 || nMFCC > nMels {
		return nil, fmt.Errorf("dsp: DCTMatrix: nMFCC = %d, want 1 … nMels (%d)", nMFCC, nMels)
	}
	if nMels > maxMatrixValues/nMFCC {
		return nil, fmt.Errorf("dsp: DCTMatrix: %d × %d exceeds %d values", nMFCC, nMels, maxMatrixValues)
	}
	d := make([]float64, nMFCC*nMels)
	scale := 2.0
	if ortho {
		scale = math.Sqrt(2 / float64(nMels))
	}
	for k := 0; k < nMFCC; k++ {
		s := scale
		if ortho && k == 0 {
			s /= math.Sqrt2
		}
		for n := 0; n < nMels; n++ {
			d[k*nMels+n] = s * math.Cos(math.Pi/float64(nMels)*(float64(n)+0.5)*float64(k))
		}
	}
	return d, nil
}

// DCT applies a DCTMatrix d (nMFCC × nMels) to every frame of a frame-major
// matrix x (frames × nMels) and returns frames × nMFCC values.
func DCT(d []float64, nMFCC int, x []float64, frames, nMels int) ([]float64, error) {
	return DCTTo(nil, d, nMFCC, x, frames, nMels)
}

// DCTTo is DCT writing into dst (frames × nMFCC), reused if its capacity
// suffices; dst must not overlap x.
func DCTTo(dst, d []float64, nMFCC int, x []float64, frames, nMels int) ([]float64, error) {
	switch {
	case nMFCC < 1 || nMels < 1 || frames < 0:
		return nil, fmt.Errorf("dsp: DCT: invalid sizes nMFCC=%d frames=%d nMels=%d", nMFCC, frames, nMels)
	case len(d) != nMFCC*nMels:
		return nil, fmt.Errorf("dsp: DCT: matrix has %d values, want nMFCC×nMels = %d×%d", len(d), nMFCC, nMels)
	case len(x) != frames*nMels:
		return nil, fmt.Errorf("dsp: DCT: input has %d values, want frames×nMels = %d×%d", len(x), frames, nMels)
	}
	if cap(dst) < frames*nMFCC {
		dst = make([]float64, frames*nMFCC)
	}
	out := dst[:frames*nMFCC]
	// Two frames × two coefficients at a time: four independent sums keep
	// the multiply-add units busy, and each runs over n in order, as it
	// would alone, so the values do not depend on the grouping.
	t := 0
	for ; t+2 <= frames; t += 2 {
		v0 := x[t*nMels : (t+1)*nMels]
		v1 := x[(t+1)*nMels : (t+2)*nMels]
		o0 := out[t*nMFCC : (t+1)*nMFCC]
		o1 := out[(t+1)*nMFCC : (t+2)*nMFCC]
		k := 0
		for ; k+2 <= nMFCC; k += 2 {
			r0 := d[k*nMels : (k+1)*nMels]
			r1 := d[(k+1)*nMels : (k+2)*nMels]
			r1 = r1[:len(r0)]
			v0, v1 := v0[:len(r0)], v1[:len(r0)]
			var s00, s01, s10, s11 float64
			for n, w0 := range r0 {
				w1 := r1[n]
				a, b := v0[n], v1[n]
				s00 += w0 * a
				s01 += w1 * a
				s10 += w0 * b
				s11 += w1 * b
			}
			o0[k], o0[k+1], o1[k], o1[k+1] = s00, s01, s10, s11
		}
		if k < nMFCC {
			o0[k] = dctDot(d[k*nMels:(k+1)*nMels], v0)
			o1[k] = dctDot(d[k*nMels:(k+1)*nMels], v1)
		}
	}
	for ; t < frames; t++ {
		v := x[t*nMels : (t+1)*nMels]
		for k := 0; k < nMFCC; k++ {
			out[t*nMFCC+k] = dctDot(d[k*nMels:(k+1)*nMels], v)
		}
	}
	return out, nil
}

// dctDot returns Σ_n row[n]·v[n], summed in order.
func dctDot(row, v []float64) float64 {
	v = v[:len(row)]
	var s float64
	for n, w := range row {
		s += w * v[n]
	}
	return s
}
