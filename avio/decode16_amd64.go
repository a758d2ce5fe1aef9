package avio

import "golang.org/x/sys/cpu"

// decode16AVX sets dst[i] = int16 at src[2i:] / 32768 for i < n, n > 0 a
// multiple of 8: eight samples per step where Go takes one.
//
//go:noescape
func decode16AVX(dst *float64, src *byte, n int)

// decode16 decodes mono 16-bit samples: dst[i] from src[2i:2i+2].
func decode16(dst []float64, src []byte) {
	src = src[:2*len(dst)]
	if n := len(dst) &^ 7; n > 0 && cpu.X86.HasAVX {
		decode16AVX(&dst[0], &src[0], n)
		dst, src = dst[n:], src[2*n:]
	}
	decode16Go(dst, src)
}
