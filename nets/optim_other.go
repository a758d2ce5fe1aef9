//go:build !amd64

package nets

const adamAVX = false

func adamKernelAVX(w, g, m, v []float32, k *adamScalars) { adamUpdateGo(w, g, m, v, k) }
