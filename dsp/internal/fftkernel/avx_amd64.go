package fftkernel

// AVX says whether the CPU and the operating system support AVX (256-bit
// float64 vectors); package dsp reads it too.
var AVX = hasAVX()

// hasAVX reports CPUID's AVX and OSXSAVE bits and that the OS saves the
// YMM registers (XGETBV).
func hasAVX() bool

// radix4PassAVX is Radix4Pass on the groups of 4h values from z, two
// values per step; h is even, > 0, groups > 0, and the arrays hold
// groups·4h and h values.
//
//go:noescape
func radix4PassAVX(z, w1, w2, w3 *complex128, h, groups int)

// radix4PassVec is Radix4Pass with AVX; h is even and > 0. One call runs
// the whole pass: a call per group cost as much as the groups of 16
// values themselves.
func radix4PassVec(z, w1, w2, w3 []complex128, h int) {
	groups := len(z) / (4 * h)
	if groups == 0 {
		return
	}
	// Bounds are checked here once; the assembly trusts them.
	_, _, _, _ = z[groups*4*h-1], w1[h-1], w2[h-1], w3[h-1]
	radix4PassAVX(&z[0], &w1[0], &w2[0], &w3[0], h, groups)
}

// splitSquaresAVX is SplitSquares for bins 1 … 2·pairs and their
// mirrors m−k, two bins per step; 2·pairs ≤ m/2 − 2 and z, post, dst hold
// m, m/2+1 and m+1 values.
//
//go:noescape
func splitSquaresAVX(dst *float64, z, post *complex128, m, pairs int)

// splitSquaresVec is SplitSquares with AVX; len(z) ≥ 8 is a power of two.
func splitSquaresVec(dst []float64, z, post []complex128) {
	m := len(z)
	pairs := (m/2 - 2) / 2
	_, _ = dst[m], post[m/2]
	splitSquaresAVX(&dst[0], &z[0], &post[0], m, pairs)
	splitSquaresFrom(dst, z, post, 2*pairs+1)
}

// loadFirst4AVX is LoadFirst4 on m = len(z) values, m a multiple of 4;
// frame and wperm hold 2m values and rev m. It reports false, leaving z
// partly written, if rev[i] is outside [0, m/4) for some fourth i (it
// checks each before reading frame at 2·rev[i] … 2·rev[i] + 3m/2 + 1).
//
//go:noescape
func loadFirst4AVX(z *complex128, frame, wperm *float64, rev *int32, m int) bool

// loadFirst4Vec is LoadFirst4 with AVX; len(z) is a multiple of 4, ≥ 4.
func loadFirst4Vec(z []complex128, frame, wperm []float64, rev []int32) {
	m := len(z)
	_, _, _ = frame[2*m-1], wperm[2*m-1], rev[m-1]
	// The assembly checks each rev[i] it reads frame at (in a loop of
	// its own here, the check took a fifth of the load's time).
	if !loadFirst4AVX(&z[0], &frame[0], &wperm[0], &rev[0], m) {
		panic("fftkernel: LoadFirst4 order out of range")
	}
}

// splitAVX is Split for bins 1 … 2·pairs and their mirrors m−k, as
// splitSquaresAVX.
//
//go:noescape
func splitAVX(dst, z, post *complex128, m, pairs int)

// splitVec is Split with AVX; len(z) ≥ 8 is a power of two.
func splitVec(dst []complex128, z, post []complex128) {
	m := len(z)
	pairs := (m/2 - 2) / 2
	_, _ = dst[m], post[m/2]
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0)
	dst[m] = complex(real(z0)-imag(z0), 0)
	splitAVX(&dst[0], &z[0], &post[0], m, pairs)
	splitFrom(dst, z, post, 2*pairs+1)
}
