package nets

import "golang.org/x/sys/cpu"

var gemmHasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// gemmKernel6x16 is gemmKernelGo in AVX2+FMA assembly.
//
//go:noescape
func gemmKernel6x16(k int, a, b, c *float32, ldc int)

func gemmKernel(k int, a, b, c []float32, ldc int) {
	if gemmHasFMA && k > 0 {
		// Bounds are checked here once; the assembly trusts them.
		_ = a[k*gemmMR-1]
		_ = b[k*gemmNR-1]
		_ = c[(gemmMR-1)*ldc+gemmNR-1]
		gemmKernel6x16(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	gemmKernelGo(k, a, b, c, ldc)
}
