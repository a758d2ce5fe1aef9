package soundnet

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

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

	runners map[string]*runner // eval graphs by batch, length and layers
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	m := &Model{Config: cfg, runners: map[string]*runner{}}
	ch := cfg.Channels()
	in := 1
	for i, s := range table {
		c, err := nets.NewConv1d(fmt.Sprintf("conv%d", i+1), in, ch[i], s.kernel,
			nets.Conv1dOptions{Stride: s.stride, Padding: s.pad}, rng)
		if err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		m.convs[i] = c
		m.bns[i] = nets.NewBatchNorm1d(fmt.Sprintf("bn%d", i+1), ch[i])
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

// metaConfig is the safetensors metadata key of the Config JSON.
const metaConfig = "soundnet.config"

// Save writes the model as safetensors with its Config in the metadata
// (written to a temporary file and renamed).
func (m *Model) Save(path string) error {
	return nets.SaveSafetensors(path, m.params, map[string]string{metaConfig: m.Config.marshal(), "format": "soundnet8"})
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	_, meta, err := nets.ReadSafetensors(path)
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	js, ok := meta[metaConfig]
	if !ok {
		return nil, fmt.Errorf("soundnet: %s: no %q metadata: not a SoundNet model file (LoadWeights reads bare weights into a model built with New)", path, metaConfig)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(js), &cfg); err != nil {
		return nil, fmt.Errorf("soundnet: %s: config metadata: %w", path, err)
	}
	m, err := New(cfg)
	if err != nil {
		return nil, fmt.Errorf("soundnet: %s: %w", path, err)
	}
	if err := m.LoadWeights(path); err != nil {
		return nil, err
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
		if h, err = m.bns[i].Forward(g, h); err != nil {
			return nil, err
		}
		if h, err = nets.ReLU(h); err != nil {
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

// runner is a compiled evaluation graph for one batch size and length.
type runner struct {
	n, l    int
	x       *G.Node
	mach    *nets.Machine
	watches map[string]*nets.Watch
}

// evalRunner returns the cached eval graph for n inputs of l samples that
// watches the given layers.
func (m *Model) evalRunner(n, l int, layers []string) (*runner, error) {
	key := fmt.Sprintf("%d/%d/%s", n, l, strings.Join(layers, ","))
	if r, ok := m.runners[key]; ok {
		return r, nil
	}
	if len(m.runners) > 16 { // bound the memory of graphs kept for odd lengths
		m.Close()
	}
	g := nets.NewGraph(nets.Eval, 0)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(n, 1, l), G.WithName("audio"))
	outs, err := m.forward(g, x)
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	r := &runner{n: n, l: l, x: x, watches: map[string]*nets.Watch{}}
	for _, name := range layers {
		node := outs[name]
		if name == "conv8" {
			continue // assembled from the two heads
		}
		if node == nil {
			return nil, fmt.Errorf("soundnet: unknown layer %q (want one of %s)", name, strings.Join(Layers, ", "))
		}
		if r.watches[name], err = nets.NewWatch(node); err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
	}
	if r.mach, err = nets.NewMachine(g, nil); err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	m.runners[key] = r
	return r, nil
}

// Close releases the compiled evaluation graphs; the model stays usable.
func (m *Model) Close() {
	for k, r := range m.runners {
		r.mach.Close()
		delete(m.runners, k)
	}
}

// run evaluates n inputs of l samples each (already scaled, concatenated)
// and returns each requested layer as n row-major [C, T] maps.
func (m *Model) run(batch []float32, n, l int, layers []string) (map[string][]*FeatureMap, error) {
	inner := expandLayers(layers)
	r, err := m.evalRunner(n, l, inner)
	if err != nil {
		return nil, err
	}
	if err := nets.Let(r.x, batch); err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	if err := r.mach.Run(); err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	out := map[string][]*FeatureMap{}
	for _, name := range inner {
		w := r.watches[name]
		v, err := w.Value()
		if err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		s := w.Shape()
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
