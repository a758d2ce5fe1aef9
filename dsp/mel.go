package dsp

import (
	"fmt"
	"math"
	"strings"
)

// MelScale selects the formula that maps frequency in hertz to mels.
type MelScale int

const (
	// MelHTK is the HTK formula m = 2595·log10(1 + f/700), the default of
	// torchaudio (mel_scale="htk") and of librosa with htk=True.
	MelHTK MelScale = iota
	// MelSlaney is the Auditory Toolbox scale of Malcolm Slaney: linear
	// below 1 kHz (3 mels per 200 Hz), logarithmic above. It is librosa's
	// default (htk=False) and torchaudio's mel_scale="slaney".
	MelSlaney
)

// String returns "htk" or "slaney", the names torchaudio uses.
func (s MelScale) String() string {
	switch s {
	case MelHTK:
		return "htk"
	case MelSlaney:
		return "slaney"
	}
	return fmt.Sprintf("MelScale(%d)", int(s))
}

// ParseMelScale parses "htk" or "slaney" (case-insensitive).
func ParseMelScale(s string) (MelScale, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "htk":
		return MelHTK, nil
	case "slaney":
		return MelSlaney, nil
	}
	return 0, fmt.Errorf("dsp: unknown mel scale %q (want htk or slaney)", s)
}

// MelNorm selects how the triangular mel filters are scaled.
type MelNorm int

const (
	// MelNormNone leaves every triangle with a peak of 1 (torchaudio's
	// default norm=None; librosa norm=None).
	MelNormNone MelNorm = iota
	// MelNormSlaney divides each triangle by its width in hertz over two,
	// so every filter has the same area (torchaudio norm="slaney"; librosa's
	// default norm="slaney").
	MelNormSlaney
)

// String returns "none" or "slaney".
func (n MelNorm) String() string {
	switch n {
	case MelNormNone:
		return "none"
	case MelNormSlaney:
		return "slaney"
	}
	return fmt.Sprintf("MelNorm(%d)", int(n))
}

// ParseMelNorm parses "none" (or the empty string) and "slaney"
// (case-insensitive).
func ParseMelNorm(s string) (MelNorm, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return MelNormNone, nil
	case "slaney":
		return MelNormSlaney, nil
	}
	return 0, fmt.Errorf("dsp: unknown mel norm %q (want none or slaney)", s)
}

// Constants of the Slaney scale: linear with 200/3 Hz per mel up to
// 1 kHz (15 mels), then a constant ratio of 6.4^(1/27) per mel.
const (
	melSlaneyHzPerMel = 200.0 / 3
	melSlaneyBreakHz  = 1000.0
	melSlaneyBreakMel = melSlaneyBreakHz / melSlaneyHzPerMel
)

var melSlaneyLogStep = math.Log(6.4) / 27

// HzToMel converts a frequency in hertz to mels on the given scale.
func HzToMel(f float64, scale MelScale) float64 {
	if scale == MelHTK {
		return 2595 * math.Log10(1+f/700)
	}
	if f >= melSlaneyBreakHz {
		return melSlaneyBreakMel + math.Log(f/melSlaneyBreakHz)/melSlaneyLogStep
	}
	return f / melSlaneyHzPerMel
}

// MelToHz converts mels to a frequency in hertz; it inverts HzToMel.
func MelToHz(m float64, scale MelScale) float64 {
	if scale == MelHTK {
		return 700 * (math.Pow(10, m/2595) - 1)
	}
	if m >= melSlaneyBreakMel {
		return melSlaneyBreakHz * math.Exp(melSlaneyLogStep*(m-melSlaneyBreakMel))
	}
	return m * melSlaneyHzPerMel
}

// MelFilterbank returns nMels triangular filters over the nFFT/2+1 bins of a
// one-sided spectrum, as an nMels × (nFFT/2+1) row-major matrix: row i holds
// filter i, and the mel band energy of a power spectrum P is Σ_k fb[i*bins+k]·P[k].
//
// The filters have their edges at nMels+2 points equally spaced in mels
// between HzToMel(fmin) and HzToMel(fmax); bin k sits at k·sampleRate/nFFT Hz.
// This is librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm) and
// the transpose of torchaudio.functional.melscale_fbanks(nFFT/2+1, fmin,
// fmax, nMels, sampleRate, norm, mel_scale). (torchaudio places the bins at
// linspace(0, sampleRate//2, bins), which differs from k·sampleRate/nFFT only
// for an odd integer sample rate or an odd nFFT.) librosa's defaults are
// MelSlaney with MelNormSlaney; torchaudio's are MelHTK with MelNormNone.
//
// When nMels is large for nFFT, the lowest filters can fall between two bins
// and be all zero (torchaudio and librosa warn about it); they are returned
// as they are.
//
// It requires nFFT ≥ 2, sampleRate > 0, nMels ≥ 1 and
// 0 ≤ fmin < fmax ≤ sampleRate/2.
func MelFilterbank(nFFT int, sampleRate, fmin, fmax float64, nMels int, scale MelScale, norm MelNorm) ([]float64, error) {
	switch {
	case nFFT < 2 || nFFT > MaxNFFT:
		return nil, fmt.Errorf("dsp: MelFilterbank: nFFT = %d, want 2 … %d", nFFT, MaxNFFT)
	case !(sampleRate > 0) || math.IsInf(sampleRate, 0):
		return nil, fmt.Errorf("dsp: MelFilterbank: sampleRate = %v, want a positive finite rate", sampleRate)
	case nMels < 1:
		return nil, fmt.Errorf("dsp: MelFilterbank: nMels = %d, want ≥ 1", nMels)
	case nMels > maxMatrixValues/(nFFT/2+1):
		return nil, fmt.Errorf("dsp: MelFilterbank: %d mels × %d bins exceed %d values", nMels, nFFT/2+1, maxMatrixValues)
	case !(fmin >= 0):
		return nil, fmt.Errorf("dsp: MelFilterbank: fmin = %v Hz, want ≥ 0", fmin)
	case !(fmax > fmin) || fmax > sampleRate/2:
		return nil, fmt.Errorf("dsp: MelFilterbank: fmax = %v Hz, want fmin (%v) < fmax ≤ sampleRate/2 (%v)", fmax, fmin, sampleRate/2)
	case scale != MelHTK && scale != MelSlaney:
		return nil, fmt.Errorf("dsp: MelFilterbank: invalid mel scale %v", scale)
	case norm != MelNormNone && norm != MelNormSlaney:
		return nil, fmt.Errorf("dsp: MelFilterbank: invalid mel norm %v", norm)
	}
	bins := nFFT/2 + 1
	// Filter edges in Hz, equally spaced in mels.
	mMin, mMax := HzToMel(fmin, scale), HzToMel(fmax, scale)
	edges := make([]float64, nMels+2)
	step := (mMax - mMin) / float64(nMels+1)
	for i := range edges {
		edges[i] = MelToHz(mMin+float64(i)*step, scale)
	}
	edges[nMels+1] = MelToHz(mMax, scale)

	fb := make([]float64, nMels*bins)
	for i := 0; i < nMels; i++ {
		lo, mid, hi := edges[i], edges[i+1], edges[i+2]
		gain := 1.0
		if norm == MelNormSlaney {
			gain = 2 / (hi - lo)
		}
		row := fb[i*bins : (i+1)*bins]
		for k := range row {
			f := float64(k) * sampleRate / float64(nFFT)
			// The same rising/falling slopes as librosa, so that values
			// agree to rounding.
			up := (f - lo) / (mid - lo)
			down := (hi - f) / (hi - mid)
			w := math.Min(up, down)
			if w > 0 {
				row[k] = w * gain
			}
		}
	}
	return fb, nil
}

// ApplyMel projects a frame-major spectrogram spec (frames × bins, as
// returned by ComplexSpectrogram.Power) onto the filters fb of MelFilterbank
// (nMels × bins) and returns the frame-major mel spectrogram
// (frames × nMels): out[t*nMels+i] = Σ_k fb[i*bins+k]·spec[t*bins+k].
// It is NewMelBank followed by Apply; keep the MelBank to project many
// spectrograms with one filterbank.
func ApplyMel(fb []float64, nMels int, spec []float64, frames, bins int) ([]float64, error) {
	m, err := newMelBank(fb, nMels, bins)
	if err != nil {
		return nil, fmt.Errorf("dsp: ApplyMel: %w", err)
	}
	out, err := m.apply(nil, spec, frames)
	if err != nil {
		return nil, fmt.Errorf("dsp: ApplyMel: %w", err)
	}
	return out, nil
}

// A MelBank is a filterbank of MelFilterbank (nMels × bins) kept as the
// run of bins where each filter is non-zero, so that projecting a frame
// costs about two multiply-adds per bin instead of nMels. It is safe for
// concurrent use.
type MelBank struct {
	nMels, bins int
	first       []int       // filter i covers bins first[i] … first[i]+len(w[i])−1
	w           [][]float64 // the weights over that run, zeros inside it kept
}

// NewMelBank keeps the non-zero runs of the filters fb (nMels × bins,
// row-major, as MelFilterbank returns them).
func NewMelBank(fb []float64, nMels, bins int) (*MelBank, error) {
	m, err := newMelBank(fb, nMels, bins)
	if err != nil {
		return nil, fmt.Errorf("dsp: NewMelBank: %w", err)
	}
	return m, nil
}

func newMelBank(fb []float64, nMels, bins int) (*MelBank, error) {
	switch {
	case nMels < 1 || bins < 1:
		return nil, fmt.Errorf("invalid sizes nMels=%d bins=%d", nMels, bins)
	case len(fb) != nMels*bins:
		return nil, fmt.Errorf("filterbank has %d values, want nMels×bins = %d×%d", len(fb), nMels, bins)
	}
	m := &MelBank{nMels: nMels, bins: bins, first: make([]int, nMels), w: make([][]float64, nMels)}
	for i := range m.w {
		row := fb[i*bins : (i+1)*bins]
		first, last := 0, -1
		for k, w := range row {
			if w != 0 {
				if last < 0 {
					first = k
				}
				last = k
			}
		}
		m.first[i] = first
		m.w[i] = append([]float64(nil), row[first:last+1]...)
	}
	return m, nil
}

// Apply projects frames frames of a frame-major spectrogram spec
// (frames × bins) onto the filters into dst (frames × nMels, reused if its
// capacity suffices) and returns it: dst[t*nMels+i] =
// Σ_k fb[i*bins+k]·spec[t*bins+k], summed from the filter's lowest bin up.
func (m *MelBank) Apply(dst, spec []float64, frames int) ([]float64, error) {
	out, err := m.apply(dst, spec, frames)
	if err != nil {
		return nil, fmt.Errorf("dsp: MelBank.Apply: %w", err)
	}
	return out, nil
}

func (m *MelBank) apply(dst, spec []float64, frames int) ([]float64, error) {
	nMels, bins := m.nMels, m.bins
	if frames < 0 || len(spec) != frames*bins {
		return nil, fmt.Errorf("spectrogram has %d values, want frames×bins = %d×%d", len(spec), frames, bins)
	}
	if cap(dst) < frames*nMels {
		dst = make([]float64, frames*nMels)
	}
	dst = dst[:frames*nMels]
	t := 0
	// Four frames at a time: four independent sums per filter keep the
	// multiply-add units busy; each sum runs in the same order as one
	// frame alone would, so the values do not depend on the grouping.
	for ; t+4 <= frames; t += 4 {
		s0 := spec[t*bins : (t+1)*bins]
		s1 := spec[(t+1)*bins : (t+2)*bins]
		s2 := spec[(t+2)*bins : (t+3)*bins]
		s3 := spec[(t+3)*bins : (t+4)*bins]
		for i, w := range m.w {
			k0 := m.first[i]
			a0, a1, a2, a3 := s0[k0:k0+len(w)], s1[k0:k0+len(w)], s2[k0:k0+len(w)], s3[k0:k0+len(w)]
			var u0, u1, u2, u3 float64
			for k, v := range w {
				u0 += v * a0[k]
				u1 += v * a1[k]
				u2 += v * a2[k]
				u3 += v * a3[k]
			}
			dst[t*nMels+i] = u0
			dst[(t+1)*nMels+i] = u1
			dst[(t+2)*nMels+i] = u2
			dst[(t+3)*nMels+i] = u3
		}
	}
	for ; t < frames; t++ {
		s := spec[t*bins : (t+1)*bins]
		for i, w := range m.w {
			a := s[m.first[i] : m.first[i]+len(w)]
			var u float64
			for k, v := range w {
				u += v * a[k]
			}
			dst[t*nMels+i] = u
		}
	}
	return dst, nil
}

// Invert estimates a non-negative frame-major spectrogram (frames × bins)
// whose projection onto the filters is mel (frames × nMels): per frame,
// the least-squares fit min ‖F·s − m‖² over s ≥ 0, by iters steps of
// projected gradient descent from Fᵀm. A mel spectrogram keeps only the
// filters' share of each bin, so the result is one of many spectrograms
// with that projection (torchaudio.transforms.InverseMelScale solves the
// same problem).
func (m *MelBank) Invert(mel []float64, frames, iters int) ([]float64, error) {
	nMels, bins := m.nMels, m.bins
	if frames < 0 || len(mel) != frames*nMels {
		return nil, fmt.Errorf("dsp: MelBank.Invert: mel spectrogram has %d values, want frames×nMels = %d×%d", len(mel), frames, nMels)
	}
	if iters < 0 {
		return nil, fmt.Errorf("dsp: MelBank.Invert: %d iterations, want ≥ 0", iters)
	}
	// step 1/L with L ≥ ‖FᵀF‖: the largest row sum times the largest
	// column sum of F bounds its squared spectral norm
	rowMax, col := 0.0, make([]float64, bins)
	for i, w := range m.w {
		r := 0.0
		for k, v := range w {
			r += math.Abs(v)
			col[m.first[i]+k] += math.Abs(v)
		}
		rowMax = math.Max(rowMax, r)
	}
	colMax := 0.0
	for _, c := range col {
		colMax = math.Max(colMax, c)
	}
	out := make([]float64, frames*bins)
	if rowMax == 0 || colMax == 0 {
		return out, nil
	}
	step := 1 / (rowMax * colMax)
	resid := make([]float64, nMels)
	for t := 0; t < frames; t++ {
		s, target := out[t*bins:(t+1)*bins], mel[t*nMels:(t+1)*nMels]
		for i, w := range m.w { // start from Fᵀm, scaled by the step
			for k, v := range w {
				s[m.first[i]+k] += step * v * math.Max(0, target[i])
			}
		}
		for it := 0; it < iters; it++ {
			for i, w := range m.w {
				r := -target[i]
				for k, v := range w {
					r += v * s[m.first[i]+k]
				}
				resid[i] = r
			}
			for i, w := range m.w {
				for k, v := range w {
					s[m.first[i]+k] -= step * v * resid[i]
				}
			}
			for k := range s {
				s[k] = math.Max(0, s[k])
			}
		}
	}
	return out, nil
}
