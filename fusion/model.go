package fusion

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/avlearn/avlearn/nets"
)

// Kind names fusion models in model files (nets.SaveModel).
const Kind = "fusion"

// Model classifies a clip's event from several synchronised streams:
//
//   - per stream, fixed features (audio: mean, deviation and maximum over
//     time of each log-mel band; frames: how each cell of a grid of the
//     grey picture, and the whole picture, changes over time; motion: the
//     same statistics of the motion track's spectrogram), standardised
//     with the training set's statistics (buffers <stream>_norm.mean and
//     <stream>_norm.std), then an encoder of two ReLU layers
//     (<stream>_enc.0, <stream>_enc.2);
//   - a fusion block (Config.Fusion) over the encodings under a stream
//     mask [N, S] that says which streams each example has: early
//     (nets.EarlyFusion, then head), late (one classifier per stream,
//     <stream>_head, fused by nets.LateFusion, late.weight), gated
//     (nets.GatedFusion, fuse.gate, then head) or attention
//     (nets.AttentionFusion, attention.key and attention.v, then head).
//
// A missing stream is marked in the mask, and its encoding then weighs
// nothing; training hides streams at random (Config.DropStream) so that
// the model learns to do without each.
type Model struct {
	Config Config

	mean, std map[Stream]*nets.Param
	enc       map[Stream]nets.Sequential
	heads     map[Stream]*nets.Linear // late fusion
	head      *nets.Linear            // the other blocks
	late      *nets.LateFusion
	gated     *nets.GatedFusion
	att       *nets.AttentionFusion
	params    []*nets.Param

	infer *nets.Program
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Streams = append([]Stream(nil), cfg.Streams...)
	cfg.Classes = append([]string(nil), cfg.Classes...)
	m := &Model{Config: cfg, mean: map[Stream]*nets.Param{}, std: map[Stream]*nets.Param{},
		enc: map[Stream]nets.Sequential{}, heads: map[Stream]*nets.Linear{}}
	rng := rand.New(rand.NewSource(cfg.Seed))
	h, k, s := cfg.Hidden, len(cfg.Classes), len(cfg.Streams)
	var err error
	add := func(l nets.Module, e error) {
		if err == nil && e != nil {
			err = e
		}
		if e == nil {
			m.params = append(m.params, l.Params()...)
		}
	}
	for _, st := range cfg.Streams {
		d := cfg.dim(st)
		m.mean[st] = nets.NewBuffer(string(st)+"_norm.mean", d)
		m.std[st] = nets.NewBuffer(string(st)+"_norm.std", d)
		m.params = append(m.params, m.mean[st], m.std[st])
		l0, e := nets.NewLinear(string(st)+"_enc.0", d, h, true, rng)
		add(l0, e)
		l2, e := nets.NewLinear(string(st)+"_enc.2", h, h, true, rng)
		add(l2, e)
		if err == nil {
			m.enc[st] = nets.Sequential{l0, nets.NewReLU(), l2, nets.NewReLU()}
		}
	}
	switch cfg.Fusion {
	case BlockLate:
		for _, st := range cfg.Streams {
			l, e := nets.NewLinear(string(st)+"_head", h, k, true, rng)
			m.heads[st] = l
			add(l, e)
		}
		m.late, err = nets.NewLateFusion("late", s, true)
		add(m.late, err)
	case BlockEarly:
		m.head, err = nets.NewLinear("head", s*h+s, k, true, rng)
		add(m.head, err)
	case BlockGated:
		m.gated, err = nets.NewGatedFusion("fuse", h, s, rng)
		add(m.gated, err)
		m.head, err = nets.NewLinear("head", h, k, true, rng)
		add(m.head, err)
	case BlockAttention:
		m.att, err = nets.NewAttentionFusion("attention", h, cfg.Attn, rng)
		add(m.att, err)
		m.head, err = nets.NewLinear("head", h, k, true, rng)
		add(m.head, err)
	}
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	return m, nil
}

// Name says what the model is in tables: "audio only", "gated fusion" …
func (m *Model) Name() string {
	if len(m.Config.Streams) == 1 {
		return string(m.Config.Streams[0]) + " only"
	}
	name := string(m.Config.Fusion) + " fusion"
	if len(m.Config.Streams) < len(AllStreams) {
		var s []string
		for _, st := range m.Config.Streams {
			s = append(s, string(st))
		}
		name += " (" + strings.Join(s, "+") + ")"
	}
	return name
}

// Params lists every tensor of the model in state_dict order.
func (m *Model) Params() []*nets.Param { return m.params }

// Save writes the model as safetensors with its Config in the metadata
// (atomically).
func (m *Model) Save(path string) error {
	if err := nets.SaveModel(path, Kind, m, m.Config, nil); err != nil {
		return fmt.Errorf("fusion: %w", err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	return m, nil
}

// Close releases the model's compiled graphs; the model stays usable.
func (m *Model) Close() {
	if m.infer != nil {
		m.infer.Close()
	}
}

// define returns the declaration of the network's pass: inputs "<stream>"
// [N, dim] (standardised features) and "mask" [N, S]; outputs "logits"
// [N, K] and, for the blocks that have them, "weights" [N, S]; with
// "label" [N] fed, the cross-entropy loss.
func (m *Model) define() func(p *nets.Pass) error {
	return func(p *nets.Pass) (err error) {
		g := p.Graph()
		mask, err := p.Input("mask")
		if err != nil {
			return err
		}
		var zs []*G.Node
		for _, st := range m.Config.Streams {
			x, err := p.Input(string(st))
			if err != nil {
				return err
			}
			z, err := m.enc[st].Forward(g, x)
			if err != nil {
				return err
			}
			zs = append(zs, z)
		}
		var logits, weights *G.Node
		switch m.Config.Fusion {
		case BlockEarly:
			var f *G.Node
			if f, err = nets.EarlyFusion(mask, zs...); err == nil {
				logits, err = m.head.Forward(g, f)
			}
		case BlockLate:
			ls := make([]*G.Node, len(zs))
			for i, st := range m.Config.Streams {
				if ls[i], err = m.heads[st].Forward(g, zs[i]); err != nil {
					return err
				}
			}
			logits, weights, err = m.late.Forward(g, mask, ls...)
		case BlockGated, BlockAttention:
			var f *G.Node
			if m.gated != nil {
				f, weights, err = m.gated.Forward(g, mask, zs...)
			} else {
				f, weights, err = m.att.Forward(g, mask, zs...)
			}
			if err == nil {
				logits, err = m.head.Forward(g, f)
			}
		}
		if err != nil {
			return err
		}
		if err := p.Output("logits", logits); err != nil {
			return err
		}
		if weights != nil {
			if err := p.Output("weights", weights); err != nil {
				return err
			}
		}
		return p.MinimizeCrossEntropy(logits, "label")
	}
}

// example is one clip's standardised features, stream by stream in
// Config.Streams order, and its class.
type example struct {
	x     [][]float32
	class int
}

// example computes d's features and standardises them.
func (m *Model) example(d *clipData) (*example, error) {
	ex := &example{class: d.class}
	for _, st := range m.Config.Streams {
		f, err := m.Config.features(d, st)
		if err != nil {
			return nil, err
		}
		mean, std := m.mean[st].Data, m.std[st].Data
		for i := range f {
			if std[i] > 0 {
				f[i] = (f[i] - mean[i]) / std[i]
			}
		}
		ex.x = append(ex.x, f)
	}
	return ex, nil
}

// feeds stacks exs with the stream mask (one row of S per example) and,
// with labels, their classes.
func (m *Model) feeds(exs []*example, mask []float32, labels bool) []nets.Feed {
	n := len(exs)
	var out []nets.Feed
	for i, st := range m.Config.Streams {
		d := m.Config.dim(st)
		data := make([]float32, 0, n*d)
		for _, ex := range exs {
			data = append(data, ex.x[i]...)
		}
		out = append(out, nets.Feed{Name: string(st), Shape: []int{n, d}, Data: data})
	}
	out = append(out, nets.Feed{Name: "mask", Shape: []int{n, len(m.Config.Streams)}, Data: mask})
	if labels {
		y := make([]float32, n)
		for i, ex := range exs {
			y[i] = float32(ex.class)
		}
		out = append(out, nets.Feed{Name: "label", Shape: []int{n}, Data: y})
	}
	return out
}

// fitNorm sets the standardisation buffers from the training examples'
// raw features.
func (m *Model) fitNorm(raw []*clipData) error {
	for _, st := range m.Config.Streams {
		d := m.Config.dim(st)
		s, ss := make([]float64, d), make([]float64, d)
		for _, r := range raw {
			f, err := m.Config.features(r, st)
			if err != nil {
				return err
			}
			for i, v := range f {
				s[i] += float64(v)
				ss[i] += float64(v) * float64(v)
			}
		}
		n := float64(len(raw))
		for i := range s {
			mu := s[i] / n
			sd := ss[i]/n - mu*mu
			m.mean[st].Data[i] = float32(mu)
			m.std[st].Data[i] = float32(max(1e-3, math.Sqrt(max(0, sd))))
		}
	}
	return nil
}

// fitted reports whether the standardisation has been set.
func (m *Model) fitted() bool { return m.std[m.Config.Streams[0]].Data[0] > 0 }
