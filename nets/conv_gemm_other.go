//go:build !amd64

package nets

func gemmKernel(k int, a, b, c []float32, ldc int) { gemmKernelGo(k, a, b, c, ldc) }
