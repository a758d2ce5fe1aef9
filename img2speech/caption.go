package img2speech

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// captioner is the image → units network (Show, Attend and Tell): a CNN
// whose last feature map's cells are the annotations, and an LSTM that,
// at each step, attends over them (additive attention) and reads the
// previous unit, then predicts the next unit or the end.
type captioner struct {
	cnn   nets.Sequential
	embed *nets.Embedding // units, the end (Codes) and the start (Codes+1)
	att   *nets.AdditiveAttention
	lstm  *nets.LSTM
	out   *nets.Linear // to Codes+1 logits (units and the end)
	// initH and initC give the LSTM's first state from the flattened
	// feature map (Config.ImageState; nil without).
	initH, initC *nets.Linear
	// voice is added to the unit embedding at every step: the voice the
	// units are said in (Config.CapVoices; nil without).
	voice *nets.Embedding
}

// imageChannels are the widths of the CNN's three stride-2 convolutions.
var imageChannels = [3]int{16, 32, 64}

// imageStem is the width of the stride-1 convolution before them
// (Config.ImageStem).
const imageStem = 16

func newCaptioner(cfg Config, rng *rand.Rand) (*captioner, []*nets.Param, error) {
	c := &captioner{}
	var ps []*nets.Param
	var err error
	in := 3
	if cfg.ImageStem {
		stem, err := nets.NewConv2d("img.stem", in, imageStem, 3, 3, nets.Conv2dOptions{Padding: [2]int{1, 1}}, rng)
		if err != nil {
			return nil, nil, err
		}
		c.cnn = append(c.cnn, stem, nets.NewReLU())
		ps = append(ps, stem.Params()...)
		in = imageStem
	}
	for i, ch := range imageChannels {
		var conv *nets.Conv2d
		if conv, err = nets.NewConv2d(fmt.Sprintf("img.%d", 2*i), in, ch, 3, 3, nets.Conv2dOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, rng); err != nil {
			return nil, nil, err
		}
		c.cnn = append(c.cnn, conv, nets.NewReLU())
		ps = append(ps, conv.Params()...)
		in = ch
	}
	if c.embed, err = nets.NewEmbedding("cap_embed", cfg.Codes+2, cfg.CapEmbed, rng); err != nil {
		return nil, nil, err
	}
	ann := in + cfg.annotationExtra()
	if c.att, err = nets.NewAdditiveAttention("cap_att", cfg.CapHidden, ann, cfg.CapHidden, rng); err != nil {
		return nil, nil, err
	}
	if c.lstm, err = nets.NewLSTM("cap_lstm", nets.LSTMConfig{Input: cfg.CapEmbed + ann, Hidden: cfg.CapHidden, Layers: 1}, rng); err != nil {
		return nil, nil, err
	}
	if c.out, err = nets.NewLinear("cap_out", cfg.CapHidden, cfg.Codes+1, true, rng); err != nil {
		return nil, nil, err
	}
	ps = append(ps, c.embed.Params()...)
	ps = append(ps, c.att.Params()...)
	ps = append(ps, c.lstm.Params()...)
	ps = append(ps, c.out.Params()...)
	if cfg.ImageState {
		cells := (cfg.ImageSize / 8) * (cfg.ImageSize / 8)
		if c.initH, err = nets.NewLinear("cap_init_h", in*cells, cfg.CapHidden, true, rng); err != nil {
			return nil, nil, err
		}
		if c.initC, err = nets.NewLinear("cap_init_c", in*cells, cfg.CapHidden, true, rng); err != nil {
			return nil, nil, err
		}
		ps = append(ps, c.initH.Params()...)
		ps = append(ps, c.initC.Params()...)
	}
	if cfg.CapVoices > 0 {
		if c.voice, err = nets.NewEmbedding("cap_voice", cfg.CapVoices, cfg.CapEmbed, rng); err != nil {
			return nil, nil, err
		}
		ps = append(ps, c.voice.Params()...)
	}
	return c, ps, nil
}

// defineCaption declares the captioner's pass: inputs "image"
// [N, 3, S, S], "tokens" [N, T] (the start, then the units so far; the end
// pads), "h0" and "c0" [1, N, H] (the state to start from: zeros, or, not
// fed, the picture's with Config.ImageState), with Config.CapVoices
// "voice" [N] (the voice of each sequence); outputs "logits"
// [T·N, Codes+1], step-major, and the final states "h" and "c"; with "labels" [T, N] fed, the mean cross-entropy of the
// steps.
func (m *Model) defineCaption() func(p *nets.Pass) error {
	return func(p *nets.Pass) (err error) {
		g := p.Graph()
		c := m.cap
		img, err := p.Input("image")
		if err != nil {
			return err
		}
		tok, err := p.Input("tokens")
		if err != nil {
			return err
		}
		f, err := c.cnn.Forward(g, img)
		if err != nil {
			return err
		}
		fs := f.Shape()
		n, ch, l := fs[0], fs[1], fs[2]*fs[3]
		var h, cell *G.Node
		if p.Has("h0") || c.initH == nil {
			if h, err = p.Input("h0"); err != nil {
				return err
			}
			if cell, err = p.Input("c0"); err != nil {
				return err
			}
		} else {
			flat, err := nets.Reshape(f, tensor.Shape{n, ch * l})
			if err != nil {
				return err
			}
			for _, s := range []struct {
				lin *nets.Linear
				dst **G.Node
			}{{c.initH, &h}, {c.initC, &cell}} {
				v, err := s.lin.Forward(g, flat)
				if err != nil {
					return err
				}
				if v, err = nets.Tanh(v); err != nil {
					return err
				}
				if *s.dst, err = nets.Reshape(v, tensor.Shape{1, n, m.Config.CapHidden}); err != nil {
					return err
				}
			}
		}
		ann, err := nets.Reshape(f, tensor.Shape{n, ch, l})
		if err != nil {
			return err
		}
		if ann, err = G.Transpose(ann, 0, 2, 1); err != nil { // [N, L, C]
			return err
		}
		if m.Config.CapCoords {
			xy := G.NewConstant(tensor.New(tensor.WithShape(n, l, 2), tensor.WithBacking(cellCoords(n, fs[2], fs[3]))), G.WithName(fmt.Sprintf("cell_coords_%d_%dx%d", n, fs[2], fs[3])))
			if ann, err = nets.Concat(ann, xy); err != nil { // [N, L, C+2]
				return err
			}
		}
		keys, err := c.att.ProjectKeys(g, ann) // the same at every step
		if err != nil {
			return err
		}
		var voice *G.Node
		if c.voice != nil {
			v, err := p.Input("voice")
			if err != nil {
				return err
			}
			if voice, err = c.voice.Forward(g, v); err != nil { // [N, E]
				return err
			}
		}
		steps := tok.Shape()[1]
		hq, err := nets.Reshape(h, tensor.Shape{n, m.Config.CapHidden})
		if err != nil {
			return err
		}
		logits := make([]*G.Node, steps)
		for t := 0; t < steps; t++ {
			ctx, _, err := c.att.ForwardProjected(g, hq, ann, keys, nil)
			if err != nil {
				return err
			}
			tt, err := G.Slice(tok, nil, G.S(t)) // [N]
			if err != nil {
				return err
			}
			e, err := c.embed.Forward(g, tt) // [N, E]
			if err != nil {
				return err
			}
			if voice != nil {
				if e, err = G.Add(e, voice); err != nil {
					return err
				}
			}
			x, err := nets.Concat(e, ctx)
			if err != nil {
				return err
			}
			if x, err = nets.Reshape(x, tensor.Shape{1, n, m.Config.CapEmbed + ch + m.Config.annotationExtra()}); err != nil {
				return err
			}
			if _, h, cell, err = c.lstm.ForwardState(g, x, h, cell); err != nil {
				return err
			}
			if hq, err = nets.Reshape(h, tensor.Shape{n, m.Config.CapHidden}); err != nil {
				return err
			}
			if logits[t], err = c.out.Forward(g, hq); err != nil {
				return err
			}
		}
		all, err := G.Concat(0, logits...)
		if err != nil {
			return err
		}
		for _, o := range []struct {
			name string
			n    *G.Node
		}{{"logits", all}, {"h", h}, {"c", cell}} {
			if err := p.Output(o.name, o.n); err != nil {
				return err
			}
		}
		if !p.Has("labels") {
			return nil
		}
		// the loss is the mean of each step's cross-entropy, not the
		// cross-entropy of the concatenated logits: the gradient through a
		// concatenation of this many steps pointed the wrong way (the loss
		// rose at any learning rate), a step at a time it does not
		y, err := p.Input("labels")
		if err != nil {
			return err
		}
		var loss *G.Node
		for t, lt := range logits {
			yt, err := G.Slice(y, G.S(t))
			if err != nil {
				return err
			}
			ce, err := nets.CrossEntropyLoss(lt, yt)
			if err != nil {
				return err
			}
			if loss == nil {
				loss = ce
			} else if loss, err = G.Add(loss, ce); err != nil {
				return err
			}
		}
		if loss, err = G.Div(loss, G.NewConstant(float32(steps))); err != nil {
			return err
		}
		return p.Minimize(loss)
	}
}

// cellCoords returns the coordinates (x, y in [−1, 1], row-major cells)
// of every cell of an h×w feature map, for each of n pictures: [n, h·w, 2].
func cellCoords(n, h, w int) []float32 {
	out := make([]float32, 0, n*h*w*2)
	at := func(i, k int) float32 { return float32(2*float64(i)+1)/float32(k) - 1 }
	for range n {
		for y := range h {
			for x := range w {
				out = append(out, at(x, w), at(y, h))
			}
		}
	}
	return out
}

// captionExample is one picture and the collapsed units of its caption.
type captionExample struct {
	image []float32 // [3, S, S]
	units []int     // at most Config.MaxUnits
	voice int       // the index of its speaker in Model.voices
}

// captionUnits returns the units of each clip's speech (m's speech
// encoder), with their durations.
func (m *Model) captionUnits(ctx context.Context, clips []*avio.Clip, w progressWriter, what string) ([][]int, error) {
	us, err := m.Config.loadUtterances(ctx, clips, false, w, what)
	if err != nil {
		return nil, err
	}
	return m.unitsOf(us)
}

// captionExamplesFrom pairs each clip's first frame with the collapsed
// units of its speech.
func (m *Model) captionExamplesFrom(clips []*avio.Clip, units [][]int) ([]captionExample, error) {
	out := make([]captionExample, len(clips))
	for i, cl := range clips {
		img, err := cl.Frame(0)
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		if out[i].image, err = avio.ImageTensor(img, m.Config.imageOptions()); err != nil {
			return nil, fmt.Errorf("img2speech: clip %s: frame 0: %w", cl.Dir, err)
		}
		u := Collapse(units[i])
		out[i].units = u[:min(len(u), m.Config.MaxUnits)]
		if m.cap.voice != nil {
			// a speaker the captioner was not trained on is said in its
			// first voice
			out[i].voice = max(0, slices.Index(m.voices, cl.Meta.Labels["speaker"]))
		}
	}
	return out, nil
}

// progressWriter is where progress lines go (nil: nowhere).
type progressWriter = interface{ Write([]byte) (int, error) }

// captionFeeds stacks exs: images, start-prefixed tokens padded with the
// end, zero states (without Config.ImageState) and, with labels, the next unit (or the end) of every
// step, step-major.
func (m *Model) captionFeeds(exs []captionExample, labels bool) []nets.Feed {
	c := m.Config
	n, steps, s := len(exs), c.MaxUnits+1, c.ImageSize
	img := make([]float32, 0, n*3*s*s)
	tok := make([]float32, n*steps)
	lab := make([]float32, n*steps)
	voice := make([]float32, n)
	for i, ex := range exs {
		img = append(img, ex.image...)
		voice[i] = float32(ex.voice)
		for t := 0; t < steps; t++ {
			in, next := c.Codes, c.Codes // the end pads
			if t == 0 {
				in = c.Codes + 1
			} else if t-1 < len(ex.units) {
				in = ex.units[t-1]
			}
			if t < len(ex.units) {
				next = ex.units[t]
			}
			tok[i*steps+t] = float32(in)
			lab[t*n+i] = float32(next)
		}
	}
	f := []nets.Feed{
		{Name: "image", Shape: []int{n, 3, s, s}, Data: img},
		{Name: "tokens", Shape: []int{n, steps}, Data: tok},
	}
	if m.cap.voice != nil {
		f = append(f, nets.Feed{Name: "voice", Shape: []int{n}, Data: voice})
	}
	if !c.ImageState {
		zeros := make([]float32, n*c.CapHidden)
		f = append(f, nets.Feed{Name: "h0", Shape: []int{1, n, c.CapHidden}, Data: zeros},
			nets.Feed{Name: "c0", Shape: []int{1, n, c.CapHidden}, Data: zeros})
	}
	if labels {
		f = append(f, nets.Feed{Name: "labels", Shape: []int{steps, n}, Data: lab})
	}
	return f
}

type captionTask struct {
	m          *Model
	train, val []captionExample
	prog, eval *nets.Program
	steps      int
}

func (t *captionTask) Params() []*nets.Param { return t.m.params }

// LossName names the loss on plots.
func (t *captionTask) LossName() string { return "unit cross-entropy (nats)" }

func (t *captionTask) batch(prog *nets.Program, set []captionExample, idx []int) (float64, error) {
	exs := make([]captionExample, len(idx))
	for i, j := range idx {
		exs[i] = set[j]
	}
	pass, err := prog.Run(t.m.captionFeeds(exs, true)...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

func (t *captionTask) TrainBatch(idx []int) (float64, error) {
	t.steps++
	return t.batch(t.prog, t.train, idx)
}

func (t *captionTask) EvalBatch(idx []int) (float64, error) { return t.batch(t.eval, t.val, idx) }

// TrainImage teaches m's captioner to give the collapsed units of each
// clip's spoken caption (m's speech encoder, which must be trained) from
// the clip's first frame: teacher forcing, cross-entropy over the units
// and the end. It also sets the units' mean durations in that speech,
// which Expand uses. The speech ↔ unit networks are not changed.
func TrainImage(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultImageTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("img2speech: no training clips")
	}
	if !m.fitted() {
		return rep, fmt.Errorf("img2speech: train the speech units first (Train)")
	}
	if err := m.numberVoices(data.Train); err != nil {
		return rep, err
	}
	t := &captionTask{m: m}
	tu, err := m.captionUnits(ctx, data.Train, o.Progress, "units of train captions")
	if err != nil {
		return rep, err
	}
	vu, err := m.captionUnits(ctx, data.Val, o.Progress, "units of val captions")
	if err != nil {
		return rep, err
	}
	m.fitDurations(tu)
	if o.Meta, err = m.meta(); err != nil { // checkpoints speak pictures too
		return rep, err
	}
	if t.train, err = m.captionExamplesFrom(data.Train, tu); err != nil {
		return rep, err
	}
	if t.val, err = m.captionExamplesFrom(data.Val, vu); err != nil {
		return rep, err
	}
	rep.TrainClips, rep.ValClips = len(t.train), len(t.val)
	t.prog = nets.NewProgram(m.defineCaption(), nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(m.defineCaption(), nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, len(t.train), len(t.val), Kind, m.Config, o, false)
	rep.Steps = t.steps
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	return rep, nil
}

// numberVoices gives each speaker of the training clips its row of the
// captioner's voice embedding, in name order (nothing without
// Config.CapVoices).
func (m *Model) numberVoices(clips []*avio.Clip) error {
	if m.cap.voice == nil {
		m.voices, m.voice = nil, 0
		return nil
	}
	var names []string
	for _, cl := range clips {
		sp := cl.Meta.Labels["speaker"]
		if sp == "" {
			return fmt.Errorf("img2speech: clip %s has no \"speaker\" label; the captioner's voices (Config.CapVoices) need one", cl.Dir)
		}
		if !slices.Contains(names, sp) {
			names = append(names, sp)
		}
	}
	if len(names) > m.Config.CapVoices {
		return fmt.Errorf("img2speech: the training clips have %d speakers; the captioner has room for %d voices (Config.CapVoices)", len(names), m.Config.CapVoices)
	}
	slices.Sort(names)
	m.voices, m.voice = names, 0
	return nil
}

// DefaultImageTrainOptions are the settings TrainImage uses for the
// fields left at zero: 10 epochs of batches of 16, Adam from 2e-3 down a
// cosine, gradient norm clipped at 5, patience 8 epochs; chosen for about
// 3,600 training pictures (docs/runs/img2speech.md).
func DefaultImageTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 10, BatchSize: 16, LR: 2e-3, Schedule: task.ScheduleCosine, ClipNorm: 5, Patience: 8}
}

// hypothesis is a unit sequence being decoded by beam search.
type hypothesis struct {
	units []int
	score float64 // the sum of the units' (and the end's) log-probabilities
	h, c  []float32
}

// unitsFromImages decodes the units of each picture by beam search: one
// step of the LSTM at a time from its states, every picture's hypotheses
// in one batch; at each step the beam most likely continuations (the sum
// of the log-probabilities), the end token among them, are kept, and a
// hypothesis that ends leaves the beam smaller (at MaxUnits it must end).
// Of the ended ones, the one of highest log-probability per token is
// returned. Beam 1 is greedy decoding.
func (m *Model) unitsFromImages(images [][]float32, beam int, w progressWriter) ([][]int, error) {
	c := m.Config
	n, hd, v := len(images), c.CapHidden, c.Codes+1
	prog := nets.NewProgram(m.defineCaption(), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	live := make([][]hypothesis, n)
	ended := make([][]hypothesis, n)
	for i := range live {
		live[i] = []hypothesis{{h: make([]float32, hd), c: make([]float32, hd)}}
	}
	bar := progress.New(w, "decoding", c.MaxUnits+1)
	for step := 0; step <= c.MaxUnits; step++ {
		// the batch: every live hypothesis of every picture
		var img, tok, h0, c0, voice []float32
		for i, hs := range live {
			for _, hy := range hs {
				img = append(img, images[i]...)
				voice = append(voice, float32(m.voice))
				t := c.Codes + 1 // the start
				if len(hy.units) > 0 {
					t = hy.units[len(hy.units)-1]
				}
				tok = append(tok, float32(t))
				h0, c0 = append(h0, hy.h...), append(c0, hy.c...)
			}
		}
		rows := len(tok)
		if rows == 0 {
			break
		}
		if rows == 1 {
			// Gorgonia cannot slice a [1, 1] token tensor: run a copy beside
			img, tok, h0, c0 = append(img, img...), append(tok, tok...), append(h0, h0...), append(c0, c0...)
			voice = append(voice, voice...)
			rows = 2
		}
		feeds := []nets.Feed{{Name: "image", Shape: []int{rows, 3, c.ImageSize, c.ImageSize}, Data: img},
			{Name: "tokens", Shape: []int{rows, 1}, Data: tok}}
		if m.cap.voice != nil {
			feeds = append(feeds, nets.Feed{Name: "voice", Shape: []int{rows}, Data: voice})
		}
		if step > 0 || !c.ImageState { // the first step starts from the picture's state
			feeds = append(feeds, nets.Feed{Name: "h0", Shape: []int{1, rows, hd}, Data: h0}, nets.Feed{Name: "c0", Shape: []int{1, rows, hd}, Data: c0})
		}
		pass, err := prog.Run(feeds...)
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		logits, _, err := pass.Value("logits")
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		hs, _, err := pass.Value("h")
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		cs, _, err := pass.Value("c")
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		row := 0
		for i := range live {
			type cand struct {
				parent, unit int
				score        float64
			}
			var cands []cand
			for k, hy := range live[i] {
				lp := logSoftmax(logits[(row+k)*v : (row+k+1)*v])
				for u, l := range lp {
					if u == c.Codes || len(hy.units) < c.MaxUnits { // at MaxUnits it can only end
						cands = append(cands, cand{k, u, hy.score + l})
					}
				}
			}
			slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
			var next []hypothesis
			for _, cd := range cands[:min(beam-len(ended[i]), len(cands))] {
				parent := live[i][cd.parent]
				if cd.unit == c.Codes {
					ended[i] = append(ended[i], hypothesis{units: parent.units, score: cd.score})
					continue
				}
				r := row + cd.parent
				next = append(next, hypothesis{units: append(slices.Clone(parent.units), cd.unit), score: cd.score,
					h: slices.Clone(hs[r*hd : (r+1)*hd]), c: slices.Clone(cs[r*hd : (r+1)*hd])})
			}
			row += len(live[i])
			live[i] = next
		}
		bar.Set(step+1, "")
	}
	bar.Done()
	out := make([][]int, n)
	for i, e := range ended {
		// the best ended hypothesis by log-probability per token (the sum
		// would favour short ones)
		best := -math.MaxFloat64
		for _, hy := range e {
			if sc := hy.score / float64(len(hy.units)+1); sc > best {
				best, out[i] = sc, hy.units
			}
		}
	}
	return out, nil
}

// logSoftmax returns the log-probabilities of logits.
func logSoftmax(x []float32) []float64 {
	mx := x[0]
	for _, a := range x {
		mx = max(mx, a)
	}
	sum := 0.0
	for _, a := range x {
		sum += math.Exp(float64(a - mx))
	}
	ls := math.Log(sum)
	out := make([]float64, len(x))
	for i, a := range x {
		out[i] = float64(a-mx) - ls
	}
	return out
}
