package nets

import "golang.org/x/sys/cpu"

var (
	gemmHasFMA    = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	gemmHasAVX512 = gemmHasFMA && cpu.X86.HasAVX512F
)

// gemmKernel6x16 is gemmKernelGo(6, …) in AVX2+FMA assembly.
//
//go:noescape
func gemmKernel6x16(k int, a, b, c *float32, ldc int)

// gemmKernel14x16 is gemmKernelGo(14, …) in AVX-512 assembly.
//
//go:noescape
func gemmKernel14x16(k int, a, b, c *float32, ldc int)

var (
	gemmAVX2   = gemmKernel{"avx2", 6, gemmAsm(6, gemmKernel6x16)}
	gemmAVX512 = gemmKernel{"avx512", 14, gemmAsm(14, gemmKernel14x16)}
)

// gemmAsm wraps an assembly kernel of mr rows with the bounds checks the
// assembly trusts.
func gemmAsm(mr int, kern func(k int, a, b, c *float32, ldc int)) func(k int, a, b, c []float32, ldc int) {
	return func(k int, a, b, c []float32, ldc int) {
		if k <= 0 {
			return
		}
		_ = a[k*mr-1]
		_ = b[k*gemmNR-1]
		_ = c[(mr-1)*ldc+gemmNR-1]
		kern(k, &a[0], &b[0], &c[0], ldc)
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
