package nets

// adamAVX says whether adamKernelAVX can run (it needs AVX and FMA, as the
// GEMM kernel does).
var adamAVX = gemmHasFMA

// adamKernelAVX is adamUpdateGo on eight elements at a time; len(w) is a
// multiple of 8 and g, m, v are as long.
//
//go:noescape
func adamKernelAVX(w, g, m, v []float32, k *adamScalars)
