package dsp

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// CombConfig describes a bank of harmonic combs over the bins of one STFT:
// Combs candidate fundamentals, log-spaced from F0[0] to F0[1] Hz, each a
// comb of Gaussian lobes at its harmonics as wide as the analysis window's
// main lobe (σ = Rate/WinLength/2 Hz).
type CombConfig struct {
	Rate      int        // sample rate in Hz
	NFFT      int        // FFT size of the analysis; the bank spans NFFT/2+1 bins
	WinLength int        // analysis window length in samples
	Combs     int        // number of candidate fundamentals
	F0        [2]float64 // lowest and highest candidate in Hz
}

// Bins returns NFFT/2+1, the length of every comb.
func (c CombConfig) Bins() int { return c.NFFT/2 + 1 }

// Validate reports what is wrong with c, if anything.
func (c CombConfig) Validate() error {
	switch {
	case c.Rate <= 0 || c.NFFT < 2 || c.WinLength <= 0:
		return fmt.Errorf("dsp: CombConfig: rate %d Hz, NFFT %d, window %d: all must be positive (NFFT ≥ 2)", c.Rate, c.NFFT, c.WinLength)
	case c.Combs < 1:
		return fmt.Errorf("dsp: CombConfig: %d combs, want ≥ 1", c.Combs)
	case !(c.F0[0] > 0 && c.F0[1] >= c.F0[0]) || math.IsInf(c.F0[1], 0):
		return fmt.Errorf("dsp: CombConfig: fundamentals %g … %g Hz, want 0 < low ≤ high", c.F0[0], c.F0[1])
	}
	return nil
}

// Candidate returns the fundamental of comb i in Hz.
func (c CombConfig) Candidate(i int) float64 {
	return c.F0[0] * math.Pow(c.F0[1]/c.F0[0], float64(i)/float64(max(1, c.Combs-1)))
}

// CombBank holds the fixed weights of one CombConfig, each [Combs, Bins]
// row-major: the combs themselves, the salience weights and the contrast
// weights. Its slices are shared by every user of the bank and must not be
// modified.
type CombBank struct {
	cfg                 CombConfig
	once                sync.Once
	comb, sal, contrast []float32
}

var combBanks sync.Map // CombConfig → *CombBank

// CombBankFor returns the bank of c. Banks are computed once per config
// and shared, since models ask for theirs on every call. It panics if c is
// invalid (see CombConfig.Validate).
func CombBankFor(c CombConfig) *CombBank {
	if err := c.Validate(); err != nil {
		panic(err)
	}
	v, _ := combBanks.LoadOrStore(c, &CombBank{cfg: c})
	b := v.(*CombBank)
	b.once.Do(func() {
		b.comb, b.sal = newCombBank(c)
		b.contrast = newContrastBank(c)
	})
	return b
}

// Config returns the bank's configuration.
func (b *CombBank) Config() CombConfig { return b.cfg }

// Combs returns the combs, [Combs, Bins]: row i has a lobe of height 1 at
// every harmonic of Candidate(i) below the Nyquist frequency (and the lobe
// of the fundamental below it).
func (b *CombBank) Combs() []float32 { return b.comb }

// SalienceWeights returns the salience weights, [Combs, Bins]: each comb
// normalised to sum 1, minus 1/Bins. The salience of a candidate is then
// the mean magnitude on its harmonics less the frame's mean: a
// subharmonic, half of whose lobes fall between the harmonics, scores
// lower than the true fundamental.
func (b *CombBank) SalienceWeights() []float32 { return b.sal }

// ContrastWeights returns, [Combs, Bins], the contrast of each candidate's
// harmonics with its inter-harmonic gaps: the lobes at h·f0, normalised to
// sum 1, minus the lobes at (h+½)·f0, likewise. It scores a candidate an
// octave above a voice near zero, since its gaps fall on the voice's odd
// harmonics.
func (b *CombBank) ContrastWeights() []float32 { return b.contrast }

func newCombBank(c CombConfig) (comb, sal []float32) {
	f, k := c.Bins(), c.Combs
	comb, sal = make([]float32, k*f), make([]float32, k*f)
	binHz := float64(c.Rate) / float64(c.NFFT)
	sigma := float64(c.Rate) / float64(c.WinLength) / 2
	nyq := float64(c.Rate) / 2
	for i := 0; i < k; i++ {
		f0 := c.Candidate(i)
		row := comb[i*f : (i+1)*f]
		sum := 0.0
		for b := range row {
			hz := float64(b) * binHz
			h := math.Max(1, math.Round(hz/f0)) // nearest harmonic
			v := 0.0
			if h*f0 < nyq+3*sigma {
				d := (hz - h*f0) / sigma
				v = math.Exp(-d * d / 2)
			}
			row[b] = float32(v)
			sum += v
		}
		for b, v := range row {
			sal[i*f+b] = float32(float64(v)/sum - 1/float64(f))
		}
	}
	return comb, sal
}

func newContrastBank(c CombConfig) []float32 {
	f, k := c.Bins(), c.Combs
	out := make([]float32, k*f)
	binHz := float64(c.Rate) / float64(c.NFFT)
	sigma := float64(c.Rate) / float64(c.WinLength) / 2
	lobe := func(hz, at float64) float64 { d := (hz - at) / sigma; return math.Exp(-d * d / 2) }
	on, off := make([]float64, f), make([]float64, f)
	for i := 0; i < k; i++ {
		f0 := c.Candidate(i)
		var sumOn, sumOff float64
		for b := range on {
			hz := float64(b) * binHz
			on[b] = lobe(hz, math.Max(1, math.Round(hz/f0))*f0)
			gap := math.Max(0.5, math.Floor(hz/f0-0.5)+0.5) // the gap at or below hz
			off[b] = lobe(hz, gap*f0) + lobe(hz, (gap+1)*f0)
			sumOn, sumOff = sumOn+on[b], sumOff+off[b]
		}
		for b := range on {
			out[i*f+b] = float32(on[b]/sumOn - off[b]/sumOff)
		}
	}
	return out
}

// Salience returns the harmonic salience of x, a (compressed) spectrogram
// of the bank's STFT, on the salience weights: frame-major [Frames, Combs],
// standardised per frame (see HarmonicSalience).
func (b *CombBank) Salience(x *ComplexSpectrogram) ([]float32, error) {
	return b.salience(x, b.sal)
}

// ContrastSalience is Salience on the contrast weights.
func (b *CombBank) ContrastSalience(x *ComplexSpectrogram) ([]float32, error) {
	return b.salience(x, b.contrast)
}

func (b *CombBank) salience(x *ComplexSpectrogram, weights []float32) ([]float32, error) {
	if err := b.check(x); err != nil {
		return nil, err
	}
	return HarmonicSalience(magnitudes32(x), x.Frames, x.Bins, weights), nil
}

// check refuses a spectrogram whose bins are not the bank's.
func (b *CombBank) check(x *ComplexSpectrogram) error {
	if x.Bins != b.cfg.Bins() || len(x.Data) != x.Bins*x.Frames {
		return fmt.Errorf("dsp: comb bank of %d bins (NFFT %d) given a spectrogram of %d bins × %d frames (%d values)",
			b.cfg.Bins(), b.cfg.NFFT, x.Bins, x.Frames, len(x.Data))
	}
	return nil
}

// magnitudes32 returns |X| as float32, frame-major.
func magnitudes32(x *ComplexSpectrogram) []float32 {
	mag := x.Power(1)
	m := make([]float32, len(mag))
	for i, v := range mag {
		m[i] = float32(v)
	}
	return m
}

// HarmonicSalience returns the salience of frames frames of bins
// magnitudes, mag [frames, bins] row-major, on weights [k, bins] (a bank's
// SalienceWeights or ContrastWeights): the [frames, k] matrix product
// mag·weightsᵀ, each row standardised to zero mean and unit deviation over
// the k candidates (all zero for a frame without structure), so that its
// peaks stand out alike in loud and quiet frames.
func HarmonicSalience(mag []float32, frames, bins int, weights []float32) []float32 {
	k := len(weights) / bins
	out := make([]float32, frames*k)
	blas32.Gemm(blas.NoTrans, blas.Trans, 1,
		blas32.General{Rows: frames, Cols: bins, Stride: bins, Data: mag},
		blas32.General{Rows: k, Cols: bins, Stride: bins, Data: weights},
		0, blas32.General{Rows: frames, Cols: k, Stride: k, Data: out})
	for i := 0; i < frames; i++ {
		standardise(out[i*k : (i+1)*k])
	}
	return out
}

// standardise gives row zero mean and unit deviation (all zero if it is
// flat).
func standardise(row []float32) {
	var mean float64
	for _, v := range row {
		mean += float64(v)
	}
	mean /= float64(len(row))
	var sd float64
	for _, v := range row {
		sd += (float64(v) - mean) * (float64(v) - mean)
	}
	sd = math.Sqrt(sd / float64(len(row)))
	for i, v := range row {
		if sd > 1e-6 {
			row[i] = float32((float64(v) - mean) / sd)
		} else {
			row[i] = 0
		}
	}
}

// PitchPair estimates two fundamentals per frame of x, a (compressed)
// spectrogram of the bank's STFT, as indices into the candidates, on the
// contrast salience: first, the salience peak, and second, the peak once
// first's harmonics are cancelled (the frame's magnitudes times one minus
// its comb), with their saliences z1 and z2.
func (b *CombBank) PitchPair(x *ComplexSpectrogram) (first, second []int, z1, z2 []float32, err error) {
	sal, err := b.ContrastSalience(x)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	f, k := x.Bins, b.cfg.Combs
	rest := make([]float32, x.Frames*f)
	first, z1 = make([]int, x.Frames), make([]float32, x.Frames)
	for j, v := range x.Power(1) { // j runs over frames × bins
		t, bin := j/f, j%f
		if bin == 0 {
			first[t] = argmax32(sal[t*k : (t+1)*k])
			z1[t] = sal[t*k+first[t]]
		}
		rest[j] = float32(v) * (1 - b.comb[first[t]*f+bin])
	}
	restSal := HarmonicSalience(rest, x.Frames, f, b.contrast)
	second, z2 = make([]int, x.Frames), make([]float32, x.Frames)
	for t := range second {
		second[t] = argmax32(restSal[t*k : (t+1)*k])
		z2[t] = restSal[t*k+second[t]]
	}
	return first, second, z1, z2, nil
}

// Voicing thresholds of TypicalF0: a frame is voiced when its contrast
// salience peaks more than voicedSalience standard deviations above the
// candidates' mean, and a voice needs minVoicedFrames such frames.
const (
	voicedSalience  = 4
	minVoicedFrames = 10
)

// TypicalF0 returns the median, over the voiced frames of x (a compressed
// spectrogram of the bank's STFT of one voice), of the candidate
// fundamental at the contrast salience's peak; false if fewer than 10
// frames are voiced (their peak more than 4 standard deviations above the
// other candidates). Resolving the harmonics of low voices takes a window
// of about 40 ms.
func (b *CombBank) TypicalF0(x *ComplexSpectrogram) (float64, bool, error) {
	sal, err := b.ContrastSalience(x)
	if err != nil {
		return 0, false, err
	}
	k := b.cfg.Combs
	var f0s []float64
	for t := range x.Frames {
		row := sal[t*k : (t+1)*k]
		if i := argmax32(row); row[i] > voicedSalience {
			f0s = append(f0s, b.cfg.Candidate(i))
		}
	}
	if len(f0s) < minVoicedFrames {
		return 0, false, nil
	}
	slices.Sort(f0s)
	return f0s[len(f0s)/2], true, nil
}

// argmax32 returns the index of the first largest value of x.
func argmax32(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
