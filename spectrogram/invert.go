package spectrogram

import (
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// InvertOptions set Invert.
type InvertOptions struct {
	// Iters is the number of Griffin-Lim iterations; 0 means 32
	// (torchaudio's default).
	Iters int
	// Momentum is fast Griffin-Lim's momentum in [0, 1); torchaudio's
	// default is 0.99, 0 is the original algorithm.
	Momentum float64
	// Length is the number of samples wanted; 0 means the STFT's natural
	// length.
	Length int
	// Observe, if not nil, is called after each iteration with the
	// spectral convergence (see dsp.GriffinLimOptions).
	Observe func(iter int, convergence float64)
}

// Invert estimates a waveform whose linear spectrogram is s with
// Griffin-Lim (dsp.GriffinLim), starting from zero phase like torchaudio.
// s must be Linear; decibel values are first converted back to power or
// magnitude (as far as TopDB clipping left them).
func (s *Spectrogram) Invert(o InvertOptions) ([]float64, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Kind != Linear {
		return nil, fmt.Errorf("spectrogram: Invert needs a linear spectrogram, not %s", s.Kind)
	}
	c := s.Config
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if s.Bins != c.NFFT/2+1 {
		return nil, fmt.Errorf("spectrogram: Invert: %d bins, NFFT %d needs %d", s.Bins, c.NFFT, c.NFFT/2+1)
	}
	if o.Iters == 0 {
		o.Iters = 32
	}
	// Frame-major for dsp.
	mag := make([]float64, len(s.Data))
	for b := 0; b < s.Bins; b++ {
		for t := 0; t < s.Frames; t++ {
			mag[t*s.Bins+b] = float64(s.Data[b*s.Frames+t])
		}
	}
	if s.Scale == DB {
		if c.Power == 1 {
			mag = dsp.DBToAmplitude(mag, 1)
		} else {
			mag = dsp.DBToPower(mag, 1)
		}
	}
	sc, err := c.stft()
	if err != nil {
		return nil, err
	}
	x, err := dsp.GriffinLim(mag, s.Frames, sc, dsp.GriffinLimOptions{
		Iters: o.Iters, Momentum: o.Momentum, Power: c.Power, Length: o.Length, Observe: o.Observe,
	})
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	return x, nil
}
