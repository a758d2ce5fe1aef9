package soundnet

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/avlearn/avlearn/nets"
)

// Model is a SoundNet-8 student: seven Conv1d+BatchNorm1d+ReLU blocks on
// the raw waveform and two conv8 heads, object and scene.
//
// Parameter names follow the layer numbers of the paper's table so that
// converted original weights load by name (torch's state_dict layout):
//
//	conv1.weight [16, 1, 64], conv1.bias [16]
//	bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var [16], bn1.num_batches_tracked []
//	… conv7.* and bn7.* [1024 …]
//	conv8_objs.weight [Objects, 1024, 8], conv8_objs.bias [Objects]
//	conv8_scns.weight [Scenes, 1024, 8], conv8_scns.bias [Scenes]
//
// (channel counts shown at width 1).
type Model struct {
	Config Config

	convs      [7]*nets.Conv1d
	bns        [7]*nets.BatchNorm
	objs, scns *nets.Conv1d
	params     []*nets.Param

	programs map[string]*nets.Program // evaluation programs by the layers they output
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	m := &Model{Config: cfg, programs: map[string]*nets.Program{}}
	ch := cfg.Channels()
	in := 1
	for i, s := range table {
		c, err := nets.NewConv1d(fmt.Sprintf("conv%d", i+1), in, ch[i], s.kernel,
			nets.Conv1dOptions{Stride: s.stride, Padding: s.pad}, rng)
		if err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		m.convs[i] = c
		if m.bns[i], err = nets.NewBatchNorm1d(fmt.Sprintf("bn%d", i+1), ch[i]); err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		in = ch[i]
	}
	var err error
	if m.objs, err = nets.NewConv1d("conv8_objs", in, cfg.Objects, conv8Kernel, nets.Conv1dOptions{Stride: conv8Stride}, rng); err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	if m.scns, err = nets.NewConv1d("conv8_scns", in, cfg.Scenes, conv8Kernel, nets.Conv1dOptions{Stride: conv8Stride}, rng); err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	for i := range m.convs {
		m.params = append(m.params, m.convs[i].Params()...)
		m.params = append(m.params, m.bns[i].Params()...)
	}
	m.params = append(m.params, m.objs.Params()...)
	m.params = append(m.params, m.scns.Params()...)
	return m, nil
}

// Params lists every tensor of the model (weights and BatchNorm buffers) in
// state_dict order.
func (m *Model) Params() []*nets.Param { return m.params }

// Kind names SoundNet models in model files (nets.SaveModel).
const Kind = "soundnet"

// Save writes the model as safetensors with its Config in the metadata
// (written to a temporary file and renamed).
func (m *Model) Save(path string) error {
	if err := nets.SaveModel(path, Kind, m, m.Config, nil); err != nil {
		return fmt.Errorf("soundnet: %w", err)
	}
	return nil
}

// Load reads a model written by Save (LoadWeights reads bare weights, such
// as converted original SoundNet weights, into a model built with New).
func Load(path string) (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	return m, nil
}

// LoadWeights fills the model's tensors by name from a safetensors file,
// such as original SoundNet weights converted from a PyTorch state_dict
// with the names listed on Model. Every tensor must be present with the
// right shape.
func (m *Model) LoadWeights(path string) error {
	if _, err := nets.LoadSafetensors(path, m.params); err != nil {
		return fmt.Errorf("soundnet: %w", err)
	}
	return nil
}

// forwardPass adds the network to pass p for its input "audio" [N, 1, L]
// and returns every layer of Layers by name.
func (m *Model) forwardPass(p *nets.Pass) (map[string]*G.Node, error) {
	x, err := p.Input("audio")
	if err != nil {
		return nil, err
	}
	return m.forward(p.Graph(), x)
}

// forward adds the network to g for input x [N, 1, L] and returns every
// layer of Layers by name.
func (m *Model) forward(g *nets.Graph, x *G.Node) (map[string]*G.Node, error) {
	out := map[string]*G.Node{}
	h := x
	var err error
	for i, s := range table {
		if h, err = m.convs[i].Forward(g, h); err != nil {
			return nil, err
		}
		if h, err = m.bns[i].ForwardReLUOver(g, h); err != nil { // the conv output is read by nothing else
			return nil, err
		}
		out[fmt.Sprintf("conv%d", i+1)] = h
		if s.pool > 0 {
			if h, err = nets.NewMaxPool1d(s.pool, s.pool, 0).Forward(g, h); err != nil {
				return nil, err
			}
			out[fmt.Sprintf("pool%d", i+1)] = h
		}
	}
	if out["conv8_objs"], err = m.objs.Forward(g, h); err != nil {
		return nil, err
	}
	if out["conv8_scns"], err = m.scns.Forward(g, h); err != nil {
		return nil, err
	}
	return out, nil
}

// program returns the evaluation program that outputs the given layers
// for input "audio" [N, 1, L].
func (m *Model) program(layers []string) (*nets.Program, error) {
	key := strings.Join(layers, ",")
	if p, ok := m.programs[key]; ok {
		return p, nil
	}
	for _, name := range layers {
		if !slices.Contains(Layers, name) || name == "conv8" {
			return nil, fmt.Errorf("soundnet: unknown layer %q (want one of %s)", name, strings.Join(Layers, ", "))
		}
	}
	p := nets.NewProgram(func(p *nets.Pass) error {
		outs, err := m.forwardPass(p)
		if err != nil {
			return err
		}
		for _, name := range layers {
			if err := p.Output(name, outs[name]); err != nil {
				return err
			}
		}
		return nil
	}, nets.ProgramOptions{Mode: nets.Eval, MaxShapes: 16}) // bound the memory of graphs kept for odd lengths
	m.programs[key] = p
	return p, nil
}

// Close releases the compiled evaluation graphs; the model stays usable.
func (m *Model) Close() {
	for _, p := range m.programs {
		p.Close()
	}
}

// run evaluates n inputs of l samples each (already scaled, concatenated)
// and returns each requested layer as n row-major [C, T] maps.
func (m *Model) run(batch []float32, n, l int, layers []string) (map[string][]*FeatureMap, error) {
	inner := expandLayers(layers)
	prog, err := m.program(inner)
	if err != nil {
		return nil, err
	}
	pass, err := prog.Run(nets.Feed{Name: "audio", Shape: []int{n, 1, l}, Data: batch})
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	out := map[string][]*FeatureMap{}
	for _, name := range inner {
		v, s, err := pass.Value(name)
		if err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		c, t := s[1], s[2]
		for i := 0; i < n; i++ {
			out[name] = append(out[name], &FeatureMap{Layer: name, Channels: c, Steps: t, Data: v[i*c*t : (i+1)*c*t]})
		}
	}
	for _, name := range layers {
		if name != "conv8" {
			continue
		}
		for i := 0; i < n; i++ {
			o, s := out["conv8_objs"][i], out["conv8_scns"][i]
			d := append(append([]float32(nil), o.Data...), s.Data...)
			out["conv8"] = append(out["conv8"], &FeatureMap{Layer: "conv8", Channels: o.Channels + s.Channels, Steps: o.Steps, Data: d})
		}
	}
	return out, nil
}

// expandLayers replaces "conv8" by the two heads it is made of.
func expandLayers(layers []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, l := range layers {
		if l == "conv8" {
			add("conv8_objs")
			add("conv8_scns")
		} else {
			add(l)
		}
	}
	return out
}
