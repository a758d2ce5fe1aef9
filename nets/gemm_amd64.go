package nets

import "golang.org/x/sys/cpu"

var (
	gemmHasFMA    = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	gemmHasAVX512 = gemmHasFMA && cpu.X86.HasAVX512F
)

// gemmKernel6x16 is gemmKernelGo(6, …) in AVX2+FMA assembly.
//
//go:noescape
func gemmKernel6x16(k int, a, b, c *float32, ldb, ldc int, store bool)

// gemmKernel14x16 is gemmKernelGo(14, …) in AVX-512 assembly.
//
//go:noescape
func gemmKernel14x16(k int, a, b, c *float32, ldb, ldc int, store bool)

// The row costs are measured on AMD Zen 4, which splits each 512-bit FMA
// in two: there the 14-row kernel does 1024² at about 7/8 of the 6-row
// kernel's flops per second (BenchmarkSgemm), so it is picked only when it
// pads the rows much less (m = 13 or 14). On CPUs with two full 512-bit
// FMA units it would be the faster one; its cost there is not measured.
var (
	gemmAVX2   = gemmKernel{"avx2", 6, 7, gemmAsm(6, gemmKernel6x16)}
	gemmAVX512 = gemmKernel{"avx512", 14, 8, gemmAsm(14, gemmKernel14x16)}
)

// gemmAsm wraps an assembly kernel of mr rows with the bounds checks the
// assembly trusts.
func gemmAsm(mr int, kern func(k int, a, b, c *float32, ldb, ldc int, store bool)) func(k int, a, b, c []float32, ldb, ldc int, store bool) {
	return func(k int, a, b, c []float32, ldb, ldc int, store bool) {
		if k <= 0 {
			return
		}
		_ = a[k*mr-1]
		_ = b[(k-1)*ldb+gemmNR-1]
		_ = c[(mr-1)*ldc+gemmNR-1]
		kern(k, &a[0], &b[0], &c[0], ldb, ldc, store)
	}
}

func cpuGemmKernels() []gemmKernel {
	switch {
	case gemmHasAVX512:
		return []gemmKernel{gemmAVX512, gemmAVX2}
	case gemmHasFMA:
		return []gemmKernel{gemmAVX2}
	}
	return []gemmKernel{gemmGo}
}
