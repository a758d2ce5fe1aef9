//go:build !amd64

package fftkernel

// AVX is false off amd64: the passes are plain Go.
const AVX = false

// radix4PassVec is never called off amd64 (useVec is false).
func radix4PassVec(z, w1, w2, w3 []complex128, h int) { Radix4Small(z, w1, w2, w3, h) }

// splitSquaresVec is never called off amd64 (useVec is false).
func splitSquaresVec(dst []float64, z, post []complex128) { SplitSquares(dst, z, post) }

// loadFirst4Vec is never called off amd64 (useVec is false).
func loadFirst4Vec(z []complex128, frame, wperm []float64, rev []int32) {
	LoadFirst4(z, frame, wperm, rev)
}

// splitVec is never called off amd64 (useVec is false).
func splitVec(dst []complex128, z, post []complex128) { Split(dst, z, post) }
