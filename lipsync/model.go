package lipsync

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/nets"
)

// Kind names lip-sync models in model files (nets.SaveModel).
const Kind = "lipsync"

// Model makes the lower half of a face move with speech. It holds two
// networks:
//
//   - a sync expert (SyncNet-style): a video encoder (expert_v.*) reads the
//     lower halves of Window consecutive frames stacked as 3·Window
//     channels, an audio encoder (expert_a.*) reads the mel window of the
//     same 0.2 s; both are convolutions with batch normalisation (which
//     gets the expert off chance level quickly) ending in ReLU embeddings of Embed values whose cosine is the probability
//     that the two are in sync. It is trained first (cosine-BCE on in-sync
//     and ≥ Window-frame off-sync pairs), then frozen: it is a loss for
//     the generator and the sync metric.
//   - a generator (Wav2Lip-style): an encoder (gen_e.*) reads a reference
//     crop of the face (identity) and the target crop with everything below
//     the nose hidden, an audio encoder (gen_a.*) reads the frame's mel
//     window; their codes are added, and a decoder (gen_fc, gen_d.*,
//     gen_out) with additive skip connections from the encoder draws the
//     crop with a mouth for that speech.
//
// The buffer expert_trained is 1 once the expert has been trained.
type Model struct {
	Config Config

	expV, expA   []*block
	genE, genA   []*block
	genFC        *nets.Linear
	genD         []*block
	genOut       *nets.Conv2d
	trained      *nets.Param
	params       []*nets.Param
	expertParams []*nets.Param

	gen, exp *nets.Program // inference programs, made on first use
}

// block is a convolution (or a transposed one), optional batch
// normalisation and an optional ReLU.
type block struct {
	conv  nets.Layer
	bn    *nets.BatchNorm
	relu  bool
	h, w  int // output size
	chans int
}

func (b *block) forward(g *nets.Graph, x *G.Node) (*G.Node, error) {
	y, err := b.conv.Forward(g, x)
	if err != nil {
		return nil, err
	}
	if b.bn != nil {
		if y, err = b.bn.Forward(g, y); err != nil {
			return nil, err
		}
	}
	if b.relu {
		return nets.ReLU(y)
	}
	return y, nil
}

// stack runs blocks in turn.
func stack(g *nets.Graph, bs []*block, x *G.Node) (*G.Node, error) {
	var err error
	for _, b := range bs {
		if x, err = b.forward(g, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// builder makes the blocks of one model, collecting their params.
type builder struct {
	rng    *rand.Rand
	params []*nets.Param
	err    error
}

// conv adds a kh×kw convolution block after an input of h×w.
func (bd *builder) conv(name string, in, out, h, w, kh, kw, stride, pad int, bn, relu bool) *block {
	if bd.err != nil {
		return nil
	}
	c, err := nets.NewConv2d(name, in, out, kh, kw, nets.Conv2dOptions{Stride: [2]int{stride, stride}, Padding: [2]int{pad, pad}, NoBias: bn}, bd.rng)
	if err != nil {
		bd.err = err
		return nil
	}
	b := &block{conv: c, relu: relu, chans: out, h: (h+2*pad-kh)/stride + 1, w: (w+2*pad-kw)/stride + 1}
	bd.params = append(bd.params, c.Params()...)
	if bn {
		bd.bn(name, b)
	}
	return b
}

// up adds a 2× transposed-convolution block.
func (bd *builder) up(name string, in, out, h, w int) *block {
	if bd.err != nil {
		return nil
	}
	c, err := nets.NewConvTranspose2d(name, nets.ConvTranspose2dConfig{In: in, Out: out, Kernel: 4, Stride: 2, Padding: 1}, bd.rng)
	if err != nil {
		bd.err = err
		return nil
	}
	b := &block{conv: c, relu: true, chans: out, h: 2 * h, w: 2 * w}
	bd.params = append(bd.params, c.Params()...)
	bd.bn(name, b)
	return b
}

func (bd *builder) bn(name string, b *block) {
	n, err := nets.NewBatchNorm2d(name+"_bn", b.chans)
	if err != nil {
		bd.err = err
		return
	}
	b.bn = n
	bd.params = append(bd.params, n.Params()...)
}

// encoder adds a stack that halves an h×w input three times from c
// channels, doubling them, and ends in a convolution over the whole
// remaining map to out values (a [N, out, 1, 1] code, after a ReLU).
func (bd *builder) encoder(name string, in, c, h, w, out int, bn bool) []*block {
	bs := []*block{bd.conv(fmt.Sprintf("%s.0", name), in, c, h, w, 3, 3, 1, 1, bn, true)}
	for i := 1; i <= 3 && bd.err == nil; i++ {
		p := bs[i-1]
		bs = append(bs, bd.conv(fmt.Sprintf("%s.%d", name, i), p.chans, 2*p.chans, p.h, p.w, 3, 3, 2, 1, bn, true))
	}
	if bd.err != nil {
		return nil
	}
	p := bs[3]
	return append(bs, bd.conv(fmt.Sprintf("%s.4", name), p.chans, out, p.h, p.w, p.h, p.w, 1, 0, false, true))
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg}
	k, w := cfg.crop(), cfg.Width
	bd := &builder{rng: rand.New(rand.NewSource(cfg.Seed))}
	m.expV = bd.encoder("expert_v", 3*cfg.Window, cfg.Expert, k, k, cfg.Embed, true)
	m.expA = bd.encoder("expert_a", 1, cfg.Expert, cfg.NMels, cfg.MelFrames, cfg.Embed, true)
	m.expertParams = bd.params
	m.trained = nets.NewBuffer("expert_trained", 1)
	bd.params = append(bd.params, m.trained)
	m.genE = bd.encoder("gen_e", 6, w, k, k, 8*w, true)
	m.genA = bd.encoder("gen_a", 1, w, cfg.NMels, cfg.MelFrames, 8*w, true)
	if bd.err == nil {
		s := k / 8
		m.genFC, bd.err = nets.NewLinear("gen_fc", 8*w, 8*w*s*s, true, bd.rng)
		if bd.err == nil {
			bd.params = append(bd.params, m.genFC.Params()...)
		}
		for i, c := 3, 8*w; i >= 1 && bd.err == nil; i-- {
			m.genD = append(m.genD, bd.up(fmt.Sprintf("gen_d.%d", i), c, c/2, s, s))
			c, s = c/2, 2*s
		}
	}
	if bd.err == nil {
		m.genOut, bd.err = nets.NewConv2d("gen_out", w, 3, 3, 3, nets.Conv2dOptions{Padding: [2]int{1, 1}}, bd.rng)
		if bd.err == nil {
			bd.params = append(bd.params, m.genOut.Params()...)
		}
	}
	if bd.err != nil {
		return nil, fmt.Errorf("lipsync: %w", bd.err)
	}
	m.params = bd.params
	return m, nil
}

// Params lists every tensor of the model in state_dict order.
func (m *Model) Params() []*nets.Param { return m.params }

// ExpertTrained reports whether the sync expert has been trained.
func (m *Model) ExpertTrained() bool { return m.trained.Data[0] == 1 }

// Save writes the model as safetensors with its Config in the metadata
// (atomically).
func (m *Model) Save(path string) error {
	if err := nets.SaveModel(path, Kind, m, m.Config, nil); err != nil {
		return fmt.Errorf("lipsync: %w", err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("lipsync: %w", err)
	}
	return m, nil
}

// Close releases the model's compiled graphs; the model stays usable.
func (m *Model) Close() {
	for _, p := range []*nets.Program{m.gen, m.exp} {
		if p != nil {
			p.Close()
		}
	}
}

// flat turns a [N, D, 1, 1] code into [N, D].
func flat(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	return nets.Reshape(x, tensor.Shape{s[0], s[1]})
}

// embed runs the expert's encoders: video [N, 3·Window, k, k] and mel
// [N, 1, n_mels, mel_frames] to embeddings [N, Embed] each.
func (m *Model) embed(g *nets.Graph, video, mel *G.Node) (v, a *G.Node, err error) {
	if video != nil {
		if v, err = stack(g, m.expV, video); err != nil {
			return nil, nil, err
		}
		if v, err = flat(v); err != nil {
			return nil, nil, err
		}
	}
	if mel != nil {
		if a, err = stack(g, m.expA, mel); err != nil {
			return nil, nil, err
		}
		if a, err = flat(a); err != nil {
			return nil, nil, err
		}
	}
	return v, a, nil
}

// syncProb is the expert's probability that embeddings v and a [N, E]
// are in sync: their cosine (both are ReLU outputs, so it lies in
// [0, 1]), kept a hair inside (0, 1) for the logarithms.
func syncProb(v, a *G.Node) (_ *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lipsync: sync probability: %v", r)
		}
	}()
	dot := G.Must(G.Sum(G.Must(G.HadamardProd(v, a)), 1))
	nv := G.Must(G.Sum(G.Must(G.Square(v)), 1))
	na := G.Must(G.Sum(G.Must(G.Square(a)), 1))
	den := G.Must(G.Sqrt(G.Must(G.Add(G.Must(G.HadamardProd(nv, na)), G.NewConstant(float32(1e-12))))))
	cos := G.Must(G.HadamardDiv(dot, den))
	const eps = 1e-4
	return G.Add(G.Must(G.Mul(cos, G.NewConstant(float32(1-2*eps)))), G.NewConstant(float32(eps)))
}

// expertDefine declares the expert's pass: inputs "video" and/or "mel",
// outputs "v" and/or "a" (the embeddings); with "label" [N] (1 in sync,
// 0 not) fed, the binary cross-entropy of the sync probability.
func (m *Model) expertDefine() func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		g := p.Graph()
		var video, mel *G.Node
		var err error
		if p.Has("video") {
			if video, err = p.Input("video"); err != nil {
				return err
			}
		}
		if p.Has("mel") {
			if mel, err = p.Input("mel"); err != nil {
				return err
			}
		}
		v, a, err := m.embed(g, video, mel)
		if err != nil {
			return err
		}
		if v != nil {
			if err := p.Output("v", v); err != nil {
				return err
			}
		}
		if a != nil {
			if err := p.Output("a", a); err != nil {
				return err
			}
		}
		if !p.Has("label") {
			return nil
		}
		y, err := p.Input("label")
		if err != nil {
			return err
		}
		prob, err := syncProb(v, a)
		if err != nil {
			return err
		}
		loss, err := bce(prob, y)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}
}

// bce is the mean binary cross-entropy of probabilities p against labels y.
func bce(p, y *G.Node) (_ *G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lipsync: BCE: %v", r)
		}
	}()
	one := G.NewConstant(float32(1))
	pos := G.Must(G.HadamardProd(y, G.Must(G.Log(p))))
	neg := G.Must(G.HadamardProd(G.Must(G.Sub(one, y)), G.Must(G.Log(G.Must(G.Sub(one, p))))))
	return G.Neg(G.Must(G.Mean(G.Must(G.Add(pos, neg)))))
}

// generate runs the generator: faces [N, 6, k, k] (reference crop, then
// the masked target crop) and mel [N, 1, n_mels, mel_frames] to crops
// [N, 3, k, k] in [0, 1].
func (m *Model) generate(g *nets.Graph, faces, mel *G.Node) (*G.Node, error) {
	n := faces.Shape()[0]
	skips := make([]*G.Node, len(m.genE))
	x := faces
	var err error
	for i, b := range m.genE {
		if x, err = b.forward(g, x); err != nil {
			return nil, err
		}
		skips[i] = x
	}
	a, err := stack(g, m.genA, mel)
	if err != nil {
		return nil, err
	}
	if x, err = G.Add(x, a); err != nil {
		return nil, err
	}
	if x, err = flat(x); err != nil {
		return nil, err
	}
	if x, err = m.genFC.Forward(g, x); err != nil {
		return nil, err
	}
	e3 := skips[3].Shape()
	if x, err = nets.Reshape(x, tensor.Shape{n, e3[1], e3[2], e3[3]}); err != nil {
		return nil, err
	}
	if x, err = nets.ReLU(x); err != nil {
		return nil, err
	}
	for i, b := range m.genD {
		if x, err = G.Add(x, skips[3-i]); err != nil {
			return nil, err
		}
		if x, err = b.forward(g, x); err != nil {
			return nil, err
		}
	}
	if x, err = G.Add(x, skips[0]); err != nil {
		return nil, err
	}
	if x, err = m.genOut.Forward(g, x); err != nil {
		return nil, err
	}
	return nets.Sigmoid(x)
}

// genDefine declares the generator's pass: inputs "faces" and "mel",
// output "out"; with "target" fed, the loss (1−w)·L1 + w·sync, where the
// sync term, −log of the frozen expert's sync probability, needs
// "syncmel" [B, 1, n_mels, mel_frames] with N = B·Window (the frames of
// each window consecutive) and SyncWeight > 0.
func (m *Model) genDefine() func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		g := p.Graph()
		faces, err := p.Input("faces")
		if err != nil {
			return err
		}
		mel, err := p.Input("mel")
		if err != nil {
			return err
		}
		out, err := m.generate(g, faces, mel)
		if err != nil {
			return err
		}
		if err := p.Output("out", out); err != nil {
			return err
		}
		if !p.Has("target") {
			return nil
		}
		target, err := p.Input("target")
		if err != nil {
			return err
		}
		loss, err := nets.L1Loss(out, target)
		if err != nil {
			return err
		}
		if w := m.Config.SyncWeight; w > 0 && p.Has("syncmel") {
			sm, err := p.Input("syncmel")
			if err != nil {
				return err
			}
			b, k := sm.Shape()[0], m.Config.crop()
			vid, err := nets.Reshape(out, tensor.Shape{b, 3 * m.Config.Window, k, k})
			if err != nil {
				return err
			}
			v, a, err := m.embed(g, vid, sm)
			if err != nil {
				return err
			}
			prob, err := syncProb(v, a)
			if err != nil {
				return err
			}
			lp, err := G.Log(prob)
			if err != nil {
				return err
			}
			sync, err := G.Mean(lp)
			if err != nil {
				return err
			}
			l1w, err := G.Mul(loss, G.NewConstant(float32(1-w)))
			if err != nil {
				return err
			}
			sw, err := G.Mul(sync, G.NewConstant(float32(w)))
			if err != nil {
				return err
			}
			if loss, err = G.Sub(l1w, sw); err != nil {
				return err
			}
		}
		return p.Minimize(loss)
	}
}
