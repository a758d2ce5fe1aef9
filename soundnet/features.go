package soundnet

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// FeatureMap is one layer's activations for one waveform: Channels rows of
// Steps time steps, row-major — the (channels, steps) layout the .npy
// files of "avl soundnet features" use.
type FeatureMap struct {
	Layer           string
	Channels, Steps int
	Data            []float32
	// Padded is how many zero samples were appended because the input was
	// shorter than MinSamples.
	Padded int
	// Windows is how many consecutive windows of MaxSamples a long input
	// was cut into (1 for inputs up to MaxSamples); their steps are
	// concatenated in time.
	Windows int
}

// Mean returns the time average of every channel (the clip-level
// descriptor a linear probe reads).
func (f *FeatureMap) Mean() []float32 {
	out := make([]float32, f.Channels)
	for c := range out {
		var s float64
		for _, v := range f.Data[c*f.Steps : (c+1)*f.Steps] {
			s += float64(v)
		}
		out[c] = float32(s / float64(f.Steps))
	}
	return out
}

// Std returns the standard deviation over time of every channel.
func (f *FeatureMap) Std() []float32 {
	out := make([]float32, f.Channels)
	mean := f.Mean()
	for c := range out {
		var s float64
		for _, v := range f.Data[c*f.Steps : (c+1)*f.Steps] {
			d := float64(v) - float64(mean[c])
			s += d * d
		}
		out[c] = float32(math.Sqrt(s / float64(f.Steps)))
	}
	return out
}

// MaxSamples is the longest input Features runs in one pass (60 s); longer
// inputs are cut into windows of this length, which bounds memory.
const MaxSamples = 60 * Rate

// Features runs the network in evaluation mode (BatchNorm running
// statistics) on wave, mono samples in [-1, 1] at Rate Hz, and returns the
// activations of layer, one of Layers ("pool5" is the paper's transfer
// layer). The samples are scaled by InputScale as in the original.
//
// Inputs shorter than MinSamples are zero-padded at the end to MinSamples
// (FeatureMap.Padded says by how much); inputs longer than MaxSamples are
// processed in consecutive windows of MaxSamples (the last one padded if
// short) whose time steps are concatenated. (ClipDescriptors, for a
// clip's statistics, loops a short input instead of padding it.) A
// FeatureStream gives the same result without holding the whole input.
func (m *Model) Features(wave []float64, layer string) (*FeatureMap, error) {
	s, err := m.NewFeatureStream(layer)
	if err != nil {
		return nil, err
	}
	if err := s.Write(wave); err != nil {
		return nil, err
	}
	return s.Close()
}

// A FeatureStream computes Features of a signal given a block at a time:
// each window of MaxSamples runs as soon as it is complete, so only one
// window of input is held, beside the activations computed so far.
type FeatureStream struct {
	m       *Model
	layer   string
	buf     []float64
	windows []*FeatureMap
	padded  int
	closed  bool
}

// NewFeatureStream starts the features of layer (one of Layers).
func (m *Model) NewFeatureStream(layer string) (*FeatureStream, error) {
	if !slices.Contains(Layers, layer) {
		return nil, fmt.Errorf("soundnet: unknown layer %q (want one of %s)", layer, strings.Join(Layers, ", "))
	}
	return &FeatureStream{m: m, layer: layer}, nil
}

// Write adds samples (mono, in [-1, 1], at Rate Hz) to the signal.
func (s *FeatureStream) Write(x []float64) error {
	if s.closed {
		return fmt.Errorf("soundnet: FeatureStream.Write after Close")
	}
	for len(x) > 0 {
		n := min(len(x), MaxSamples-len(s.buf))
		s.buf, x = append(s.buf, x[:n]...), x[n:]
		if len(s.buf) == MaxSamples {
			if err := s.run(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close runs the last, partial window and returns the feature map of the
// whole signal.
func (s *FeatureStream) Close() (*FeatureMap, error) {
	if s.closed {
		return nil, fmt.Errorf("soundnet: FeatureStream closed twice")
	}
	s.closed = true
	if len(s.buf) > 0 {
		if err := s.run(); err != nil {
			return nil, err
		}
	}
	if len(s.windows) == 0 {
		return nil, fmt.Errorf("soundnet: Features: empty waveform")
	}
	out := &FeatureMap{Layer: s.layer, Channels: s.windows[0].Channels, Padded: s.padded, Windows: len(s.windows)}
	for _, w := range s.windows {
		out.Steps += w.Steps
	}
	out.Data = make([]float32, 0, out.Channels*out.Steps)
	for c := 0; c < out.Channels; c++ { // join the windows along time
		for _, w := range s.windows {
			out.Data = append(out.Data, w.Data[c*w.Steps:(c+1)*w.Steps]...)
		}
	}
	return out, nil
}

// run computes the buffered window and empties the buffer.
func (s *FeatureStream) run() error {
	x, pad, err := prepare(s.buf)
	if err != nil {
		return err
	}
	fs, err := s.m.run(x, 1, len(x), []string{s.layer})
	if err != nil {
		return err
	}
	s.windows = append(s.windows, fs[s.layer][0])
	s.padded += pad
	s.buf = s.buf[:0]
	return nil
}

// appendSteps joins two row-major (c, ta) and (c, tb) maps along time.
func appendSteps(a []float32, ta int, b []float32, tb, c int) []float32 {
	if ta == 0 {
		return append([]float32(nil), b...)
	}
	out := make([]float32, 0, c*(ta+tb))
	for i := 0; i < c; i++ {
		out = append(out, a[i*ta:(i+1)*ta]...)
		out = append(out, b[i*tb:(i+1)*tb]...)
	}
	return out
}

// prepare scales wave by InputScale, pads it to MinSamples if shorter, and
// rejects non-finite samples.
func prepare(wave []float64) ([]float32, int, error) {
	n := max(len(wave), MinSamples())
	x := make([]float32, n)
	for i, v := range wave {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, fmt.Errorf("soundnet: sample %d is %v", i, v)
		}
		x[i] = float32(v * InputScale)
	}
	return x, n - len(wave), nil
}
