package speech2face

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Stage is one of the three trainings of a model, in order.
type Stage int

// The stages. Each trains one network with the ones before it frozen.
const (
	StageFace    Stage = 1 // the face recogniser: identity classification of jittered frames
	StageDecoder Stage = 2 // the face decoder: embedding of any frame → the frontal face
	StageVoice   Stage = 3 // the voice encoder: speech → the face's embedding
)

// Stages are the stages in training order.
var Stages = []Stage{StageFace, StageDecoder, StageVoice}

func (s Stage) String() string {
	switch s {
	case StageFace:
		return "face"
	case StageDecoder:
		return "decoder"
	case StageVoice:
		return "voice"
	}
	return fmt.Sprintf("stage %d", int(s))
}

// ParseStage reads "face", "decoder", "voice" or 1–3.
func ParseStage(s string) (Stage, error) {
	for _, st := range Stages {
		if s == st.String() || s == fmt.Sprint(int(st)) {
			return st, nil
		}
	}
	return 0, fmt.Errorf("stage %q: want face, decoder or voice (1, 2, 3)", s)
}

// Data is what Train learns from: clips with "speaker" labels, audio and
// frames (and ideally face.png, see FaceFile). Train's speakers must be
// Config.Identities; Val, optional, holds other speakers and picks the
// best epoch of the decoder and the voice encoder.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train; zero fields take the values of
// DefaultTrainOptions for each stage.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings each stage uses for the fields
// left at zero: batches of 32, Adam at 1e-3, gradients clipped at norm 5;
// the face recogniser 20 epochs, the decoder 8, the voice encoder 60
// (each a pass over the training clips, with a fresh 1 s window of each)
// with patience 10.
func DefaultTrainOptions(s Stage) TrainOptions {
	o := TrainOptions{BatchSize: 32, LR: 1e-3, ClipNorm: 5}
	switch s {
	case StageFace:
		o.Epochs = 20
	case StageDecoder:
		o.Epochs = 8
	default:
		o.Epochs, o.Patience = 60, 10
	}
	return o
}

// framesPerClip is the number of frames of each clip the face stages read.
const framesPerClip = 6

// Report summarises a training run: one task.Report per stage trained;
// Steps and Duration are their sums, History the last stage's.
type Report struct {
	task.Report
	Stages               map[Stage]task.Report
	TrainClips, ValClips int
}

// Train runs the three stages in order (see TrainStage).
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	rep := Report{Stages: map[Stage]task.Report{}}
	start := time.Now()
	for _, s := range Stages {
		r, err := TrainStage(ctx, m, s, data, o)
		rep.Stages[s] = r.Stages[s]
		rep.Steps += r.Steps
		rep.TrainClips, rep.ValClips = r.TrainClips, r.ValClips
		rep.History = r.History
		if err != nil {
			rep.Duration = time.Since(start)
			return rep, err
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// TrainStage trains one network of m with the others frozen:
//
//   - StageFace: the recogniser classifies frames of data.Train's clips
//     (six per clip, plus the reference face) by speaker, under random
//     shifts, brightness and colour changes on top of the frames' own pose,
//     light and expression; when every clip has a TeacherFile, its
//     embedding is also the target of the recogniser's (mean squared
//     error), which makes another face network the teacher;
//   - StageDecoder: the decoder draws a clip's reference face from the
//     embedding of any of its frames: pixel L1 plus Config.Consistency
//     times the L1 between the decoded face's embedding and the reference
//     face's;
//   - StageVoice: the voice encoder maps a random window of a clip's
//     speech to its speaker's face embedding (the loss of defineVoice).
//
// o.CheckpointPath receives the whole model at each new best; with
// o.CurvePrefix, each stage writes PREFIX-<stage>.csv and .png. A NaN loss
// or a cancelled ctx stops training with an error.
func TrainStage(ctx context.Context, m *Model, s Stage, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	rep := Report{Stages: map[Stage]task.Report{}}
	o, err := o.WithDefaults(DefaultTrainOptions(s))
	if err != nil {
		return rep, fmt.Errorf("speech2face: %w", err)
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("speech2face: no training clips")
	}
	if o.CurvePrefix != "" {
		o.CurvePrefix += "-" + s.String()
	}
	cfg := m.Config
	known := map[string]int{}
	for i, id := range cfg.Identities {
		known[id] = i
	}
	var t interface {
		nets.Task
		sizes() (int, int)
		close()
		stepCount() int
	}
	switch s {
	case StageFace:
		tr, err := cfg.load(ctx, data.Train, framesPerClip, false, o.Progress, "loading train faces")
		if err != nil {
			return rep, err
		}
		ft := &faceTask{m: m, r: rand.New(rand.NewSource(o.Seed + 1)), size: cfg.FaceSize}
		for _, d := range tr {
			k, ok := known[d.speaker]
			if !ok {
				return rep, fmt.Errorf("speech2face: clip %s: speaker %q is not one of the model's %d identities", d.name, d.speaker, len(cfg.Identities))
			}
			if (d.teacher == nil) != (tr[0].teacher == nil) {
				return rep, fmt.Errorf("speech2face: clip %s: some training clips have %s and others not; give it to all or none", d.name, TeacherFile)
			}
			for _, img := range append(d.frames, d.face) {
				ft.x = append(ft.x, img)
				ft.y = append(ft.y, float32(k))
				ft.teacher = append(ft.teacher, d.teacher)
			}
		}
		defer freeze(m.decParams, m.voiceParams)()
		ft.prog = nets.NewProgram(m.defineFace, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
		t = ft
	case StageDecoder:
		tr, err := m.decoderPairs(ctx, data.Train, o, "train")
		if err != nil {
			return rep, err
		}
		va, err := m.decoderPairs(ctx, data.Val, o, "val")
		if err != nil {
			return rep, err
		}
		defer freeze(m.faceParams, m.voiceParams)()
		t = &decoderTask{m: m, train: tr, val: va,
			prog: nets.NewProgram(m.defineDecoder, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed}),
			eval: nets.NewProgram(m.defineDecoder, nets.ProgramOptions{Mode: nets.Eval})}
	case StageVoice:
		tr, err := m.voicePairs(ctx, data.Train, o, "train")
		if err != nil {
			return rep, err
		}
		va, err := m.voicePairs(ctx, data.Val, o, "val")
		if err != nil {
			return rep, err
		}
		defer freeze(m.faceParams, m.decParams)()
		t = &voiceTask{m: m, train: tr, val: va, r: rand.New(rand.NewSource(o.Seed + 3)),
			prog: nets.NewProgram(m.defineVoice, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed}),
			eval: nets.NewProgram(m.defineVoice, nets.ProgramOptions{Mode: nets.Eval})}
	default:
		return rep, fmt.Errorf("speech2face: unknown stage %d", int(s))
	}
	defer t.close()
	nTrain, nVal := t.sizes()
	rep.TrainClips, rep.ValClips = len(data.Train), len(data.Val)
	// a last, smaller batch is dropped, unless it is the only one
	rep.History, err = task.Fit(ctx, t, nTrain, nVal, Kind, m.Config, o, nTrain >= o.BatchSize)
	rep.Steps = t.stepCount()
	rep.Duration = time.Since(start)
	rep.Stages[s] = rep.Report
	m.Close() // release the inference graphs compiled for this stage's targets
	if err != nil {
		return rep, fmt.Errorf("speech2face: %s stage: %w", s, err)
	}
	return rep, nil
}

// faceTask is stage 1: images and their identity indices.
type faceTask struct {
	m       *Model
	x       []imageBytes
	y       []float32
	teacher [][]float32 // per image, its clip's TeacherFile embedding (all nil without)
	r       *rand.Rand
	size    int
	prog    *nets.Program
	steps   int
}

func (t *faceTask) Params() []*nets.Param { return t.m.params }
func (t *faceTask) sizes() (int, int)     { return len(t.x), 0 }
func (t *faceTask) close()                { t.prog.Close() }
func (t *faceTask) stepCount() int        { return t.steps }
func (t *faceTask) EvalBatch([]int) (float64, error) {
	return 0, fmt.Errorf("speech2face: the face stage has no validation set")
}

func (t *faceTask) TrainBatch(idx []int) (float64, error) {
	s := t.size
	n := 3 * s * s
	x := make([]float32, 0, len(idx)*n)
	y := make([]float32, len(idx))
	for i, j := range idx {
		x = jitter(x, t.x[j], s, t.m.Config.ColourJitter, t.r)
		y[i] = t.y[j]
	}
	feeds := []nets.Feed{{Name: "face", Shape: []int{len(idx), 3, s, s}, Data: x}, {Name: "label", Shape: []int{len(idx)}, Data: y}}
	if t.teacher[idx[0]] != nil {
		var te []float32
		for _, j := range idx {
			te = append(te, t.teacher[j]...)
		}
		feeds = append(feeds, nets.Feed{Name: "teacher", Shape: []int{len(idx), t.m.Config.Embed}, Data: te})
	}
	p, err := t.prog.Run(feeds...)
	if err != nil {
		return 0, err
	}
	t.steps++
	return p.Loss()
}

// jitter appends img shifted by up to s/16 pixels each way (edges
// repeated), its brightness scaled by 0.75–1.25 and each channel by
// 0.9–1.1; with probability colour, its channels are also shuffled and
// each scaled by 0.6–1.4 (so that hair and skin colour cannot tell
// identities apart and the recogniser must look at shapes).
func jitter(dst []float32, img imageBytes, s int, colour float64, r *rand.Rand) []float32 {
	m := max(1, s/16)
	dx, dy := r.Intn(2*m+1)-m, r.Intn(2*m+1)-m
	b := 0.75 + 0.5*r.Float64()
	order, lo, span := []int{0, 1, 2}, 0.9, 0.2
	if colour > 0 && r.Float64() < colour {
		r.Shuffle(3, func(i, j int) { order[i], order[j] = order[j], order[i] })
		lo, span = 0.6, 0.8
	}
	for c := 0; c < 3; c++ {
		k := float32(b*(lo+span*r.Float64())) / 255
		plane := img[order[c]*s*s : (order[c]+1)*s*s]
		for y := 0; y < s; y++ {
			sy := min(s-1, max(0, y+dy))
			for x := 0; x < s; x++ {
				sx := min(s-1, max(0, x+dx))
				dst = append(dst, min(1, float32(plane[sy*s+sx])*k))
			}
		}
	}
	return dst
}

// floats converts an image to [0, 1] floats.
func floats(img imageBytes) []float32 {
	out := make([]float32, len(img))
	for i, v := range img {
		out[i] = float32(v) / 255
	}
	return out
}

// embedAll runs the recogniser on images (CHW floats) in batches and
// returns their embeddings and logits.
func (m *Model) embedAll(imgs [][]float32) (emb, logits [][]float32, err error) {
	s := m.Config.FaceSize
	prog := m.program("face", m.defineFace)
	const bs = 64
	for i := 0; i < len(imgs); i += bs {
		j := min(len(imgs), i+bs)
		x := make([]float32, 0, (j-i)*3*s*s)
		for _, im := range imgs[i:j] {
			x = append(x, im...)
		}
		p, err := prog.Run(nets.Feed{Name: "face", Shape: []int{j - i, 3, s, s}, Data: x})
		if err != nil {
			return nil, nil, err
		}
		e, es, err := p.Value("embed")
		if err != nil {
			return nil, nil, err
		}
		l, ls, err := p.Value("logits")
		if err != nil {
			return nil, nil, err
		}
		for k := 0; k < j-i; k++ {
			emb = append(emb, e[k*es[1]:(k+1)*es[1]])
			logits = append(logits, l[k*ls[1]:(k+1)*ls[1]])
		}
	}
	return emb, logits, nil
}

// pair is one decoder example: an embedding and the face to draw, with
// that face's own embedding.
type pair struct {
	in, targetEmb []float32
	target        imageBytes
}

// decoderPairs embeds every frame and reference face of clips.
func (m *Model) decoderPairs(ctx context.Context, clips []*avio.Clip, o TrainOptions, split string) ([]pair, error) {
	ds, err := m.Config.load(ctx, clips, framesPerClip, false, o.Progress, "loading "+split+" faces")
	if err != nil {
		return nil, err
	}
	var imgs [][]float32
	for _, d := range ds {
		imgs = append(imgs, floats(d.face))
		for _, f := range d.frames {
			imgs = append(imgs, floats(f))
		}
	}
	emb, _, err := m.embedAll(imgs)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	var out []pair
	k := 0
	for _, d := range ds {
		fe := emb[k]
		for range 1 + len(d.frames) {
			out = append(out, pair{in: emb[k], targetEmb: fe, target: d.face})
			k++
		}
	}
	return out, nil
}

// decoderTask is stage 2.
type decoderTask struct {
	m          *Model
	train, val []pair
	prog, eval *nets.Program
	steps      int
}

func (t *decoderTask) Params() []*nets.Param { return t.m.params }
func (t *decoderTask) sizes() (int, int)     { return len(t.train), len(t.val) }
func (t *decoderTask) close()                { t.prog.Close(); t.eval.Close() }
func (t *decoderTask) stepCount() int        { return t.steps }

func (t *decoderTask) run(prog *nets.Program, ps []pair, idx []int) (float64, error) {
	s, e := t.m.Config.FaceSize, t.m.Config.Embed
	var in, te, y []float32
	for _, j := range idx {
		in = append(in, ps[j].in...)
		te = append(te, ps[j].targetEmb...)
		for _, v := range ps[j].target {
			y = append(y, float32(v)/255)
		}
	}
	n := len(idx)
	p, err := prog.Run(nets.Feed{Name: "embed", Shape: []int{n, e}, Data: in},
		nets.Feed{Name: "target_embed", Shape: []int{n, e}, Data: te},
		nets.Feed{Name: "target", Shape: []int{n, 3, s, s}, Data: y})
	if err != nil {
		return 0, err
	}
	return p.Loss()
}

func (t *decoderTask) TrainBatch(idx []int) (float64, error) {
	t.steps++
	return t.run(t.prog, t.train, idx)
}

func (t *decoderTask) EvalBatch(idx []int) (float64, error) { return t.run(t.eval, t.val, idx) }

// voiceExample is one clip's speech and its face's targets.
type voiceExample struct {
	audio          []float32
	vf, feat, prob []float32
}

// faceTargets returns, for face embeddings vf, the decoder's first-layer
// features and the softened identity probabilities softmax(fc8(vf)/T).
func (m *Model) faceTargets(vf [][]float32) (feat, prob [][]float32, err error) {
	prog := m.program("targets", func(p *nets.Pass) error {
		x, err := p.Input("embed")
		if err != nil {
			return err
		}
		f, err := m.dec1.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		l, err := m.fc8.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		if err := p.Output("feat", f); err != nil {
			return err
		}
		return p.Output("logits", l)
	})
	e := m.Config.Embed
	for _, v := range vf {
		p, err := prog.Run(nets.Feed{Name: "embed", Shape: []int{1, e}, Data: v})
		if err != nil {
			return nil, nil, err
		}
		f, _, err := p.Value("feat")
		if err != nil {
			return nil, nil, err
		}
		l, _, err := p.Value("logits")
		if err != nil {
			return nil, nil, err
		}
		feat = append(feat, f)
		prob = append(prob, softmaxT(l, m.Config.Temperature))
	}
	return feat, prob, nil
}

// softmaxT is softmax(l/T).
func softmaxT(l []float32, t float64) []float32 {
	mx := math.Inf(-1)
	for _, v := range l {
		mx = math.Max(mx, float64(v)/t)
	}
	out := make([]float32, len(l))
	var z float64
	for i, v := range l {
		e := math.Exp(float64(v)/t - mx)
		out[i] = float32(e)
		z += e
	}
	for i := range out {
		out[i] = float32(float64(out[i]) / z)
	}
	return out
}

// voicePairs reads clips' speech and computes their faces' targets.
func (m *Model) voicePairs(ctx context.Context, clips []*avio.Clip, o TrainOptions, split string) ([]voiceExample, error) {
	ds, err := m.Config.load(ctx, clips, 0, true, o.Progress, "loading "+split+" voices")
	if err != nil {
		return nil, err
	}
	var imgs [][]float32
	for _, d := range ds {
		imgs = append(imgs, floats(d.face))
	}
	vf, _, err := m.embedAll(imgs)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	feat, prob, err := m.faceTargets(vf)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	out := make([]voiceExample, len(ds))
	for i, d := range ds {
		out[i] = voiceExample{audio: d.audio, vf: vf[i], feat: feat[i], prob: prob[i]}
	}
	return out, nil
}

// voiceTask is stage 3.
type voiceTask struct {
	m          *Model
	train, val []voiceExample
	r          *rand.Rand
	prog, eval *nets.Program
	steps      int
}

func (t *voiceTask) Params() []*nets.Param { return t.m.params }
func (t *voiceTask) sizes() (int, int)     { return len(t.train), len(t.val) }
func (t *voiceTask) close()                { t.prog.Close(); t.eval.Close() }
func (t *voiceTask) stepCount() int        { return t.steps }

// run feeds one window of each example: at random in training, the middle
// one otherwise.
func (t *voiceTask) run(prog *nets.Program, exs []voiceExample, idx []int, random bool) (float64, error) {
	c := t.m.Config
	n := c.segment()
	var x, vf, feat, prob []float32
	seg := make([]float64, n)
	for _, j := range idx {
		ex := exs[j]
		off := 0
		if len(ex.audio) > n {
			off = (len(ex.audio) - n) / 2
			if random {
				off = t.r.Intn(len(ex.audio) - n + 1)
			}
		}
		for k := range seg {
			seg[k] = 0
			if off+k < len(ex.audio) {
				seg[k] = float64(ex.audio[off+k])
			}
		}
		var err error
		if x, err = c.spectrum(x, seg); err != nil {
			return 0, err
		}
		vf = append(vf, ex.vf...)
		feat = append(feat, ex.feat...)
		prob = append(prob, ex.prob...)
	}
	b := len(idx)
	p, err := prog.Run(nets.Feed{Name: "voice", Shape: []int{b, 2 * c.bins(), c.Window}, Data: x},
		nets.Feed{Name: "vf", Shape: []int{b, c.Embed}, Data: vf},
		nets.Feed{Name: "feat", Shape: []int{b, len(exs[idx[0]].feat)}, Data: feat},
		nets.Feed{Name: "prob", Shape: []int{b, len(c.Identities)}, Data: prob})
	if err != nil {
		return 0, err
	}
	return p.Loss()
}

func (t *voiceTask) TrainBatch(idx []int) (float64, error) {
	t.steps++
	return t.run(t.prog, t.train, idx, true)
}

func (t *voiceTask) EvalBatch(idx []int) (float64, error) {
	return t.run(t.eval, t.val, idx, false)
}
