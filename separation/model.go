package separation

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/nets"
)

// Model is a face-conditioned mask separator after Ephrat et al., "Looking
// to Listen at the Cocktail Party" (SIGGRAPH 2018), scaled down for a CPU:
//
//   - audio stream: the compressed mixture STFT (|X|^p, and the real and
//     imaginary parts of |X|^p·e^{iφ}, every bin a channel) through a 1×1
//     convolution and residual dilated temporal convolutions
//     (audio_in, audio_conv{i});
//   - visual stream, one per face with shared weights: the grey mouth
//     crop of every video frame through two stride-2 3×3 convolutions and
//     a linear layer (face_conv1, face_conv2, face_fc), then dilated
//     temporal convolutions (face_tconv{i}), then upsampled from the video
//     rate to the STFT frame rate by taking, for each STFT frame, the video
//     frame on screen at its centre (×4 repetition at 25 fps and a 10 ms
//     hop);
//   - fusion: the audio stream and the visual streams in face order
//     concatenated per STFT frame, a BiLSTM (blstm), two ReLU layers
//     (fc1, fc2), and per speaker one mask head (mask{s}_re, and
//     mask{s}_im for complex masks);
//   - output: mask × compressed mixture, decompressed, one-sided inverse
//     STFT: one waveform per face, as long as the mixture, in face order.
//
// With Config.Combs > 0 every mask's (real part's) logit also gets a
// harmonic comb term: per speaker a softmax over candidate fundamentals
// (pitch{s}, from the fused features and the mixture's harmonic salience)
// picks a comb from a fixed bank, and per-bin gains (comb{s}_{j}, from the
// fused features) weigh speaker j's comb in speaker s's mask. See
// combs for why. With Config.TrackPitch the BiLSTM sees the salience
// too. Config.MultiPitch adds combs from a fixed estimate of two
// fundamentals per frame (pitchPair), whose description the BiLSTM sees;
// one layer (assign) decides which face has which.
//
// The paper frames the audio without centre padding (3 s → 298 frames);
// here frames are centred with zero padding (3 s → 301 frames) because an
// uncentred Hann analysis gives the first and last NFFT/2 samples a zero
// overlap-add envelope, so the inverse STFT could not return a waveform as
// long as the mixture.
type Model struct {
	Config Config

	audioIn    *nets.Conv1d
	audioConvs []*nets.Conv1d
	faceConv1  *nets.Conv2d
	faceConv2  *nets.Conv2d
	faceFC     *nets.Linear
	faceTConvs []*nets.Conv1d
	faceAux    *nets.Linear // VisualAux: visual features → the speaker's loudness (training only)
	blstm      *nets.LSTM
	fc1, fc2   *nets.Linear
	heads      [][2]*nets.Linear // per speaker: re, im (im nil for real masks)
	params     []*nets.Param

	// Harmonic combs (Config.Combs > 0)
	comb     []float32 // fixed bank of harmonic combs [Combs, F]
	pitch    []*nets.Linear
	assign   *nets.Linear // MultiPitch: fused features → logit of "face 1 has the first fundamental"
	combGain [][]*nets.Linear
	pairGain [][]*nets.Linear // MultiPitch

	infer *nets.Program // inference: mixtures and faces → masked mixtures
}

// faceGeom returns the feature map sizes after the two stride-2 convs.
func (c Config) faceGeom() (h, w int) {
	o := func(n int) int { return (n+2-3)/2 + 1 }
	return o(o(c.MouthH)), o(o(c.MouthW))
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Dilations = append([]int(nil), cfg.Dilations...)
	cfg.VisualDil = append([]int(nil), cfg.VisualDil...)
	rng := rand.New(rand.NewSource(cfg.Seed))
	m := &Model{Config: cfg}
	var err error
	must := func(l interface{ Params() []*nets.Param }, e error) {
		if err == nil && e != nil {
			err = e
		}
		if e == nil {
			m.params = append(m.params, l.Params()...)
		}
	}
	f := cfg.Bins()
	c := cfg.AudioChannels
	m.audioIn, err = nets.NewConv1d("audio_in", 3*f, c, 1, nets.Conv1dOptions{}, rng)
	must(m.audioIn, err)
	for i, d := range cfg.Dilations {
		l, e := nets.NewConv1d(fmt.Sprintf("audio_conv%d", i+1), c, c, 3, nets.Conv1dOptions{Padding: d, Dilation: d}, rng)
		m.audioConvs = append(m.audioConvs, l)
		must(l, e)
	}
	in := c
	if !cfg.AudioOnly {
		v := cfg.VisualDim
		m.faceConv1, err = nets.NewConv2d("face_conv1", 1, 8, 3, 3, nets.Conv2dOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, rng)
		must(m.faceConv1, err)
		m.faceConv2, err = nets.NewConv2d("face_conv2", 8, 16, 3, 3, nets.Conv2dOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, rng)
		must(m.faceConv2, err)
		fh, fw := cfg.faceGeom()
		m.faceFC, err = nets.NewLinear("face_fc", 16*fh*fw, v, true, rng)
		must(m.faceFC, err)
		for i, d := range cfg.VisualDil {
			l, e := nets.NewConv1d(fmt.Sprintf("face_tconv%d", i+1), v, v, 3, nets.Conv1dOptions{Padding: d, Dilation: d}, rng)
			m.faceTConvs = append(m.faceTConvs, l)
			must(l, e)
		}
		in += cfg.Speakers * v
	}
	if cfg.TrackPitch {
		in += cfg.Combs
	}
	if cfg.MultiPitch {
		in += pairFeatures
	}
	m.blstm, err = nets.NewLSTM("blstm", nets.LSTMConfig{Input: in, Hidden: cfg.LSTMHidden, Layers: 1, Bidirectional: true, BatchFirst: true}, rng)
	must(m.blstm, err)
	m.fc1, err = nets.NewLinear("fc1", 2*cfg.LSTMHidden, cfg.FCHidden, true, rng)
	must(m.fc1, err)
	m.fc2, err = nets.NewLinear("fc2", cfg.FCHidden, cfg.FCHidden, true, rng)
	must(m.fc2, err)
	for s := 0; s < cfg.Speakers; s++ {
		var h [2]*nets.Linear
		h[0], err = nets.NewLinear(fmt.Sprintf("mask%d_re", s+1), cfg.FCHidden, f, true, rng)
		must(h[0], err)
		if cfg.Mask == MaskComplex {
			h[1], err = nets.NewLinear(fmt.Sprintf("mask%d_im", s+1), cfg.FCHidden, f, true, rng)
			must(h[1], err)
		}
		m.heads = append(m.heads, h)
	}
	if cfg.Combs > 0 {
		m.newCombLayers(rng, must)
	}
	if cfg.VisualAux > 0 { // last, so that the other layers draw the same weights without it
		m.faceAux, err = nets.NewLinear("face_aux", cfg.VisualDim, 1, true, rng)
		must(m.faceAux, err)
	}
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return m, nil
}

// Params lists every tensor of the model in save order.
func (m *Model) Params() []*nets.Param { return m.params }

// Kind names separation models in model files (nets.SaveModel).
const Kind = "separation"

// Save writes the model as safetensors with its Config in the metadata
// (to a temporary file, then renamed).
func (m *Model) Save(path string) error {
	if err := nets.SaveModel(path, Kind, m, m.Config, nil); err != nil {
		return fmt.Errorf("separation: %w", err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	var cfg Config
	m, _, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	return m, nil
}

// graph is the network for a batch of n mixtures of t STFT frames and vf
// video frames.
type graph struct {
	n, t, vf int
	g        *nets.Graph
	audio    *G.Node   // [n, 3F, t]: |X|^p, Re, Im of the compressed mixture
	xr, xi   *G.Node   // [n, t, F] compressed mixture
	sal      *G.Node   // [n, t, Combs] harmonic salience of the mixture (Combs > 0)
	pitch    []*G.Node // per speaker [n, t, Combs] distribution over candidate fundamentals (Combs > 0)
	assign   *G.Node   // [n, t, 1] probability that face 1 has the pitch pair's first fundamental (MultiPitch)
	pairA    *G.Node   // [n, t, F] comb of the pitch pair's first fundamental (MultiPitch)
	pairD    *G.Node   // [n, t, F] that comb minus the second's
	pair     *G.Node   // [n, t, pairFeatures] the pitch pair's description, a BiLSTM input
	faces    []*G.Node // per speaker [n·vf, 1, MouthH, MouthW]
	vis      []*G.Node // per speaker [n, VisualDim, t] visual features on the STFT's frames
	mr, mi   []*G.Node // per speaker [n, t, F] mask (mi nil for real masks)
	er, ei   []*G.Node // per speaker [n, t, F] masked compressed mixture

	// training only
	sr, si []*G.Node // per speaker targets [n, t, F] (compressed-spectrogram loss)
	// LossSISDR only
	lin    []*G.Node // per speaker [n, t, F] linear real mask
	lr, li *G.Node   // [n, t, F] linear mixture
	wav    []*G.Node // per speaker [n, samples] target waveform
	loss   *G.Node
}

func relu(x *G.Node, err error) (*G.Node, error) {
	if err != nil {
		return nil, err
	}
	return nets.ReLU(x)
}

// build declares the network in pass p: its inputs (see inputs) come from
// the feeds, whose shapes give the batch n, the STFT frames t and the
// video frames vf.
func (m *Model) build(p *nets.Pass) (k *graph, err error) {
	cfg := m.Config
	sh := p.Shape("mix_re")
	if len(sh) != 3 {
		return nil, fmt.Errorf("separation: mixture input of shape %v, want [n, t, F]", sh)
	}
	n, t := sh[0], sh[1]
	vf := 1
	if !cfg.AudioOnly {
		if fs := p.Shape("face1"); len(fs) > 0 {
			vf = fs[0] / n
		}
	}
	k = &graph{n: n, t: t, vf: vf, g: p.Graph()}
	in := func(name string) *G.Node {
		x, e := p.Input(name)
		if err == nil {
			err = e
		}
		return x
	}
	k.audio, k.xr, k.xi = in("audio"), in("mix_re"), in("mix_im")
	if cfg.Combs > 0 {
		k.sal = in("salience")
	}
	if cfg.MultiPitch {
		k.pairA, k.pairD, k.pair = in("pair_a"), in("pair_d"), in("pair")
	}
	if !cfg.AudioOnly {
		for s := 0; s < cfg.Speakers; s++ {
			k.faces = append(k.faces, in(fmt.Sprintf("face%d", s+1)))
		}
	}
	if err != nil {
		return nil, err
	}
	h, err := m.audioFrames(k)
	if err != nil {
		return nil, err
	}
	streams := []*G.Node{h}
	if !cfg.AudioOnly {
		up := G.NewConstant(tensor.New(tensor.WithShape(vf, t), tensor.WithBacking(cfg.upsampler(vf, t))), G.WithName("upsample"))
		fh, fw := cfg.faceGeom()
		v := cfg.VisualDim
		for _, x := range k.faces {
			y, err := relu(m.faceConv1.Forward(k.g, x))
			if err == nil {
				y, err = relu(m.faceConv2.Forward(k.g, y))
			}
			if err == nil {
				y, err = nets.Reshape(y, tensor.Shape{n * vf, 16 * fh * fw})
			}
			if err == nil {
				y, err = relu(m.faceFC.Forward(k.g, y))
			}
			if err == nil {
				y, err = nets.Reshape(y, tensor.Shape{n, vf, v})
			}
			if err == nil {
				y, err = G.Transpose(y, 0, 2, 1) // [n, v, vf]
			}
			for _, l := range m.faceTConvs {
				if err != nil {
					break
				}
				var r *G.Node
				if r, err = relu(l.Forward(k.g, y)); err == nil {
					y, err = G.Add(y, r)
				}
			}
			if err == nil {
				y, err = nets.Reshape(y, tensor.Shape{n * v, vf})
			}
			if err == nil {
				y, err = G.Mul(y, up) // [n·v, t]
			}
			if err == nil {
				y, err = nets.Reshape(y, tensor.Shape{n, v, t})
			}
			if err != nil {
				return nil, err
			}
			k.vis = append(k.vis, y)
			streams = append(streams, y)
		}
	}
	// last: WarmStart gives the new input columns zeros
	if cfg.TrackPitch {
		sal, err := G.Transpose(k.sal, 0, 2, 1) // [n, Combs, t]
		if err != nil {
			return nil, err
		}
		streams = append(streams, sal)
	}
	if cfg.MultiPitch {
		pair, err := G.Transpose(k.pair, 0, 2, 1) // [n, pairFeatures, t]
		if err != nil {
			return nil, err
		}
		streams = append(streams, pair)
	}
	if len(streams) > 1 {
		if h, err = G.Concat(1, streams...); err != nil {
			return nil, err
		}
	}
	if h, err = G.Transpose(h, 0, 2, 1); err != nil { // [n, t, C]
		return nil, err
	}
	if h, err = m.blstm.Forward(k.g, h); err != nil {
		return nil, err
	}
	if h, err = relu(m.fc1.Forward(k.g, h)); err != nil {
		return nil, err
	}
	if h, err = relu(m.fc2.Forward(k.g, h)); err != nil {
		return nil, err
	}
	var raw [][2]*G.Node // per speaker: mask re (pre-sigmoid for real masks), im
	for _, hd := range m.heads {
		mr, err := hd[0].Forward(k.g, h)
		if err != nil {
			return nil, err
		}
		var mi *G.Node
		if hd[1] != nil {
			if mi, err = hd[1].Forward(k.g, h); err != nil {
				return nil, err
			}
		}
		raw = append(raw, [2]*G.Node{mr, mi})
	}
	if cfg.Combs > 0 {
		terms, err := m.combTerms(k, h)
		if err != nil {
			return nil, err
		}
		for s, x := range terms {
			if raw[s][0], err = G.Add(raw[s][0], x); err != nil {
				return nil, err
			}
		}
	}
	var logLin []*G.Node // log linear masks of the real masks, when the consistency or the SI-SDR loss needs them
	if cfg.Mask == MaskReal && (cfg.Consistency || cfg.Loss == LossSISDR) {
		if logLin, err = logLinearMasks(raw, cfg.Power, cfg.Consistency); err != nil {
			return nil, err
		}
	}
	for s, r := range raw {
		mr, mi := r[0], r[1]
		if mi == nil {
			if logLin != nil {
				// M = m^p = exp(p·log m)
				if mr, err = G.Exp(G.Must(G.Mul(logLin[s], G.NewConstant(float32(cfg.Power))))); err != nil {
					return nil, err
				}
				if cfg.Loss == LossSISDR {
					lin, err := G.Exp(logLin[s])
					if err != nil {
						return nil, err
					}
					k.lin = append(k.lin, lin)
				}
			} else if mr, err = nets.Sigmoid(mr); err != nil {
				return nil, err
			}
			er, err1 := G.HadamardProd(mr, k.xr)
			ei, err2 := G.HadamardProd(mr, k.xi)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("real mask: %v %v", err1, err2)
			}
			k.mr, k.mi, k.er, k.ei = append(k.mr, mr), append(k.mi, nil), append(k.er, er), append(k.ei, ei)
			continue
		}
		// (mr + i·mi)(xr + i·xi)
		er := G.Must(G.Sub(G.Must(G.HadamardProd(mr, k.xr)), G.Must(G.HadamardProd(mi, k.xi))))
		ei := G.Must(G.Add(G.Must(G.HadamardProd(mr, k.xi)), G.Must(G.HadamardProd(mi, k.xr))))
		k.mr, k.mi, k.er, k.ei = append(k.mr, mr), append(k.mi, mi), append(k.er, er), append(k.ei, ei)
	}
	return k, nil
}

// logLinearMasks returns the logs of the linear masks of the real masks
// with logits z_s. A mask M = σ(z) on the compressed spectrogram is the
// linear mask m = M^{1/p}: log m_s = log σ(z_s) / p. With consistent set
// they are rescaled to m_s / Σ_j m_j, the projection that hands each
// output the share of the mixture's remainder in proportion to its
// magnitude, so that the outputs add up to the mixture: in logs,
// log_softmax_s(log σ(z) / p), stable however small the masks.
func logLinearMasks(raw [][2]*G.Node, p float64, consistent bool) (out []*G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: linear masks: %v", r)
		}
	}()
	for _, r := range raw {
		l, err := nets.LogSigmoid(r[0])
		if err != nil {
			return nil, err
		}
		out = append(out, G.Must(G.Mul(l, G.NewConstant(float32(1/p)))))
	}
	if !consistent {
		return out, nil
	}
	// log_softmax over a new last axis that stacks the speakers
	axis := len(out[0].Shape())
	cols := make([]*G.Node, len(out))
	for s, l := range out {
		cols[s] = G.Must(nets.Reshape(l, append(l.Shape().Clone(), 1)))
	}
	ls, err := nets.LogSoftmaxAxis(G.Must(G.Concat(axis, cols...)), axis)
	if err != nil {
		return nil, err
	}
	for s := range out {
		sl := make([]tensor.Slice, axis+1)
		sl[axis] = G.S(s)
		out[s] = G.Must(G.Slice(ls, sl...))
	}
	return out, nil
}

// addLoss adds the targets and the L2 loss on the compressed spectrogram:
// the mean over speakers, frames and bins of |Ŝ_s − S_s|² with Ŝ the masked
// mixture, targets in face order; for the audio-only two-speaker model the
// better of the two speaker orders per mixture (permutation-invariant
// training).
func (k *graph) addLoss(p *nets.Pass, cfg Config) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("separation: loss: %v", r)
		}
	}()
	if cfg.Loss == LossSISDR {
		return k.addSISDRLoss(p, cfg)
	}
	for s := 0; s < cfg.Speakers; s++ {
		re, err1 := p.Input(fmt.Sprintf("target%d_re", s+1))
		im, err2 := p.Input(fmt.Sprintf("target%d_im", s+1))
		if err1 != nil || err2 != nil {
			return fmt.Errorf("separation: loss targets: %v %v", err1, err2)
		}
		k.sr, k.si = append(k.sr, re), append(k.si, im)
	}
	// pair returns the per-mixture squared error of estimate a against target b, [n].
	pair := func(a, b int) *G.Node {
		dr := G.Must(G.Sub(k.er[a], k.sr[b]))
		di := G.Must(G.Sub(k.ei[a], k.si[b]))
		sq := G.Must(G.Add(G.Must(G.Square(dr)), G.Must(G.Square(di))))
		return G.Must(G.Mean(sq, 1, 2))
	}
	if !cfg.AudioOnly || cfg.Speakers == 1 {
		var sum *G.Node
		for s := 0; s < cfg.Speakers; s++ {
			p := pair(s, s)
			if sum == nil {
				sum = p
			} else {
				sum = G.Must(G.Add(sum, p))
			}
		}
		k.loss = G.Must(G.Mul(G.Must(G.Mean(sum)), G.NewConstant(float32(1/float64(cfg.Speakers)))))
		return nil
	}
	// Two speakers: min(a, b) = (a + b − |a − b|)/2 per mixture.
	a := G.Must(G.Add(pair(0, 0), pair(1, 1)))
	b := G.Must(G.Add(pair(0, 1), pair(1, 0)))
	mn := G.Must(G.Sub(G.Must(G.Add(a, b)), G.Must(G.Abs(G.Must(G.Sub(a, b))))))
	k.loss = G.Must(G.Mul(G.Must(G.Mean(mn)), G.NewConstant(float32(0.25))))
	return nil
}

// audioFrames is the audio stream: every STFT frame squeezed to
// AudioChannels features, [n, AudioChannels, t].
func (m *Model) audioFrames(k *graph) (*G.Node, error) {
	h, err := relu(m.audioIn.Forward(k.g, k.audio))
	if err != nil {
		return nil, err
	}
	for _, l := range m.audioConvs {
		r, err := relu(l.Forward(k.g, h))
		if err != nil {
			return nil, err
		}
		if h, err = G.Add(h, r); err != nil {
			return nil, err
		}
	}
	return h, nil
}
