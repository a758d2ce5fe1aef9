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
		for g := 0; g+4*h <= n; g += 4 * h {
			radix4GroupVec(z[g:g+h], z[g+h:g+2*h], z[g+2*h:g+3*h], z[g+3*h:g+4*h], w1, w2, w3)
		}
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
