package img2speech

import (
	"context"
	"fmt"
	"math/rand"
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
}

// imageChannels are the widths of the CNN's three stride-2 convolutions.
var imageChannels = [3]int{16, 32, 64}

func newCaptioner(cfg Config, rng *rand.Rand) (*captioner, []*nets.Param, error) {
	c := &captioner{}
	var ps []*nets.Param
	var err error
	in := 3
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
	if c.att, err = nets.NewAdditiveAttention("cap_att", cfg.CapHidden, in, cfg.CapHidden, rng); err != nil {
		return nil, nil, err
	}
	if c.lstm, err = nets.NewLSTM("cap_lstm", nets.LSTMConfig{Input: cfg.CapEmbed + in, Hidden: cfg.CapHidden, Layers: 1}, rng); err != nil {
		return nil, nil, err
	}
	if c.out, err = nets.NewLinear("cap_out", cfg.CapHidden, cfg.Codes+1, true, rng); err != nil {
		return nil, nil, err
	}
	ps = append(ps, c.embed.Params()...)
	ps = append(ps, c.att.Params()...)
	ps = append(ps, c.lstm.Params()...)
	ps = append(ps, c.out.Params()...)
	return c, ps, nil
}

// defineCaption declares the captioner's pass: inputs "image"
// [N, 3, S, S], "tokens" [N, T] (the start, then the units so far; the end
// pads), "h0" and "c0" [1, N, H] (zeros); output "logits" [T·N, Codes+1],
// step-major; with "labels" [T, N] fed, the mean cross-entropy of the
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
		h, err := p.Input("h0")
		if err != nil {
			return err
		}
		cell, err := p.Input("c0")
		if err != nil {
			return err
		}
		f, err := c.cnn.Forward(g, img)
		if err != nil {
			return err
		}
		fs := f.Shape()
		n, ch, l := fs[0], fs[1], fs[2]*fs[3]
		ann, err := nets.Reshape(f, tensor.Shape{n, ch, l})
		if err != nil {
			return err
		}
		if ann, err = G.Transpose(ann, 0, 2, 1); err != nil { // [N, L, C]
			return err
		}
		steps := tok.Shape()[1]
		hq, err := nets.Reshape(h, tensor.Shape{n, m.Config.CapHidden})
		if err != nil {
			return err
		}
		logits := make([]*G.Node, steps)
		for t := 0; t < steps; t++ {
			ctx, _, err := c.att.Forward(g, hq, ann)
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
			x, err := nets.Concat(e, ctx)
			if err != nil {
				return err
			}
			if x, err = nets.Reshape(x, tensor.Shape{1, n, m.Config.CapEmbed + ch}); err != nil {
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
		if err := p.Output("logits", all); err != nil {
			return err
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

// captionExample is one picture and the collapsed units of its caption.
type captionExample struct {
	image []float32 // [3, S, S]
	units []int     // at most Config.MaxUnits
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
		s := m.Config.ImageSize
		if out[i].image, err = avio.ImageTensor(img, avio.FrameOptions{Width: s, Height: s}); err != nil {
			return nil, fmt.Errorf("img2speech: clip %s: frame 0: %w", cl.Dir, err)
		}
		u := Collapse(units[i])
		out[i].units = u[:min(len(u), m.Config.MaxUnits)]
	}
	return out, nil
}

// progressWriter is where progress lines go (nil: nowhere).
type progressWriter = interface{ Write([]byte) (int, error) }

// captionFeeds stacks exs: images, start-prefixed tokens padded with the
// end, zero states and, with labels, the next unit (or the end) of every
// step, step-major.
func (m *Model) captionFeeds(exs []captionExample, labels bool) []nets.Feed {
	c := m.Config
	n, steps, s := len(exs), c.MaxUnits+1, c.ImageSize
	img := make([]float32, 0, n*3*s*s)
	tok := make([]float32, n*steps)
	lab := make([]float32, n*steps)
	for i, ex := range exs {
		img = append(img, ex.image...)
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
	zeros := make([]float32, n*c.CapHidden)
	f := []nets.Feed{
		{Name: "image", Shape: []int{n, 3, s, s}, Data: img},
		{Name: "tokens", Shape: []int{n, steps}, Data: tok},
		{Name: "h0", Shape: []int{1, n, c.CapHidden}, Data: zeros},
		{Name: "c0", Shape: []int{1, n, c.CapHidden}, Data: zeros},
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

// DefaultImageTrainOptions are the settings TrainImage uses for the
// fields left at zero: 15 epochs of batches of 16, Adam at 2e-3, gradient
// norm clipped at 5, patience 5 epochs.
func DefaultImageTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 15, BatchSize: 16, LR: 2e-3, ClipNorm: 5, Patience: 5}
}

// unitsFromImages decodes greedily: at each step the most likely unit
// given the image and the units so far, until the end or MaxUnits.
func (m *Model) unitsFromImages(images [][]float32, w progressWriter) ([][]int, error) {
	prog := nets.NewProgram(m.defineCaption(), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	c := m.Config
	n, steps, v := len(images), c.MaxUnits+1, c.Codes+1
	exs := make([]captionExample, n)
	for i := range exs {
		exs[i].image = images[i]
	}
	done := make([]bool, n)
	bar := progress.New(w, "decoding", steps)
	for t := 0; t < steps; t++ {
		pass, err := prog.Run(m.captionFeeds(exs, false)...)
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		logits, _, err := pass.Value("logits")
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		all := true
		for i := range exs {
			if done[i] {
				continue
			}
			row := logits[(t*n+i)*v : (t*n+i+1)*v]
			best := 0
			for k, x := range row {
				if x > row[best] {
					best = k
				}
			}
			if best == c.Codes || len(exs[i].units) == c.MaxUnits {
				done[i] = true
				continue
			}
			exs[i].units = append(exs[i].units, best)
			all = false
		}
		bar.Set(t+1, "")
		if all {
			break
		}
	}
	bar.Done()
	out := make([][]int, n)
	for i := range exs {
		out[i] = exs[i].units
	}
	return out, nil
}
