//go:build !amd64

package nets

const poolAVX2 = false

func poolArgmax8AVX2(x *float32, n int, idx *int32) { panic("nets: no AVX2") }
