package soundnet

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

// Descriptors are clip-level feature vectors, one row per clip.
type Descriptors [][]float64

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
func LayerDescriptors(ctx context.Context, m *Model, clips []*avio.Clip, layers []string, w io.Writer) (map[string]Descriptors, error) {
	for _, l := range layers {
		if !slices.Contains(Layers, l) {
			return nil, fmt.Errorf("soundnet: unknown layer %q", l)
		}
	}
	out := map[string]Descriptors{}
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

// MFCCDescriptors returns the mean and standard deviation over time of
// each MFCC (MFCCConfig) of every clip: the classic hand-made baseline.
func MFCCDescriptors(ctx context.Context, clips []*avio.Clip, w io.Writer) (Descriptors, error) {
	cfg := MFCCConfig()
	var out Descriptors
	bar := progress.New(w, "mfcc", len(clips))
	defer bar.Done()
	for i, c := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, err := ClipWave(c)
		if err != nil {
			return nil, err
		}
		s, err := spectrogram.Compute(x, cfg)
		if err != nil {
			return nil, fmt.Errorf("soundnet: clip %s: MFCC: %w", c.Name, err)
		}
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
		out = append(out, row)
		bar.Set(i+1, "")
	}
	return out, nil
}

// Classifier is multinomial logistic regression on standardised features.
type Classifier struct {
	Mean, Std []float64   // standardisation from the training features
	W         [][]float64 // [classes][dim]
	B         []float64
	Lambda    float64 // L2 weight it was trained with
}

// TrainClassifier fits softmax regression with L2 penalty lambda (on the
// weights, not the biases) by full-batch gradient descent with Nesterov
// momentum on standardised features; y holds class indices in [0, k).
func TrainClassifier(x Descriptors, y []int, k int, lambda float64, iters int) (*Classifier, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("soundnet: TrainClassifier: %d rows and %d labels", n, len(y))
	}
	d := len(x[0])
	c := &Classifier{Mean: make([]float64, d), Std: make([]float64, d), B: make([]float64, k), Lambda: lambda}
	for _, r := range x {
		if len(r) != d {
			return nil, fmt.Errorf("soundnet: TrainClassifier: rows of %d and %d values", d, len(r))
		}
		for j, v := range r {
			c.Mean[j] += v / float64(n)
		}
	}
	for _, r := range x {
		for j, v := range r {
			c.Std[j] += (v - c.Mean[j]) * (v - c.Mean[j]) / float64(n)
		}
	}
	for j := range c.Std {
		c.Std[j] = math.Sqrt(c.Std[j])
		if c.Std[j] < 1e-8 {
			c.Std[j] = 1 // constant feature: leave it at 0
		}
	}
	z := make([][]float64, n)
	for i, r := range x {
		z[i] = c.standardise(r)
	}
	for _, v := range y {
		if v < 0 || v >= k {
			return nil, fmt.Errorf("soundnet: TrainClassifier: label %d outside [0, %d)", v, k)
		}
	}
	c.W = make([][]float64, k)
	vw := make([][]float64, k)
	gw := make([][]float64, k)
	for q := range c.W {
		c.W[q], vw[q], gw[q] = make([]float64, d), make([]float64, d), make([]float64, d)
	}
	vb, gb := make([]float64, k), make([]float64, k)
	// The loss (1/n)Σ CE + λ/2‖W‖² has curvature at most ½·λmax(ZᵀZ/n) + λ
	// (the softmax Hessian is bounded by ½); that sets the step.
	lr := 1 / (0.5*topEigen(z) + lambda)
	const mom = 0.9
	p := make([]float64, k)
	for it := 0; it < iters; it++ {
		// look-ahead point for Nesterov momentum
		for q := range c.W {
			for j := range gw[q] {
				gw[q][j] = lambda * (c.W[q][j] + mom*vw[q][j])
			}
			gb[q] = 0
		}
		for i, r := range z {
			for q := range p {
				s := c.B[q] + mom*vb[q]
				for j, v := range r {
					s += (c.W[q][j] + mom*vw[q][j]) * v
				}
				p[q] = s
			}
			softmax64(p)
			p[y[i]]--
			for q, e := range p {
				e /= float64(n)
				gb[q] += e
				for j, v := range r {
					gw[q][j] += e * v
				}
			}
		}
		for q := range c.W {
			for j := range c.W[q] {
				vw[q][j] = mom*vw[q][j] - lr*gw[q][j]
				c.W[q][j] += vw[q][j]
			}
			vb[q] = mom*vb[q] - lr*gb[q]
			c.B[q] += vb[q]
		}
	}
	return c, nil
}

func (c *Classifier) standardise(r []float64) []float64 {
	z := make([]float64, len(r))
	for j, v := range r {
		z[j] = (v - c.Mean[j]) / c.Std[j]
	}
	return z
}

// Predict returns the most likely class of feature vector r.
func (c *Classifier) Predict(r []float64) int {
	z := c.standardise(r)
	best, bs := 0, math.Inf(-1)
	for q, w := range c.W {
		s := c.B[q]
		for j, v := range z {
			s += w[j] * v
		}
		if s > bs {
			best, bs = q, s
		}
	}
	return best
}

// Accuracy is the fraction of rows of x classified as y.
func (c *Classifier) Accuracy(x Descriptors, y []int) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	ok := 0
	for i, r := range x {
		if c.Predict(r) == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(x))
}

func softmax64(v []float64) {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	var s float64
	for i, x := range v {
		v[i] = math.Exp(x - m)
		s += v[i]
	}
	for i := range v {
		v[i] /= s
	}
}

// ProbeLambdas are the L2 weights a probe chooses from on the validation
// clips.
var ProbeLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}

// probeIters is the number of gradient steps of each probe.
const probeIters = 1000

// ProbeResult is one linear probe: features, their held-out accuracy.
type ProbeResult struct {
	Name                      string
	Dim                       int
	Lambda                    float64 // chosen on val (the largest-accuracy, then largest λ)
	TrainAcc, ValAcc, TestAcc float64 // fractions; ValAcc NaN without val clips
	TrainN, ValN, TestN       int
}

// ProbeSplits holds the descriptors and labels of the three splits of
// one feature kind.
type ProbeSplits struct {
	Train, Val, Test    Descriptors
	YTrain, YVal, YTest []int
	Classes             int
}

// Probe trains a classifier on the train descriptors for every λ of
// ProbeLambdas, keeps the one with the best validation accuracy (λ = 1e-2
// when there are no val clips), and reports its test accuracy. Test clips
// take no part in any choice.
func Probe(name string, s ProbeSplits) (ProbeResult, error) {
	r := ProbeResult{Name: name, TrainN: len(s.Train), ValN: len(s.Val), TestN: len(s.Test), ValAcc: math.NaN()}
	if len(s.Train) == 0 || len(s.Test) == 0 {
		return r, fmt.Errorf("soundnet: probe %s: %d train and %d test clips", name, len(s.Train), len(s.Test))
	}
	r.Dim = len(s.Train[0])
	lambdas := ProbeLambdas
	if len(s.Val) == 0 {
		lambdas = []float64{1e-2}
	}
	var best *Classifier
	for _, l := range lambdas {
		c, err := TrainClassifier(s.Train, s.YTrain, s.Classes, l, probeIters)
		if err != nil {
			return r, fmt.Errorf("soundnet: probe %s: %w", name, err)
		}
		va := c.Accuracy(s.Val, s.YVal)
		if best == nil || va >= r.ValAcc {
			best, r.ValAcc, r.Lambda = c, va, l
		}
	}
	r.TrainAcc = best.Accuracy(s.Train, s.YTrain)
	r.TestAcc = best.Accuracy(s.Test, s.YTest)
	return r, nil
}

// labelIndex maps each clip's label key to an index of names; clips with a
// label outside names are an error.
func labelIndex(clips []*avio.Clip, key string, names []string) ([]int, error) {
	y := make([]int, len(clips))
	for i, c := range clips {
		y[i] = slices.Index(names, c.Meta.Labels[key])
		if y[i] < 0 {
			return nil, fmt.Errorf("soundnet: clip %s: %s %q does not occur in the training clips", c.Name, key, c.Meta.Labels[key])
		}
	}
	return y, nil
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

// ProbeTable trains and evaluates linear probes on clip descriptors of
// m's layers, of an untrained model's pool5 and of MFCC statistics, with
// train clips for fitting, val clips for choosing λ and test clips for the
// reported accuracy.
func ProbeTable(ctx context.Context, m *Model, train, val, test []*avio.Clip, o ProbeOptions) ([]ProbeResult, error) {
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
		if ys[i], err = labelIndex(cs, o.Label, names); err != nil {
			return nil, err
		}
	}
	type kind struct {
		name string
		get  func(cs []*avio.Clip) (map[string]Descriptors, error)
	}
	rcfg := m.Config
	rcfg.Seed = o.RandomSeed
	rnd, err := New(rcfg)
	if err != nil {
		return nil, err
	}
	defer rnd.Close()
	kinds := []kind{
		{"", func(cs []*avio.Clip) (map[string]Descriptors, error) {
			return LayerDescriptors(ctx, m, cs, o.Layers, o.Progress)
		}},
		{"random", func(cs []*avio.Clip) (map[string]Descriptors, error) {
			d, err := LayerDescriptors(ctx, rnd, cs, []string{"pool5"}, o.Progress)
			return map[string]Descriptors{"random-weight pool5": d["pool5"]}, err
		}},
	}
	if !o.NoMFCC {
		kinds = append(kinds, kind{"mfcc", func(cs []*avio.Clip) (map[string]Descriptors, error) {
			d, err := MFCCDescriptors(ctx, cs, o.Progress)
			return map[string]Descriptors{"MFCC mean+std": d}, err
		}})
	}
	var out []ProbeResult
	for _, k := range kinds {
		var ds [3]map[string]Descriptors
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
			s := ProbeSplits{Train: ds[0][key], YTrain: ys[0], YVal: ys[1], YTest: ys[2], Classes: len(names)}
			if ds[1] != nil {
				s.Val = ds[1][key]
			}
			if ds[2] != nil {
				s.Test = ds[2][key]
			}
			r, err := Probe(key, s)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// topEigen returns the largest eigenvalue of ZᵀZ/n (plus 1 for the bias
// column) by power iteration.
func topEigen(z [][]float64) float64 {
	d := len(z[0])
	v := make([]float64, d+1)
	for j := range v {
		v[j] = 1 / math.Sqrt(float64(d+1))
	}
	lam := 1.0
	w := make([]float64, d+1)
	for it := 0; it < 50; it++ {
		clear(w)
		for _, r := range z {
			s := v[d] // bias column of ones
			for j, x := range r {
				s += x * v[j]
			}
			for j, x := range r {
				w[j] += s * x / float64(len(z))
			}
			w[d] += s / float64(len(z))
		}
		var norm float64
		for _, x := range w {
			norm += x * x
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			return 1
		}
		lam = norm
		for j := range v {
			v[j] = w[j] / norm
		}
	}
	return lam
}
