package fftkernel

// useVec turns the AVX passes on; tests turn it off to compare with Go.
var useVec = AVX

// Radix4Pass is one radix-4 pass over len(z)/(4h) groups of four
// sub-transforms of length h ≥ 2, w1, w2, w3 holding the h twiddles W^j,
// W^2j, W^3j. With AVX, two values per step in assembly that rounds as
// the Go passes do (same bits); otherwise Radix4Small or Radix4Group.
func Radix4Pass(z, w1, w2, w3 []complex128, h int) {
	n := len(z)
	if useVec && h%2 == 0 && h > 0 {
		radix4PassVec(z, w1, w2, w3, h)
		return
	}
	if h < 16 {
		Radix4Small(z, w1, w2, w3, h)
		return
	}
	for g := 0; g+4*h <= n; g += 4 * h {
		Radix4Group(z[g:g+h], z[g+h:g+2*h], z[g+2*h:g+3*h], z[g+3*h:g+4*h], w1, w2, w3)
	}
}

// LastPower computes what LastPassPower does, given also the last pass's
// twiddles as three arrays (w1, w2, w3 as for Radix4Pass). With AVX it
// runs the last pass with Radix4Pass, overwriting z, and then the split
// and squares two bins at a time, giving LastPassPower's bits; otherwise
// it is LastPassPower, which leaves z as it was.
func LastPower(dst []float64, z, tw, w1, w2, w3, post []complex128) {
	m := len(z)
	if !useVec {
		LastPassPower(dst, z, tw, post)
		return
	}
	Radix4Pass(z, w1, w2, w3, m/4)
	dst = dst[:m+1]
	v0, vm := real(z[0])+imag(z[0]), real(z[0])-imag(z[0])
	dst[0], dst[m] = v0*v0, vm*vm
	splitSquaresVec(dst, z, post)
}

// Load4 is LoadFirst4, with AVX when it can (same bits).
func Load4(z []complex128, frame, wperm []float64, rev []int32) {
	if useVec && len(z) >= 4 && len(z)%4 == 0 {
		loadFirst4Vec(z, frame, wperm, rev)
		return
	}
	LoadFirst4(z, frame, wperm, rev)
}

// LastSplit is LastPower for LastPassSplit: the complex bins, with
// LastPassSplit's bits.
func LastSplit(dst []complex128, z, tw, w1, w2, w3, post []complex128) {
	if !useVec {
		LastPassSplit(dst, z, tw, post)
		return
	}
	Radix4Pass(z, w1, w2, w3, len(z)/4)
	splitVec(dst, z, post)
}
