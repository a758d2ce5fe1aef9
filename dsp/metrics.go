package dsp

import (
	"fmt"
	"math"
)

// SNR returns the signal-to-noise ratio of an estimate in dB, taking
// everything that differs from the reference as noise:
//
//	SNR = 10·log10( Σ ref² / Σ (ref − est)² )
//
// It is +Inf when est equals ref. The slices must have the same, non-zero
// length and ref must not be all zeros.
func SNR(ref, est []float64) (float64, error) {
	if err := metricsCheck("SNR", ref, est); err != nil {
		return 0, err
	}
	var s, e float64
	for i, r := range ref {
		s += r * r
		d := r - est[i]
		e += d * d
	}
	return metricsDB(s, e), nil
}

// SISDR returns the scale-invariant signal-to-distortion ratio in dB of Le
// Roux, Wisdom, Erdogan and Hershey, "SDR – half-baked or well done?"
// (ICASSP 2019). Both signals are made zero-mean, the reference is scaled by
// α = ⟨est, ref⟩/⟨ref, ref⟩ to the best-fitting target t = α·ref, and
//
//	SI-SDR = 10·log10( Σ t² / Σ (est − t)² )
//
// so a change of gain of the estimate does not change it. The slices must
// have the same, non-zero length and ref must not be constant.
func SISDR(ref, est []float64) (float64, error) {
	if err := metricsCheck("SISDR", ref, est); err != nil {
		return 0, err
	}
	var mr, me float64
	for i := range ref {
		mr += ref[i]
		me += est[i]
	}
	mr /= float64(len(ref))
	me /= float64(len(ref))
	var dot, rr float64
	for i := range ref {
		r, e := ref[i]-mr, est[i]-me
		dot += r * e
		rr += r * r
	}
	if rr == 0 {
		return 0, fmt.Errorf("dsp: SISDR: reference is constant (zero after removing its mean)")
	}
	alpha := dot / rr
	var ts, ns float64
	for i := range ref {
		tgt := alpha * (ref[i] - mr)
		d := est[i] - me - tgt
		ts += tgt * tgt
		ns += d * d
	}
	return metricsDB(ts, ns), nil
}

// SDR returns the signal-to-distortion ratio in dB of BSS Eval (Vincent,
// Gribonval and Févotte 2006) for one source: the estimate is projected onto
// the span of the reference delayed by 0 … filterLen−1 samples (so a fixed
// FIR filtering of the reference, up to filterLen taps, counts as signal, not
// distortion), and
//
//	SDR = 10·log10( Σ proj² / Σ (est − proj)² )
//
// over len(ref)+filterLen−1 samples (the estimate padded with zeros).
// filterLen = 512 is bss_eval_sources of BSS Eval v3 / mir_eval for a single
// source; filterLen = 1 allows a gain only (SI-SDR without removing the
// means). The correlations and the projection use FFTs of a power of two ≥
// len+filterLen−1 (as mir_eval does) and the filter is found by Levinson
// recursion, O(filterLen²). The slices must have the same, non-zero length;
// ref must not be all zeros.
func SDR(ref, est []float64, filterLen int) (float64, error) {
	if err := metricsCheck("SDR", ref, est); err != nil {
		return 0, err
	}
	if filterLen < 1 || filterLen > 8192 {
		return 0, fmt.Errorf("dsp: SDR: filterLen = %d, want 1 … 8192", filterLen)
	}
	n, l := len(ref), filterLen
	// Linear correlations and the final convolution by FFT of a length
	// with room for n+l−1 samples, so nothing wraps around.
	nfft := 1
	for nfft < n+l-1 {
		nfft *= 2
	}
	fft := NewFFT(nfft)
	buf := make([]float64, nfft)
	copy(buf, ref)
	R := fft.Forward(nil, buf)
	clear(buf)
	copy(buf, est)
	E := fft.Forward(nil, buf)
	P := make([]complex128, len(R))
	// Normal equations T h = c: T is the Toeplitz autocorrelation of ref
	// at lags 0 … l−1, c the cross-correlation Σ_i ref[i]·est[i+k].
	for k, r := range R {
		P[k] = complex(real(r)*real(r)+imag(r)*imag(r), 0)
	}
	auto := append([]float64(nil), fft.Inverse(buf, P)[:l]...)
	for k, r := range R {
		P[k] = complex(real(r), -imag(r)) * E[k]
	}
	cross := append([]float64(nil), fft.Inverse(buf, P)[:l]...)
	h, ok := metricsLevinson(auto, cross)
	if !ok {
		return 0, fmt.Errorf("dsp: SDR: the %d delayed copies of the reference are numerically dependent; use a smaller filterLen", l)
	}
	// The projection: ref filtered by h, n+l−1 samples.
	clear(buf)
	copy(buf, h)
	H := fft.Forward(P, buf)
	for k := range H {
		H[k] *= R[k]
	}
	proj := fft.Inverse(buf, H)[:n+l-1]
	var ps, es float64
	for m, p := range proj {
		e := -p
		if m < n {
			e += est[m]
		}
		ps += p * p
		es += e * e
	}
	return metricsDB(ps, es), nil
}

// metricsLevinson solves T x = y for the symmetric Toeplitz matrix T with
// first row t by the Levinson recursion in O(n²). It reports false if T is
// not (numerically) positive definite.
func metricsLevinson(t, y []float64) ([]float64, bool) {
	n := len(t)
	if !(t[0] > 0) {
		return nil, false
	}
	f := make([]float64, 1, n) // T_k f = e_1; the backward vector is f reversed
	x := make([]float64, 1, n)
	f[0] = 1 / t[0]
	x[0] = y[0] / t[0]
	nf := make([]float64, n)
	for k := 1; k < n; k++ {
		var ef, ex float64
		for i := 0; i < k; i++ {
			ef += t[k-i] * f[i]
			ex += t[k-i] * x[i]
		}
		d := 1 - ef*ef
		if !(d > 1e-14) {
			return nil, false
		}
		// f' = ([f;0] − ef·[0;reverse(f)]) / d
		nf = nf[:k+1]
		for i := 0; i <= k; i++ {
			v := 0.0
			if i < k {
				v = f[i]
			}
			if i > 0 {
				v -= ef * f[k-i]
			}
			nf[i] = v / d
		}
		f = f[:k+1]
		copy(f, nf)
		// x' = [x;0] + (y_k − ex)·reverse(f')
		x = append(x, 0)
		g := y[k] - ex
		for i := 0; i <= k; i++ {
			x[i] += g * f[k-i]
		}
	}
	return x, true
}

func metricsCheck(name string, ref, est []float64) error {
	if len(ref) != len(est) {
		return fmt.Errorf("dsp: %s: reference has %d samples, estimate %d", name, len(ref), len(est))
	}
	if len(ref) == 0 {
		return fmt.Errorf("dsp: %s: empty signals", name)
	}
	for _, r := range ref {
		if r != 0 {
			return nil
		}
	}
	return fmt.Errorf("dsp: %s: reference is all zeros", name)
}

func metricsDB(signal, noise float64) float64 {
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(signal/noise)
}
