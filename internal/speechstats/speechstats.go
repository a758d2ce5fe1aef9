// Package speechstats measures speech the way a phonetician would compare
// it with published values for human speech: fundamental frequency,
// formants by linear prediction, speaking rate, the slope of the long-term
// average spectrum and the peak of the envelope's modulation spectrum.
// It works on mono sample slices and is used by synth's fidelity tests and
// report; the estimators are simple and documented so their limits are
// visible.
package speechstats

import (
	"math"
	"sort"

	"github.com/avlearn/avlearn/dsp"
)

// Frame layout of the frame-wise measures: 40 ms windows every 10 ms.
const (
	frameSec = 0.040
	hopSec   = 0.010
)

// F0Track returns one F0 estimate in Hz per 10 ms frame (0 where the
// frame is quiet or not clearly periodic): the lag in 60–450 Hz that
// maximises the normalised autocorrelation of a 40 ms frame, accepted when
// the correlation exceeds 0.6 and the frame's RMS is within 25 dB of the
// loudest frame's.
func F0Track(x []float64, rate int) []float64 {
	fl := int(frameSec * float64(rate))
	hop := int(hopSec * float64(rate))
	lo, hi := rate/450, rate/60
	n := 0
	if len(x) >= fl+hi {
		n = (len(x)-fl-hi)/hop + 1
	}
	out := make([]float64, n)
	peak := 0.0
	for i := 0; i < n; i++ {
		peak = math.Max(peak, rms(x[i*hop:i*hop+fl]))
	}
	thr := peak * math.Pow(10, -25.0/20)
	for i := 0; i < n; i++ {
		s := i * hop
		if rms(x[s:s+fl]) < thr {
			continue
		}
		e0 := energy(x[s : s+fl])
		corr := make([]float64, hi+1)
		for lag := lo; lag <= hi; lag++ {
			c := 0.0
			for k := 0; k < fl; k++ {
				c += x[s+k] * x[s+k+lag]
			}
			corr[lag] = c / (math.Sqrt(e0*energy(x[s+lag:s+lag+fl])) + 1e-12)
		}
		best := lo
		for lag := lo; lag <= hi; lag++ {
			if corr[lag] > corr[best] {
				best = lag
			}
		}
		// prefer the shortest lag whose peak is nearly as good (avoids
		// picking a multiple of the period)
		for lag := lo + 1; lag < best; lag++ {
			if corr[lag] >= corr[lag-1] && corr[lag] >= corr[lag+1] && corr[lag] > 0.93*corr[best] {
				best = lag
				break
			}
		}
		if corr[best] > 0.6 {
			out[i] = float64(rate) / float64(best)
		}
	}
	return out
}

// Median returns the median of the positive values of v (0 if none).
func Median(v []float64) float64 {
	var p []float64
	for _, x := range v {
		if x > 0 {
			p = append(p, x)
		}
	}
	if len(p) == 0 {
		return 0
	}
	sort.Float64s(p)
	return p[len(p)/2]
}

// Formants estimates F1–F3 (Hz) of a short, steady stretch of voiced
// speech (e.g. 30–50 ms from a vowel's middle): pre-emphasis, a Hamming
// window, linear prediction of order 2 + rate/1000 by the autocorrelation
// method, and the first three peaks of the LPC envelope above 150 Hz that
// are at least 200 Hz apart. ok is false when fewer than three peaks exist.
func Formants(x []float64, rate int) (f [3]float64, ok bool) {
	if len(x) < 64 {
		return f, false
	}
	order := 2 + rate/1000
	w := dsp.Hamming(len(x), false)
	y := make([]float64, len(x))
	for i := range x {
		prev := 0.0
		if i > 0 {
			prev = x[i-1]
		}
		y[i] = (x[i] - 0.97*prev) * w[i]
	}
	a, ok := lpc(y, order)
	if !ok {
		return f, false
	}
	// envelope 1/|A(e^{jω})| on a 5 Hz grid
	const step = 5.0
	nb := int(float64(rate) / 2 / step)
	env := make([]float64, nb)
	for k := range env {
		om := 2 * math.Pi * float64(k) * step / float64(rate)
		re, im := 1.0, 0.0
		for j, c := range a {
			s, co := math.Sincos(om * float64(j+1))
			re += c * co
			im -= c * s
		}
		env[k] = -math.Log(re*re + im*im)
	}
	n := 0
	last := -1e9
	for k := 1; k+1 < nb && n < 3; k++ {
		fk := float64(k) * step
		if fk < 150 || env[k] < env[k-1] || env[k] < env[k+1] || fk-last < 200 {
			continue
		}
		f[n] = fk
		last = fk
		n++
	}
	return f, n == 3
}

// lpc returns the prediction coefficients a[1..p] of x (x[n] ≈ −Σ a[j]
// x[n−j]) by Levinson–Durbin on the autocorrelation; false if x is silent.
func lpc(x []float64, p int) ([]float64, bool) {
	r := make([]float64, p+1)
	for lag := range r {
		for i := lag; i < len(x); i++ {
			r[lag] += x[i] * x[i-lag]
		}
	}
	if !(r[0] > 0) {
		return nil, false
	}
	r[0] *= 1 + 1e-9 // white-noise correction keeps the recursion stable
	a := make([]float64, p+1)
	a[0] = 1
	e := r[0]
	tmp := make([]float64, p+1)
	for i := 1; i <= p; i++ {
		acc := r[i]
		for j := 1; j < i; j++ {
			acc += a[j] * r[i-j]
		}
		k := -acc / e
		copy(tmp, a)
		for j := 1; j < i; j++ {
			a[j] = tmp[j] + k*tmp[i-j]
		}
		a[i] = k
		e *= 1 - k*k
		if !(e > 0) {
			return nil, false
		}
	}
	return a[1:], true
}

// bandEnvelopeDB returns the level in dB of each 25 ms frame (10 ms hop)
// in the band lo–hi Hz.
func bandEnvelopeDB(x []float64, rate int, lo, hi float64) []float64 {
	nfft := 512
	for nfft < int(0.025*float64(rate)) {
		nfft *= 2
	}
	win := int(0.025 * float64(rate))
	hop := int(hopSec * float64(rate))
	if len(x) < nfft {
		return nil
	}
	pow, frames, err := dsp.PowerSpectrogram(x, dsp.STFTConfig{NFFT: nfft, Hop: hop, WinLength: win, Window: dsp.Hann(win, true)}, 2, nil)
	if err != nil {
		return nil
	}
	bins := nfft/2 + 1
	out := make([]float64, frames)
	for t := 0; t < frames; t++ {
		s := 0.0
		for k := 0; k < bins; k++ {
			f := float64(k) * float64(rate) / float64(nfft)
			if f >= lo && f <= hi {
				s += pow[t*bins+k]
			}
		}
		out[t] = 10 * math.Log10(s+1e-12)
	}
	return out
}

// SpeakingRate counts syllable nuclei per second of speech: peaks of the
// 300–2500 Hz band level (10 ms frames, smoothed over 50 ms) that stand at
// least 3 dB above the dips on both sides and within 25 dB of the loudest
// frame, divided by the time from the first to the last frame within
// 25 dB of the loudest (so leading and trailing silence do not count, but
// pauses inside do).
func SpeakingRate(x []float64, rate int) float64 {
	env := bandEnvelopeDB(x, rate, 300, 2500)
	if len(env) < 5 {
		return 0
	}
	sm := make([]float64, len(env))
	for i := range env {
		s, n := 0.0, 0
		for j := max(0, i-2); j <= min(len(env)-1, i+2); j++ {
			s += env[j]
			n++
		}
		sm[i] = s / float64(n)
	}
	top := math.Inf(-1)
	for _, v := range sm {
		top = math.Max(top, v)
	}
	floor := top - 25
	first, last := -1, -1
	for i, v := range sm {
		if v >= floor {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if last <= first {
		return 0
	}
	count := 0
	for i := first; i <= last; i++ {
		if sm[i] < floor || (i > 0 && sm[i] < sm[i-1]) || (i+1 < len(sm) && sm[i] <= sm[i+1]) {
			continue
		}
		// the deepest dip before reaching a higher point, on each side
		dip := func(dir int) float64 {
			m := sm[i]
			for j := i + dir; j >= 0 && j < len(sm); j += dir {
				if sm[j] > sm[i] {
					break
				}
				m = math.Min(m, sm[j])
			}
			return m
		}
		if sm[i]-dip(-1) >= 3 && sm[i]-dip(1) >= 3 {
			count++
		}
	}
	return float64(count) / (float64(last-first+1) * hopSec)
}

// ModulationSpectrum returns the modulation spectrum of x at the
// frequencies freqs (Hz): the power spectrum of the broadband (100–4000 Hz)
// amplitude envelope in 10 ms frames from the first to the last frame
// within 30 dB of the loudest, divided by its mean (so clips of
// different level weigh the same when spectra are averaged), mean
// removed and Hann-windowed. It returns nil for signals under 80 ms.
func ModulationSpectrum(x []float64, rate int, freqs []float64) []float64 {
	env := trim(bandEnvelopeDB(x, rate, 100, 4000), 30)
	if len(env) < 8 {
		return nil
	}
	a := make([]float64, len(env))
	mean := 0.0
	for i, v := range env {
		a[i] = math.Pow(10, v/20)
		mean += a[i] / float64(len(a))
	}
	w := dsp.Hann(len(a), false)
	for i := range a {
		a[i] = (a[i]/mean - 1) * w[i]
	}
	out := make([]float64, len(freqs))
	for k, f := range freqs {
		re, im := 0.0, 0.0
		for i, v := range a {
			s, c := math.Sincos(2 * math.Pi * f * float64(i) * hopSec)
			re += v * c
			im += v * s
		}
		out[k] = (re*re + im*im) / float64(len(a))
	}
	return out
}

// trim drops the frames before the first and after the last frame within
// floor dB of the loudest.
func trim(env []float64, floor float64) []float64 {
	top := math.Inf(-1)
	for _, v := range env {
		top = math.Max(top, v)
	}
	first, last := -1, -1
	for i, v := range env {
		if v >= top-floor {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	return env[first : last+1]
}

// ModulationBands integrates the modulation spectrum of x over half-octave
// bands from 0.5 to 16 Hz (ten bands) and returns their geometric centres
// and powers. Band powers rise with bandwidth as an octave-band analysis
// (e.g. the speech transmission index's) does, so a smooth spectrum's peak
// is where most of the modulation energy per octave lies.
func ModulationBands(x []float64, rate int) (centres, power []float64) {
	const step = 0.05
	var freqs []float64
	for f := 0.5; f < 16; f += step {
		freqs = append(freqs, f)
	}
	ms := ModulationSpectrum(x, rate, freqs)
	if ms == nil {
		return nil, nil
	}
	for k := 0; k < 10; k++ {
		lo, hi := 0.5*math.Pow(2, float64(k)/2), 0.5*math.Pow(2, float64(k+1)/2)
		centres = append(centres, math.Sqrt(lo*hi))
		p := 0.0
		for i, f := range freqs {
			if f >= lo && f < hi {
				p += ms[i] * step
			}
		}
		power = append(power, p)
	}
	return centres, power
}

// Peak returns the x at which y is largest (0 for empty slices).
func Peak(x, y []float64) float64 {
	if len(y) == 0 {
		return 0
	}
	best := 0
	for i := range y {
		if y[i] > y[best] {
			best = i
		}
	}
	return x[best]
}

// LTASSlope returns the slope, in dB per octave, of a straight line fitted
// to the long-term average spectrum (loud 32 ms frames, within 30 dB of
// the loudest) against log2 frequency between lo and hi Hz.
func LTASSlope(x []float64, rate int, lo, hi float64) float64 {
	f, db := LTAS(x, rate)
	var sx, sy, sxx, sxy, n float64
	for i := range f {
		if f[i] < lo || f[i] > hi {
			continue
		}
		lx := math.Log2(f[i])
		sx += lx
		sy += db[i]
		sxx += lx * lx
		sxy += lx * db[i]
		n++
	}
	if n < 2 {
		return 0
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

// LTAS returns the long-term average spectrum of the loud frames of x
// (512-point periodic Hann frames with a half-frame hop at 16 kHz, scaled
// for other rates), as frequencies in Hz and levels in dB.
func LTAS(x []float64, rate int) (freq, db []float64) {
	n := 512 * rate / 16000
	if n < 16 || len(x) < n {
		return nil, nil
	}
	pow, frames, err := dsp.PowerSpectrogram(x, dsp.STFTConfig{NFFT: n, Hop: n / 2, Window: dsp.Hann(n, true)}, 2, nil)
	if err != nil {
		return nil, nil
	}
	bins := n/2 + 1
	level := make([]float64, frames)
	top := 0.0
	for t := range level {
		for k := 0; k < bins; k++ {
			level[t] += pow[t*bins+k]
		}
		top = math.Max(top, level[t])
	}
	sum := make([]float64, bins)
	for t := range level {
		if level[t] < top*1e-3 {
			continue
		}
		for k := range sum {
			sum[k] += pow[t*bins+k]
		}
	}
	freq = make([]float64, bins)
	db = make([]float64, bins)
	for k := range sum {
		freq[k] = float64(k) * float64(rate) / float64(n)
		db[k] = 10 * math.Log10(sum[k]+1e-20)
	}
	return freq, db
}

func rms(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return math.Sqrt(energy(x) / float64(len(x)))
}

func energy(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}
