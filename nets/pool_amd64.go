package nets

// poolAVX2 says whether poolArgmax8AVX2 can run.
var poolAVX2 = gemmHasFMA

// poolArgmax8AVX2 is poolArgmax8Go on n windows at x, writing idx[0:n].
//
//go:noescape
func poolArgmax8AVX2(x *float32, n int, idx *int32)
