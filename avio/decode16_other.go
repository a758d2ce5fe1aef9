//go:build !amd64

package avio

// decode16 decodes mono 16-bit samples: dst[i] from src[2i:2i+2].
func decode16(dst []float64, src []byte) { decode16Go(dst, src[:2*len(dst)]) }
