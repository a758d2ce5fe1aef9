package dsp

// useAVX says whether the CPU and the operating system support AVX
// (256-bit float64 vectors).
var useAVX = hasAVX()

// hasAVX reports CPUID's AVX and OSXSAVE bits and that the OS saves the
// YMM registers (XGETBV).
func hasAVX() bool

// dotAVX is dotGo with 256-bit vectors; len(x) ≥ len(w) ≥ 16.
//
//go:noescape
func dotAVX(w, x []float64) float64
