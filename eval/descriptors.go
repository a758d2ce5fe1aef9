package eval

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

// MFCCConfig is the front-end of the MFCC-statistics baseline at rate Hz:
// speech framing (25 ms periodic Hamming window, 10 ms hop, centred), 40
// HTK mel bands, 20 MFCCs.
func MFCCConfig(rate int) spectrogram.Config {
	c := spectrogram.DefaultConfig(rate)
	c.NMels, c.NMFCC = 40, 20
	return c
}

// LogMelConfig is the front-end of the log-mel-statistics baseline at rate
// Hz: the framing of MFCCConfig, 40 HTK mel bands in dB, clipped 80 dB
// below the maximum.
func LogMelConfig(rate int) spectrogram.Config {
	c := spectrogram.DefaultConfig(rate)
	c.NMels, c.DB, c.TopDB = 40, true, 80
	return c
}

// FrameStats returns the mean over frames of every bin of s, followed by
// the population standard deviation over frames of every bin: 2·s.Bins
// values. Sums are taken in float64.
func FrameStats(s *spectrogram.Spectrogram) []float64 {
	row := make([]float64, 2*s.Bins)
	for b := 0; b < s.Bins; b++ {
		var sum, sq float64
		for t := 0; t < s.Frames; t++ {
			v := float64(s.At(b, t))
			sum += v
			sq += v * v
		}
		mu := sum / float64(s.Frames)
		row[b] = mu
		row[s.Bins+b] = math.Sqrt(math.Max(sq/float64(s.Frames)-mu*mu, 0))
	}
	return row
}

// SpectrogramStats computes the spectrogram of waveform x with cfg and
// returns its FrameStats.
func SpectrogramStats(x []float64, cfg spectrogram.Config) ([]float64, error) {
	s, err := spectrogram.Compute(x, cfg)
	if err != nil {
		return nil, err
	}
	if s.Frames == 0 {
		return nil, fmt.Errorf("eval: %d samples make no spectrogram frame", len(x))
	}
	return FrameStats(s), nil
}

// MFCCStats is the classic hand-made clip descriptor: the mean and
// standard deviation over frames of each MFCC of waveform x (cfg must
// compute MFCCs; MFCCConfig is the usual choice).
func MFCCStats(x []float64, cfg spectrogram.Config) ([]float64, error) {
	if cfg.Kind() != spectrogram.MFCC {
		return nil, fmt.Errorf("eval: MFCC statistics of a %s spectrogram configuration", cfg.Kind())
	}
	return SpectrogramStats(x, cfg)
}

// LogMelStats is the mean and standard deviation over frames of each
// log-mel band of waveform x (cfg must compute a mel spectrogram in dB;
// LogMelConfig is the usual choice).
func LogMelStats(x []float64, cfg spectrogram.Config) ([]float64, error) {
	if cfg.Kind() != spectrogram.Mel || !cfg.DB {
		return nil, fmt.Errorf("eval: log-mel statistics need a mel configuration in dB")
	}
	return SpectrogramStats(x, cfg)
}

// ClipStats returns the SpectrogramStats (cfg) of the audio of every clip,
// read at cfg.SampleRate: one row per clip. Progress, if not nil, shows a
// bar.
func ClipStats(ctx context.Context, clips []*avio.Clip, cfg spectrogram.Config, w io.Writer) ([][]float64, error) {
	out := make([][]float64, 0, len(clips))
	bar := progress.New(w, cfg.Kind().String()+" statistics", len(clips))
	defer bar.Done()
	for i, c := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, err := c.Audio(cfg.SampleRate)
		if err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
		if len(x) == 0 {
			return nil, fmt.Errorf("eval: %s: empty audio", c.AudioPath())
		}
		row, err := SpectrogramStats(x, cfg)
		if err != nil {
			return nil, fmt.Errorf("eval: %s: %w", c.AudioPath(), err)
		}
		out = append(out, row)
		bar.Set(i+1, "")
	}
	return out, nil
}

// LabelIndices returns, for every clip, the index in names of its label
// key; a clip whose label is not in names is an error that names it.
func LabelIndices(clips []*avio.Clip, key string, names []string) ([]int, error) {
	y := make([]int, len(clips))
	for i, c := range clips {
		y[i] = slices.Index(names, c.Meta.Labels[key])
		if y[i] < 0 {
			return nil, fmt.Errorf("eval: clip %s: %s %q is not one of the training classes", c.Dir, key, c.Meta.Labels[key])
		}
	}
	return y, nil
}
