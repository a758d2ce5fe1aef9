package dsp

import (
	"fmt"
	"math"
	"strings"
)

// Windows follow torch.*_window and scipy.signal.get_window: a periodic
// window of length n is the symmetric window of length n+1 without its last
// sample (scipy fftbins=True, torch periodic=True), which is what an STFT
// wants; a symmetric window is used for filter design. n ≤ 0 gives an empty
// window and n == 1 gives [1], as in torch.

// windowCosine returns a0 − a1·cos(2πi/d) + a2·cos(4πi/d) for i in [0, n),
// where d = n (periodic) or n−1 (symmetric).
func windowCosine(n int, periodic bool, a0, a1, a2 float64) []float64 {
	if n <= 0 {
		return []float64{}
	}
	w := make([]float64, n)
	if n == 1 {
		w[0] = 1
		return w
	}
	d := float64(n - 1)
	if periodic {
		d = float64(n)
	}
	// Same operation order as torch: i·(2π/d), then cos.
	step := 2 * math.Pi / d
	for i := range w {
		x := float64(i) * step
		v := a0 - a1*math.Cos(x)
		if a2 != 0 {
			v += a2 * math.Cos(2*x)
		}
		w[i] = v
	}
	return w
}

// Hamming returns the Hamming window 0.54 − 0.46·cos(2πi/d) of length n
// (torch.hamming_window). periodic selects d = n (the STFT convention,
// torch's default); otherwise d = n−1 and the window is symmetric.
func Hamming(n int, periodic bool) []float64 {
	return windowCosine(n, periodic, 0.54, 0.46, 0)
}

// Hann returns the Hann window 0.5 − 0.5·cos(2πi/d) of length n
// (torch.hann_window); periodic as for Hamming.
func Hann(n int, periodic bool) []float64 {
	return windowCosine(n, periodic, 0.5, 0.5, 0)
}

// Blackman returns the Blackman window 0.42 − 0.5·cos(2πi/d) + 0.08·cos(4πi/d)
// of length n (torch.blackman_window); periodic as for Hamming.
func Blackman(n int, periodic bool) []float64 {
	return windowCosine(n, periodic, 0.42, 0.5, 0.08)
}

// Rectangular returns n ones (scipy's boxcar). It is the window an STFT
// uses when none is given.
func Rectangular(n int) []float64 {
	if n <= 0 {
		return []float64{}
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// WindowByName returns the named window of length n: "hamming", "hann"
// (alias "hanning"), "blackman", or "rect" (aliases "rectangular",
// "boxcar", "ones"). Names are case-insensitive; periodic is ignored for the
// rectangular window. An unknown name or a negative n is an error.
func WindowByName(name string, n int, periodic bool) ([]float64, error) {
	if n < 0 {
		return nil, fmt.Errorf("dsp: window %q: negative length %d", name, n)
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "hamming":
		return Hamming(n, periodic), nil
	case "hann", "hanning":
		return Hann(n, periodic), nil
	case "blackman":
		return Blackman(n, periodic), nil
	case "rect", "rectangular", "boxcar", "ones":
		return Rectangular(n), nil
	}
	return nil, fmt.Errorf("dsp: unknown window %q (want hamming, hann, blackman or rect)", name)
}
