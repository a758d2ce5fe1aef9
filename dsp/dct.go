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
	switch {
	case nMFCC < 1 || nMels < 1 || frames < 0:
		return nil, fmt.Errorf("dsp: DCT: invalid sizes nMFCC=%d frames=%d nMels=%d", nMFCC, frames, nMels)
	case len(d) != nMFCC*nMels:
		return nil, fmt.Errorf("dsp: DCT: matrix has %d values, want nMFCC×nMels = %d×%d", len(d), nMFCC, nMels)
	case len(x) != frames*nMels:
		return nil, fmt.Errorf("dsp: DCT: input has %d values, want frames×nMels = %d×%d", len(x), frames, nMels)
	}
	out := make([]float64, frames*nMFCC)
	for t := 0; t < frames; t++ {
		v := x[t*nMels : (t+1)*nMels]
		for k := 0; k < nMFCC; k++ {
			row := d[k*nMels : (k+1)*nMels]
			var s float64
			for n, w := range row {
				s += w * v[n]
			}
			out[t*nMFCC+k] = s
		}
	}
	return out, nil
}
