package separation

import (
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// Analyse returns the compressed one-sided STFT of waveform x: the model's
// input and the domain of its masks and loss.
func (c Config) Analyse(x []float64) (*dsp.ComplexSpectrogram, error) {
	s, err := dsp.STFT(x, c.STFT())
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return dsp.CompressSpectrogram(s, c.Power), nil
}

// Synthesise turns a compressed spectrogram back into length samples:
// decompression, then the one-sided inverse STFT of dsp (each frame's
// Bins values are the non-negative frequencies of a real signal; a full
// complex inverse FFT of them would drop the negative frequencies and halve
// the signal).
func (c Config) Synthesise(s *dsp.ComplexSpectrogram, length int) ([]float64, error) {
	y, err := dsp.ISTFT(dsp.DecompressSpectrogram(s, c.Power), c.STFT(), length)
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return y, nil
}
