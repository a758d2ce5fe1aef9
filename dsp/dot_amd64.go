package dsp

import "github.com/avlearn/avlearn/dsp/internal/fftkernel"

// useAVX says whether the CPU and the operating system support AVX
// (256-bit float64 vectors).
var useAVX = fftkernel.AVX

// dotAVX is dotGo with 256-bit vectors; len(x) ≥ len(w) ≥ 8.
//
//go:noescape
func dotAVX(w, x []float64) float64

// dot4AVX is dot4 with 256-bit vectors; len(w) ≥ 8, stride ≥ 0 and
// len(x) ≥ 3·stride + len(w).
//
//go:noescape
func dot4AVX(w, x []float64, stride int, r *[4]float64)
