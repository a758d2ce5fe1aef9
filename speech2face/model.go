package speech2face

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/nets"
)

// Kind names speech2face models in model files (nets.SaveModel).
const Kind = "speech2face"

// Model is the three networks of Speech2Face, trained one after the other
// (see Train):
//
//   - the face recogniser (face.conv1 … face.conv4, four 3×3 stride-2
//     convolutions with ReLU, then face.fc7, the identity embedding, and
//     face.fc8, logits over Config.Identities);
//   - the face decoder (decoder.fc, a ReLU layer from the embedding to a
//     FaceSize/8 grid, then decoder.up1 … decoder.up3, 2× transposed
//     convolutions, the last one through a sigmoid to RGB in [0, 1]): it
//     draws the frontal, neutral face of an embedding. The paper decodes
//     landmarks and a texture and warps one by the other; a convolutional
//     decoder is simpler and enough for faces that are already aligned;
//   - the voice encoder (voice.conv0, a 1×1 convolution over the real and
//     imaginary parts of every frequency bin, voice.conv1 … voice.conv3,
//     3-tap convolutions over time with max pooling, an average over time,
//     then voice.fc1, voice.fc2): Config.Window STFT frames → a face
//     embedding.
//
// FaceFromVoice chains the voice encoder and the decoder.
type Model struct {
	Config Config

	face    nets.Sequential // image → fc7 (the embedding)
	fc8     *nets.Linear
	dec1    nets.Sequential // embedding → decoder features (ReLU(decoder.fc))
	dec2    nets.Sequential // decoder features, reshaped → image
	voice   nets.Sequential // [N, 2·bins, Window] → [N, Voice, 1]
	voiceFC nets.Sequential // → embedding
	params  []*nets.Param

	// parameters of each network, for freezing
	faceParams, decParams, voiceParams []*nets.Param

	infer map[string]*nets.Program
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Identities = append([]string(nil), cfg.Identities...)
	m := &Model{Config: cfg, infer: map[string]*nets.Program{}}
	rng := rand.New(rand.NewSource(cfg.Seed))
	w, s, e := cfg.Width, cfg.FaceSize, cfg.Embed
	var err error
	conv2 := func(name string, in, out int) *nets.Conv2d {
		c, e := nets.NewConv2d(name, in, out, 3, 3, nets.Conv2dOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, rng)
		if err == nil {
			err = e
		}
		return c
	}
	lin := func(name string, in, out int) *nets.Linear {
		l, e := nets.NewLinear(name, in, out, true, rng)
		if err == nil {
			err = e
		}
		return l
	}
	conv1 := func(name string, in, out, k int) *nets.Conv1d {
		c, e := nets.NewConv1d(name, in, out, k, nets.Conv1dOptions{Padding: k / 2}, rng)
		if err == nil {
			err = e
		}
		return c
	}
	up := func(name string, in, out int) *nets.ConvTranspose2d {
		c, e := nets.NewConvTranspose2d(name, nets.ConvTranspose2dConfig{In: in, Out: out, Kernel: 4, Stride: 2, Padding: 1, Bias: true}, rng)
		if err == nil {
			err = e
		}
		return c
	}
	relu := nets.NewReLU()
	g := s / 16
	m.face = nets.Sequential{
		conv2("face.conv1", 3, w), relu, conv2("face.conv2", w, 2*w), relu,
		conv2("face.conv3", 2*w, 4*w), relu, conv2("face.conv4", 4*w, 8*w), relu,
		nets.NewFlatten(), lin("face.fc7", 8*w*g*g, e),
	}
	m.fc8 = lin("face.fc8", e, len(cfg.Identities))
	m.dec1 = nets.Sequential{lin("decoder.fc", e, m.decFeatures()), relu}
	m.dec2 = nets.Sequential{up("decoder.up1", 4*w, 2*w), relu, up("decoder.up2", 2*w, w), relu, up("decoder.up3", w, 3), nets.NewSigmoid()}
	v := cfg.Voice
	m.voice = nets.Sequential{
		conv1("voice.conv0", 2*cfg.bins(), v, 1), relu,
		conv1("voice.conv1", v, v, 3), relu, nets.NewMaxPool1d(2, 2, 0),
		conv1("voice.conv2", v, v, 3), relu, nets.NewMaxPool1d(2, 2, 0),
		conv1("voice.conv3", v, v, 3), relu,
	}
	m.voiceFC = nets.Sequential{lin("voice.fc1", v, v), relu, lin("voice.fc2", v, e)}
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	m.faceParams = append(m.face.Params(), m.fc8.Params()...)
	m.decParams = append(m.dec1.Params(), m.dec2.Params()...)
	m.voiceParams = append(m.voice.Params(), m.voiceFC.Params()...)
	m.params = append(append(append([]*nets.Param(nil), m.faceParams...), m.decParams...), m.voiceParams...)
	return m, nil
}

// decFeatures is the width of the decoder's first layer: 4·Width channels
// on a FaceSize/8 grid.
func (m *Model) decFeatures() int {
	g := m.Config.FaceSize / 8
	return 4 * m.Config.Width * g * g
}

// Params lists every tensor of the model in state_dict order.
func (m *Model) Params() []*nets.Param { return m.params }

// Save writes the model as safetensors with its Config in the metadata
// (atomically).
func (m *Model) Save(path string) error {
	if err := nets.SaveModel(path, Kind, m, m.Config, nil); err != nil {
		return fmt.Errorf("speech2face: %w", err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	return m, nil
}

// Close releases the model's compiled graphs; the model stays usable.
func (m *Model) Close() {
	for k, p := range m.infer {
		p.Close()
		delete(m.infer, k)
	}
}

// program returns the model's inference program of the given pass.
func (m *Model) program(name string, define func(p *nets.Pass) error) *nets.Program {
	p, ok := m.infer[name]
	if !ok {
		p = nets.NewProgram(define, nets.ProgramOptions{Mode: nets.Eval})
		m.infer[name] = p
	}
	return p
}

// freeze marks the learnable tensors of ps as buffers, so that a stage
// trains the other networks only (the optimiser skips buffers and no
// gradient is computed for them); the returned function undoes it.
func freeze(ps ...[]*nets.Param) func() {
	var done []*nets.Param
	for _, l := range ps {
		for _, p := range l {
			if !p.Buffer {
				p.Buffer = true
				done = append(done, p)
			}
		}
	}
	return func() {
		for _, p := range done {
			p.Buffer = false
		}
	}
}

// recognise runs the face recogniser on images [N, 3, S, S]: the
// embedding and the logits.
func (m *Model) recognise(g *nets.Graph, x *G.Node) (emb, logits *G.Node, err error) {
	if emb, err = m.face.Forward(g, x); err != nil {
		return nil, nil, err
	}
	logits, err = m.fc8.Forward(g, emb)
	return emb, logits, err
}

// decode runs the face decoder on embeddings [N, E]: its first layer's
// features and the image [N, 3, S, S].
func (m *Model) decode(g *nets.Graph, emb *G.Node) (feat, img *G.Node, err error) {
	if feat, err = m.dec1.Forward(g, emb); err != nil {
		return nil, nil, err
	}
	n, q := emb.Shape()[0], m.Config.FaceSize/8
	x, err := nets.Reshape(feat, tensor.Shape{n, 4 * m.Config.Width, q, q})
	if err != nil {
		return nil, nil, err
	}
	img, err = m.dec2.Forward(g, x)
	return feat, img, err
}

// encodeVoice runs the voice encoder on spectrogram windows [N, 2·bins, T].
func (m *Model) encodeVoice(g *nets.Graph, x *G.Node) (*G.Node, error) {
	h, err := m.voice.Forward(g, x)
	if err != nil {
		return nil, err
	}
	t := h.Shape()[2]
	if h, err = nets.NewAvgPool1d(t, t, 0).Forward(g, h); err != nil {
		return nil, err
	}
	if h, err = nets.Reshape(h, tensor.Shape{h.Shape()[0], m.Config.Voice}); err != nil {
		return nil, err
	}
	return m.voiceFC.Forward(g, h)
}

// scaled returns w·x for a scalar node x.
func scaled(x *G.Node, w float64) (*G.Node, error) {
	return G.Mul(x, G.NewConstant(float32(w)))
}

// sum adds scalar nodes, skipping nil ones.
func sum(xs ...*G.Node) (*G.Node, error) {
	var s *G.Node
	for _, x := range xs {
		if x == nil {
			continue
		}
		if s == nil {
			s = x
			continue
		}
		var err error
		if s, err = G.Add(s, x); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// defineFace declares the recogniser's pass: input "face" [N, 3, S, S];
// outputs "embed" and "logits"; with "label" [N] fed, the cross-entropy
// over the training identities (stage 1), plus, with "teacher" [N, E]
// fed, the mean squared error between the embedding and the teacher's.
func (m *Model) defineFace(p *nets.Pass) error {
	x, err := p.Input("face")
	if err != nil {
		return err
	}
	emb, logits, err := m.recognise(p.Graph(), x)
	if err != nil {
		return err
	}
	if err := p.Output("embed", emb); err != nil {
		return err
	}
	if err := p.Output("logits", logits); err != nil {
		return err
	}
	if !p.Has("teacher") {
		return p.MinimizeCrossEntropy(logits, "label")
	}
	y, err := p.Input("label")
	if err != nil {
		return err
	}
	te, err := p.Input("teacher")
	if err != nil {
		return err
	}
	ce, err := nets.CrossEntropyLoss(logits, y)
	if err != nil {
		return err
	}
	mse, err := nets.MSELoss(emb, te)
	if err != nil {
		return err
	}
	loss, err := sum(ce, mse)
	if err != nil {
		return err
	}
	return p.Minimize(loss)
}

// defineDecoder declares the decoder's pass: input "embed" [N, E]; output
// "image"; with "target" [N, 3, S, S] and "target_embed" [N, E] fed, the
// pixel L1 plus Config.Consistency times the L1 between the recogniser's
// embedding of the decoded face and target_embed (stage 2).
func (m *Model) defineDecoder(p *nets.Pass) error {
	e, err := p.Input("embed")
	if err != nil {
		return err
	}
	g := p.Graph()
	_, img, err := m.decode(g, e)
	if err != nil {
		return err
	}
	if err := p.Output("image", img); err != nil {
		return err
	}
	if !p.Has("target") {
		return nil
	}
	y, err := p.Input("target")
	if err != nil {
		return err
	}
	ye, err := p.Input("target_embed")
	if err != nil {
		return err
	}
	pix, err := nets.L1Loss(img, y)
	if err != nil {
		return err
	}
	var cons *G.Node
	if m.Config.Consistency > 0 {
		re, _, err := m.recognise(g, img)
		if err != nil {
			return err
		}
		if cons, err = nets.L1Loss(re, ye); err != nil {
			return err
		}
		if cons, err = scaled(cons, m.Config.Consistency); err != nil {
			return err
		}
	}
	loss, err := sum(pix, cons)
	if err != nil {
		return err
	}
	return p.Minimize(loss)
}

// defineVoice declares the voice encoder's pass: input "voice" [N, 2·bins,
// Window]; output "embed"; with the face side's targets fed — "vf" [N, E]
// (the face embedding), "feat" (the decoder's first-layer features of vf)
// and "prob" [N, K] (softmax(fc8(vf)/T)) — the stage-3 loss:
// L1(v_s, v_f) + L1(dec1(v_s), dec1(v_f)) + Lambda1·2(1 − cos(v_s, v_f)),
// which is ‖v_f/|v_f| − v_s/|v_s|‖², + Lambda2·KL at temperature T.
func (m *Model) defineVoice(p *nets.Pass) error {
	x, err := p.Input("voice")
	if err != nil {
		return err
	}
	g := p.Graph()
	vs, err := m.encodeVoice(g, x)
	if err != nil {
		return err
	}
	if err := p.Output("embed", vs); err != nil {
		return err
	}
	if !p.Has("vf") {
		return nil
	}
	vf, err := p.Input("vf")
	if err != nil {
		return err
	}
	ff, err := p.Input("feat")
	if err != nil {
		return err
	}
	pf, err := p.Input("prob")
	if err != nil {
		return err
	}
	l1, err := nets.L1Loss(vs, vf)
	if err != nil {
		return err
	}
	fs, err := m.dec1.Forward(g, vs)
	if err != nil {
		return err
	}
	l1f, err := nets.L1Loss(fs, ff)
	if err != nil {
		return err
	}
	var cos, kl *G.Node
	if c := m.Config.Lambda1; c > 0 {
		if cos, err = nets.CosineLoss(vs, vf); err != nil {
			return err
		}
		if cos, err = scaled(cos, 2*c); err != nil {
			return err
		}
	}
	if c := m.Config.Lambda2; c > 0 {
		lg, err := m.fc8.Forward(g, vs)
		if err != nil {
			return err
		}
		if lg, err = scaled(lg, 1/m.Config.Temperature); err != nil {
			return err
		}
		ls, err := nets.LogSoftmaxAxis(lg, 1)
		if err != nil {
			return err
		}
		if kl, err = nets.KLDivLoss(ls, pf); err != nil {
			return err
		}
		if kl, err = scaled(kl, c); err != nil {
			return err
		}
	}
	loss, err := sum(l1, l1f, cos, kl)
	if err != nil {
		return err
	}
	return p.Minimize(loss)
}
