//go:build !amd64

package nets

func cpuGemmKernels() []gemmKernel { return []gemmKernel{gemmGo} }
