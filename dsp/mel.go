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
func ApplyMel(fb []float64, nMels int, spec []float64, frames, bins int) ([]float64, error) {
	switch {
	case nMels < 1 || bins < 1 || frames < 0:
		return nil, fmt.Errorf("dsp: ApplyMel: invalid sizes nMels=%d frames=%d bins=%d", nMels, frames, bins)
	case len(fb) != nMels*bins:
		return nil, fmt.Errorf("dsp: ApplyMel: filterbank has %d values, want nMels×bins = %d×%d", len(fb), nMels, bins)
	case len(spec) != frames*bins:
		return nil, fmt.Errorf("dsp: ApplyMel: spectrogram has %d values, want frames×bins = %d×%d", len(spec), frames, bins)
	}
	// Each filter is non-zero on a short run of bins only; find it once.
	first := make([]int, nMels)
	last := make([]int, nMels)
	for i := 0; i < nMels; i++ {
		row := fb[i*bins : (i+1)*bins]
		first[i], last[i] = 0, -1
		for k, w := range row {
			if w != 0 {
				if last[i] < 0 {
					first[i] = k
				}
				last[i] = k
			}
		}
	}
	out := make([]float64, frames*nMels)
	for t := 0; t < frames; t++ {
		s := spec[t*bins : (t+1)*bins]
		o := out[t*nMels : (t+1)*nMels]
		for i := range o {
			row := fb[i*bins : (i+1)*bins]
			var sum float64
			for k := first[i]; k <= last[i]; k++ {
				sum += row[k] * s[k]
			}
			o[i] = sum
		}
	}
	return out, nil
}
