package separation

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/avlearn/avlearn/dsp"
)

// Compress returns the power-law compressed spectrogram |X|^p·e^{iφ}: the
// magnitude of every bin is raised to p and its phase is kept. It acts on
// the spectrogram, never on the waveform (compressing samples would distort
// the signal instead of the dynamic range of its bins). Decompress(s, p)
// undoes it.
func Compress(s *dsp.ComplexSpectrogram, p float64) *dsp.ComplexSpectrogram {
	return powerLaw(s, p)
}

// Decompress inverts Compress: |Y|^{1/p}·e^{iφ}.
func Decompress(s *dsp.ComplexSpectrogram, p float64) *dsp.ComplexSpectrogram {
	return powerLaw(s, 1/p)
}

func powerLaw(s *dsp.ComplexSpectrogram, p float64) *dsp.ComplexSpectrogram {
	out := &dsp.ComplexSpectrogram{Bins: s.Bins, Frames: s.Frames, Data: make([]complex128, len(s.Data))}
	for i, v := range s.Data {
		a := cmplx.Abs(v)
		if a == 0 {
			continue
		}
		out.Data[i] = v * complex(math.Pow(a, p-1), 0)
	}
	return out
}

// Analyse returns the compressed one-sided STFT of waveform x: the model's
// input and the domain of its masks and loss.
func (c Config) Analyse(x []float64) (*dsp.ComplexSpectrogram, error) {
	s, err := dsp.STFT(x, c.STFT())
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return Compress(s, c.Power), nil
}

// Synthesise turns a compressed spectrogram back into length samples:
// decompression, then the one-sided inverse STFT of dsp (each frame's
// Bins values are the non-negative frequencies of a real signal; a full
// complex inverse FFT of them would drop the negative frequencies and halve
// the signal).
func (c Config) Synthesise(s *dsp.ComplexSpectrogram, length int) ([]float64, error) {
	y, err := dsp.ISTFT(Decompress(s, c.Power), c.STFT(), length)
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return y, nil
}

// ApplyMask returns mask × mix bin by bin. A complex mask has re and im; a
// real mask has im == nil. Both are frame-major like mix.Data.
func ApplyMask(mix *dsp.ComplexSpectrogram, re, im []float32) (*dsp.ComplexSpectrogram, error) {
	if len(re) != len(mix.Data) || (im != nil && len(im) != len(mix.Data)) {
		return nil, fmt.Errorf("separation: mask of %d/%d values for a spectrogram of %d bins", len(re), len(im), len(mix.Data))
	}
	out := &dsp.ComplexSpectrogram{Bins: mix.Bins, Frames: mix.Frames, Data: make([]complex128, len(mix.Data))}
	for i, x := range mix.Data {
		m := complex(float64(re[i]), 0)
		if im != nil {
			m = complex(float64(re[i]), float64(im[i]))
		}
		out.Data[i] = m * x
	}
	return out, nil
}

// IdealRatioMasks returns the oracle ratio mask of every source in the
// linear (uncompressed) STFT domain, M_i = sqrt(|S_i|² / Σ_j |S_j|²), the
// usual IRM. Applied to the mixture spectrogram and inverted it gives the
// upper bound of any real-valued mask; sources must include every
// component of the mixture (the noise too).
func IdealRatioMasks(sources []*dsp.ComplexSpectrogram) [][]float32 {
	n := len(sources[0].Data)
	den := make([]float64, n)
	for _, s := range sources {
		for i, v := range s.Data {
			den[i] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	out := make([][]float32, len(sources))
	for j, s := range sources {
		m := make([]float32, n)
		for i, v := range s.Data {
			if den[i] > 0 {
				m[i] = float32(math.Sqrt((real(v)*real(v) + imag(v)*imag(v)) / den[i]))
			}
		}
		out[j] = m
	}
	return out
}

// PhaseSensitiveMasks returns, for every source, the best real mask in
// [0, 1] for mixture mix: per bin the m that minimises |m·X − S|², which
// is Re(S·X̄)/|X|² clipped to [0, 1] (the truncated phase-sensitive mask).
// Given compressed spectrograms it is the minimum of the training loss
// over real masks, so a real-mask model can approach it but not pass it.
func PhaseSensitiveMasks(mix *dsp.ComplexSpectrogram, sources []*dsp.ComplexSpectrogram) [][]float32 {
	out := make([][]float32, len(sources))
	for j, s := range sources {
		m := make([]float32, len(mix.Data))
		for i, x := range mix.Data {
			if p := real(x)*real(x) + imag(x)*imag(x); p > 0 {
				v := real(s.Data[i]*cmplx.Conj(x)) / p
				m[i] = float32(math.Max(0, math.Min(1, v)))
			}
		}
		out[j] = m
	}
	return out
}
