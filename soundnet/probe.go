package soundnet

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

// ClipWave reads a clip's audio at Rate.
func ClipWave(c *avio.Clip) ([]float64, error) {
	x, err := c.Audio(Rate)
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("soundnet: clip %s: empty audio", c.Name)
	}
	return x, nil
}

// LayerDescriptors runs m over every clip's whole waveform and returns,
// for each requested layer, the mean and then the standard deviation over
// time of each channel per clip (2·channels values, the clip descriptor a
// linear probe reads, built like the MFCC mean+std baseline). Clips shorter than MinSamples are
// padded as in Features.
func LayerDescriptors(ctx context.Context, m *Model, clips []*avio.Clip, layers []string, w io.Writer) (map[string][][]float64, error) {
	for _, l := range layers {
		if !slices.Contains(Layers, l) {
			return nil, fmt.Errorf("soundnet: unknown layer %q", l)
		}
	}
	out := map[string][][]float64{}
	bar := progress.New(w, "features", len(clips))
	defer bar.Done()
	for i, c := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, err := ClipWave(c)
		if err != nil {
			return nil, err
		}
		if len(x) > MaxSamples {
			x = x[:MaxSamples] // clip descriptors read the first minute
		}
		xs, _, err := prepare(x)
		if err != nil {
			return nil, fmt.Errorf("soundnet: clip %s: %w", c.Name, err)
		}
		fs, err := m.run(xs, 1, len(xs), layers)
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			f := fs[l][0]
			row := make([]float64, 0, 2*f.Channels)
			for _, v := range append(f.Mean(), f.Std()...) {
				row = append(row, float64(v))
			}
			out[l] = append(out[l], row)
		}
		bar.Set(i+1, "")
	}
	return out, nil
}

// MFCCConfig is the spectrogram configuration of the MFCC baseline:
// librosa.feature.mfcc's defaults at 22,050 Hz (2048-point periodic Hann
// window, hop 512, centred with reflect padding, 128 Slaney-scale,
// Slaney-normalised mel bands, 20 coefficients).
func MFCCConfig() spectrogram.Config {
	c := spectrogram.DefaultConfig(Rate)
	c.NFFT, c.WinLength, c.Hop, c.Window = 2048, 2048, 512, "hann"
	c.NMels, c.NMFCC = 128, 20
	c.MelScale, c.MelNorm = dsp.MelSlaney, dsp.MelNormSlaney
	c.TopDB = 80
	return c
}

// ProbeOptions configures ProbeTable.
type ProbeOptions struct {
	Label  string   // label key to classify; "" means "scene"
	Layers []string // layers of the trained model; nil means conv5, pool5, conv6, conv7, conv8
	// RandomSeed seeds the untrained model of the same Config whose pool5
	// is the random-weight baseline.
	RandomSeed int64
	NoMFCC     bool // skip the MFCC baseline
	Progress   io.Writer
}

// ProbeTable trains and evaluates linear probes (eval.Probe) on clip
// descriptors of m's layers, of an untrained model's pool5 and of MFCC
// statistics (MFCCConfig), with train clips for fitting, val clips for
// choosing λ and test clips for the reported accuracy. The results
// print with their Table method.
func ProbeTable(ctx context.Context, m *Model, train, val, test []*avio.Clip, o ProbeOptions) (eval.ProbeResults, error) {
	if o.Label == "" {
		o.Label = "scene"
	}
	if o.Layers == nil {
		o.Layers = []string{"pool5", "conv5", "conv6", "conv7", "conv8"}
	}
	names, err := LabelNames(train, o.Label)
	if err != nil {
		return nil, err
	}
	var ys [3][]int
	splits := [3][]*avio.Clip{train, val, test}
	for i, cs := range splits {
		if ys[i], err = eval.LabelIndices(cs, o.Label, names); err != nil {
			return nil, err
		}
	}
	type kind struct {
		name string
		get  func(cs []*avio.Clip) (map[string][][]float64, error)
	}
	rcfg := m.Config
	rcfg.Seed = o.RandomSeed
	rnd, err := New(rcfg)
	if err != nil {
		return nil, err
	}
	defer rnd.Close()
	kinds := []kind{
		{"", func(cs []*avio.Clip) (map[string][][]float64, error) {
			return LayerDescriptors(ctx, m, cs, o.Layers, o.Progress)
		}},
		{"random", func(cs []*avio.Clip) (map[string][][]float64, error) {
			d, err := LayerDescriptors(ctx, rnd, cs, []string{"pool5"}, o.Progress)
			return map[string][][]float64{"random-weight pool5": d["pool5"]}, err
		}},
	}
	if !o.NoMFCC {
		kinds = append(kinds, kind{"mfcc", func(cs []*avio.Clip) (map[string][][]float64, error) {
			d, err := eval.ClipStats(ctx, cs, MFCCConfig(), o.Progress)
			return map[string][][]float64{"MFCC mean+std": d}, err
		}})
	}
	var out eval.ProbeResults
	for _, k := range kinds {
		var ds [3]map[string][][]float64
		for i, cs := range splits {
			if len(cs) == 0 {
				continue
			}
			if ds[i], err = k.get(cs); err != nil {
				return nil, err
			}
		}
		var keys []string
		if k.name == "" {
			keys = o.Layers
		} else {
			for key := range ds[0] {
				keys = append(keys, key)
			}
		}
		for _, key := range keys {
			s := eval.Splits{Train: ds[0][key], YTrain: ys[0], YVal: ys[1], YTest: ys[2], Classes: len(names)}
			if ds[1] != nil {
				s.Val = ds[1][key]
			}
			if ds[2] != nil {
				s.Test = ds[2][key]
			}
			r, err := eval.Probe(key, s)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}
