package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
)

// CompressSpectrogram returns the power-law compressed spectrogram
// |X|^p·e^{iφ}: the magnitude of every bin is raised to p and its phase is
// kept. It acts on the spectrogram, never on the waveform (compressing
// samples would distort the signal instead of the dynamic range of its
// bins). DecompressSpectrogram(s, p) undoes it.
func CompressSpectrogram(s *ComplexSpectrogram, p float64) *ComplexSpectrogram {
	return powerLaw(s, p)
}

// DecompressSpectrogram inverts CompressSpectrogram: |Y|^{1/p}·e^{iφ}.
func DecompressSpectrogram(s *ComplexSpectrogram, p float64) *ComplexSpectrogram {
	return powerLaw(s, 1/p)
}

// powerLaw returns |X|^p·e^{iφ} as X·|X|^{p−1}; zero bins stay zero.
func powerLaw(s *ComplexSpectrogram, p float64) *ComplexSpectrogram {
	out := &ComplexSpectrogram{Bins: s.Bins, Frames: s.Frames, Data: make([]complex128, len(s.Data))}
	for i, v := range s.Data {
		a := cmplx.Abs(v)
		if a == 0 {
			continue
		}
		out.Data[i] = v * complex(math.Pow(a, p-1), 0)
	}
	return out
}

// ApplyMask returns mask × mix bin by bin. A complex mask has re and im; a
// real mask has im == nil. Both are frame-major like mix.Data.
func ApplyMask(mix *ComplexSpectrogram, re, im []float32) (*ComplexSpectrogram, error) {
	if len(re) != len(mix.Data) || (im != nil && len(im) != len(mix.Data)) {
		return nil, fmt.Errorf("dsp: ApplyMask: mask of %d/%d values for a spectrogram of %d bins", len(re), len(im), len(mix.Data))
	}
	out := &ComplexSpectrogram{Bins: mix.Bins, Frames: mix.Frames, Data: make([]complex128, len(mix.Data))}
	for i, x := range mix.Data {
		m := complex(float64(re[i]), 0)
		if im != nil {
			m = complex(float64(re[i]), float64(im[i]))
		}
		out.Data[i] = m * x
	}
	return out, nil
}

// IdealRatioMasks returns the oracle ratio mask of every source,
// M_i = sqrt(|S_i|² / Σ_j |S_j|²) per bin (0 where every source is 0),
// frame-major like the spectrograms. Given the linear (uncompressed) STFTs
// of the sources, applied to the mixture's STFT and inverted, it gives the
// usual IRM estimate; sources must include every component of the mixture
// (the noise too). The spectrograms must all have the same shape.
func IdealRatioMasks(sources []*ComplexSpectrogram) ([][]float32, error) {
	if err := sameShapes("IdealRatioMasks", nil, sources); err != nil {
		return nil, err
	}
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
	return out, nil
}

// PhaseSensitiveMasks returns, for every source, the best real mask in
// [0, 1] for mixture mix: per bin the m that minimises |m·X − S|², which
// is Re(S·X̄)/|X|² clipped to [0, 1] (the truncated phase-sensitive mask;
// 0 where X is 0). Given compressed spectrograms it is the minimum of a
// compressed-spectrogram loss over real masks. The spectrograms must all
// have mix's shape.
func PhaseSensitiveMasks(mix *ComplexSpectrogram, sources []*ComplexSpectrogram) ([][]float32, error) {
	if err := sameShapes("PhaseSensitiveMasks", mix, sources); err != nil {
		return nil, err
	}
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
	return out, nil
}

// sameShapes checks that there is at least one source and that every
// source (and ref, if not nil) has the shape of the first.
func sameShapes(fn string, ref *ComplexSpectrogram, sources []*ComplexSpectrogram) error {
	if len(sources) == 0 {
		return fmt.Errorf("dsp: %s: no sources", fn)
	}
	if ref == nil {
		ref = sources[0]
	}
	for i, s := range sources {
		if s.Bins != ref.Bins || s.Frames != ref.Frames || len(s.Data) != len(ref.Data) {
			return fmt.Errorf("dsp: %s: source %d is %d bins × %d frames (%d values), want %d × %d (%d)",
				fn, i, s.Bins, s.Frames, len(s.Data), ref.Bins, ref.Frames, len(ref.Data))
		}
	}
	return nil
}
