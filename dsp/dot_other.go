//go:build !amd64

package dsp

const useAVX = false

func dotAVX(w, x []float64) float64 { return dotGo(w, x) }

func dot4AVX(w, x []float64, stride int, r *[4]float64) {
	for q := range r {
		r[q] = dotGo(w, x[q*stride:])
	}
}
