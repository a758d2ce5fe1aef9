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
// linear probe reads, built like the MFCC mean+std baseline). Clips of any
// length work (ClipDescriptors says how).
func LayerDescriptors(ctx context.Context, m *Model, clips []*avio.Clip, layers []string, w io.Writer) (map[string][][]float64, error) {
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
		d, err := m.ClipDescriptors(x, layers)
		if err != nil {
			return nil, fmt.Errorf("soundnet: clip %s: %w", c.Name, err)
		}
		for _, l := range layers {
			out[l] = append(out[l], d[l])
		}
		bar.Set(i+1, "")
	}
	return out, nil
}

// ClipDescriptors returns, for each of layers, the mean and then the
// standard deviation over time of each channel of wave (mono samples in
// [-1, 1] at Rate Hz): the descriptor LayerDescriptors gives a clip.
//
// A wave longer than MaxSamples is run in windows of MaxSamples, and the
// statistics pool the steps whose receptive field is centred on the
// window's samples. A wave (or last window) shorter than SoundNet-8's
// receptive field, MinSamples, is looped as a circle: repeated whole until
// it is at least MinSamples long, with half the largest receptive field
// of layers more of it wrapped on either side, and the statistics pool the
// steps centred on the whole repeats. So every step sees the clip's sound
// all around it, never zero padding, and every moment of the clip counts
// alike; later repeats fall at other phases of the steps and so sample the
// clip more finely. (Zero padding instead made a 2 s clip's statistics
// depend on the silence after it; docs/runs/soundnet.md has the
// comparison.)
func (m *Model) ClipDescriptors(wave []float64, layers []string) (map[string][]float64, error) {
	margin := 0
	for _, l := range layers {
		if !slices.Contains(Layers, l) {
			return nil, fmt.Errorf("soundnet: unknown layer %q", l)
		}
		a, b := layerSpan(l, 0)
		margin = max(margin, (b-a+1)/2)
	}
	if len(wave) == 0 {
		return nil, fmt.Errorf("soundnet: empty waveform")
	}
	maps := map[string]*FeatureMap{}
	for start := 0; start < len(wave); start += MaxSamples {
		seg := wave[start:min(len(wave), start+MaxSamples)]
		lo, hi := 0, len(seg)
		if len(seg) < MinSamples() {
			seg, lo, hi = loop(seg, MinSamples(), margin)
		}
		xs, _, err := prepare(seg)
		if err != nil {
			return nil, err
		}
		fs, err := m.run(xs, 1, len(xs), layers)
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			f := fs[l][0]
			j0, j1 := centredSteps(l, f.Steps, lo, hi)
			keep := j1 - j0
			d := make([]float32, 0, f.Channels*keep)
			for ch := 0; ch < f.Channels; ch++ {
				d = append(d, f.Data[ch*f.Steps+j0:ch*f.Steps+j1]...)
			}
			if maps[l] == nil {
				maps[l] = &FeatureMap{Layer: l, Channels: f.Channels}
			}
			g := maps[l]
			g.Data = appendSteps(g.Data, g.Steps, d, keep, f.Channels)
			g.Steps += keep
		}
	}
	out := map[string][]float64{}
	for _, l := range layers {
		f := maps[l]
		row := make([]float64, 0, 2*f.Channels)
		for _, v := range append(f.Mean(), f.Std()...) {
			row = append(row, float64(v))
		}
		out[l] = row
	}
	return out, nil
}

// loop returns x as a circle: repeated whole as few times as makes at
// least n samples, the body [lo, hi), with margin more samples of the
// circle before and after it.
func loop(x []float64, n, margin int) (out []float64, lo, hi int) {
	p := len(x)
	body := (n + p - 1) / p * p
	out = make([]float64, body+2*margin)
	for i := range out {
		out[i] = x[((i-margin)%p+p)%p]
	}
	return out, margin, margin + body
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

// LogMelConfig is the spectrogram configuration of the log-mel baseline:
// MFCCConfig's framing and 128 Slaney mel bands in dB (librosa's
// melspectrogram followed by power_to_db with top_db 80).
func LogMelConfig() spectrogram.Config {
	c := MFCCConfig()
	c.NMFCC, c.DB = 0, true
	return c
}

// ProbeLayers are the layers ProbeTable probes by default: the paper's
// transfer layer pool5 first, then every convolution.
var ProbeLayers = []string{"pool5", "conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "conv7", "conv8"}

// ProbeOptions configures ProbeTable.
type ProbeOptions struct {
	Label  string   // label key to classify; "" means "scene"
	Layers []string // layers of the trained model; nil means ProbeLayers
	// RandomSeed seeds the untrained model of the same Config whose pool5
	// is the random-weight baseline.
	RandomSeed int64
	NoMFCC     bool // skip the MFCC and log-mel statistics baselines
	// Folds > 1 scores every kind of feature by Folds-fold
	// cross-validation over all the clips given (train, val and test
	// together), for corpora too small to hold out a large test split
	// and that no network was trained on.
	Folds int
	// FewShot > 0 adds, for pool5 and the baselines, a probe trained on
	// FewShot train clips per class (FewShotDraws draws) and scored on the
	// test clips.
	FewShot  int
	Progress io.Writer
}

// FewShotDraws is the number of random draws a few-label probe averages.
const FewShotDraws = 20

// cvSeed deals the clips into cross-validation folds.
const cvSeed = 1

// ProbeTable trains and evaluates linear probes (eval.Probe) on clip
// descriptors (LayerDescriptors) of m's layers, of an untrained model's
// pool5, and of MFCC and log-mel statistics (MFCCConfig, LogMelConfig):
// train clips fit, val clips choose λ, test clips give the reported
// accuracy and its standard error; or, with o.Folds, cross-validation over
// all clips. The results print with their Table method.
func ProbeTable(ctx context.Context, m *Model, train, val, test []*avio.Clip, o ProbeOptions) (eval.ProbeResults, error) {
	if o.Label == "" {
		o.Label = "scene"
	}
	if o.Layers == nil {
		o.Layers = ProbeLayers
	}
	all := slices.Concat(train, val, test)
	names, err := LabelNames(all, o.Label)
	if err != nil {
		return nil, err
	}
	yAll, err := eval.LabelIndices(all, o.Label, names)
	if err != nil {
		return nil, err
	}
	if o.Folds == 1 || o.Folds > len(all) {
		return nil, fmt.Errorf("soundnet: %d folds for %d clips", o.Folds, len(all))
	}
	if o.Folds == 0 && (len(train) == 0 || len(test) == 0) {
		return nil, fmt.Errorf("soundnet: probing needs train and test clips (has %d and %d)", len(train), len(test))
	}
	if o.FewShot > 0 && len(test) == 0 {
		return nil, fmt.Errorf("soundnet: a few-label probe needs test clips")
	}
	nt, nv := len(train), len(val)
	rcfg := m.Config
	rcfg.Seed = o.RandomSeed
	rnd, err := New(rcfg)
	if err != nil {
		return nil, err
	}
	defer rnd.Close()
	feats, err := LayerDescriptors(ctx, m, all, o.Layers, o.Progress)
	if err != nil {
		return nil, err
	}
	keys := slices.Clone(o.Layers)
	few := []string{"pool5"}
	add := func(key string, rows [][]float64, err error) error {
		if err != nil {
			return err
		}
		feats[key] = rows
		keys, few = append(keys, key), append(few, key)
		return nil
	}
	d, err := LayerDescriptors(ctx, rnd, all, []string{"pool5"}, o.Progress)
	if err := add("random-weight pool5", d["pool5"], err); err != nil {
		return nil, err
	}
	if !o.NoMFCC {
		for _, b := range []struct {
			name string
			cfg  spectrogram.Config
		}{{"MFCC mean+std", MFCCConfig()}, {"log-mel mean+std", LogMelConfig()}} {
			rows, err := eval.ClipStats(ctx, all, b.cfg, o.Progress)
			if err := add(b.name, rows, err); err != nil {
				return nil, err
			}
		}
	}
	var out eval.ProbeResults
	for _, key := range keys {
		x := feats[key]
		var r eval.ProbeResult
		if o.Folds > 1 {
			cv, err := eval.CrossValidate(key, x, yAll, len(names), o.Folds, cvSeed)
			if err != nil {
				return nil, err
			}
			r = cv.Result()
		} else {
			r, err = eval.Probe(key, eval.Splits{Train: x[:nt], Val: x[nt : nt+nv], Test: x[nt+nv:],
				YTrain: yAll[:nt], YVal: yAll[nt : nt+nv], YTest: yAll[nt+nv:], Classes: len(names)})
			if err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	if o.FewShot > 0 {
		for _, key := range few {
			if !slices.Contains(keys, key) {
				continue
			}
			x := feats[key]
			r, err := eval.FewShot(fmt.Sprintf("%s, %d clips per class", key, o.FewShot),
				eval.Splits{Train: x[:nt], YTrain: yAll[:nt], Test: x[nt+nv:], YTest: yAll[nt+nv:], Classes: len(names)},
				o.FewShot, FewShotDraws, cvSeed)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}
