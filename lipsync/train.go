package lipsync

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Data is what Train learns from: talking-face clips (audio.wav and
// frames/, one visible speaker; a synth.Speakers corpus, say). Val,
// optional, picks the best epoch of each stage.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train; zero fields take the values of
// DefaultTrainOptions. BatchSize counts windows of Config.Window frames
// for the generator; the sync expert's batches are four times as many
// windows.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings Train uses for the fields left at
// zero: 30 epochs of 100 steps, batches of 8 windows (40 frames), Adam at
// 1e-3, 64 validation windows.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 30, StepsPerEpoch: 100, BatchSize: 8, LR: 1e-3, ValExamples: 64}
}

// Report summarises a training run: the generator's in the embedded
// task.Report, the sync expert's in Expert (empty when the model's expert
// was trained already).
type Report struct {
	task.Report
	Expert               nets.History
	ExpertSteps          int
	TrainClips, ValClips int
}

// window is one training example: Window frames of clip d from frame i,
// the reference (identity) frames from ref, and for the expert the mel
// window of off (another clip's when offClip is set), or of i itself
// when in sync.
type window struct {
	d, offClip *clipData
	i, ref     int
	off        int
	sync       bool
}

// drawWindow picks a random window of a random clip, its reference window at
// least Window frames away where the clip is long enough, and an
// off-sync mel window at least Window frames away (or from another clip).
func drawWindow(clips []*clipData, w int, r *rand.Rand) window {
	d := clips[r.Intn(len(clips))]
	last := len(d.crops) - w
	ex := window{d: d, i: r.Intn(last + 1), sync: r.Intn(2) == 0}
	ex.ref = farFrom(ex.i, last, w, r)
	ex.off = farFrom(ex.i, last, w, r)
	if abs(ex.off-ex.i) < w && len(clips) > 1 {
		o := clips[r.Intn(len(clips))]
		for o == d {
			o = clips[r.Intn(len(clips))]
		}
		ex.offClip, ex.off = o, r.Intn(len(o.crops)-w+1)
	}
	return ex
}

// farFrom draws a start in [0, last] at least w away from i when there is
// one, else any start.
func farFrom(i, last, w int, r *rand.Rand) int {
	var ok []int
	for j := 0; j <= last; j++ {
		if abs(j-i) >= w {
			ok = append(ok, j)
		}
	}
	if len(ok) == 0 {
		return r.Intn(last + 1)
	}
	return ok[r.Intn(len(ok))]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// expertFeeds stacks windows for the expert: video [N, 3·Window, k, k],
// mel [N, 1, n_mels, mel_frames] (in sync or off) and label [N].
func (m *Model) expertFeeds(exs []window) []nets.Feed {
	c := m.Config
	k := c.crop()
	var video, mel, label []float32
	for _, ex := range exs {
		for f := ex.i; f < ex.i+c.Window; f++ {
			video = append(video, ex.d.crops[f]...)
		}
		switch {
		case ex.sync:
			mel = c.windowMel(ex.d.mel, ex.i, mel)
			label = append(label, 1)
		case ex.offClip != nil:
			mel = c.windowMel(ex.offClip.mel, ex.off, mel)
			label = append(label, 0)
		default:
			mel = c.windowMel(ex.d.mel, ex.off, mel)
			label = append(label, 0)
		}
	}
	n := len(exs)
	return []nets.Feed{
		{Name: "video", Shape: []int{n, 3 * c.Window, k, k}, Data: video},
		{Name: "mel", Shape: []int{n, 1, c.NMels, c.MelFrames}, Data: mel},
		{Name: "label", Shape: []int{n}, Data: label},
	}
}

// genFeeds stacks windows for the generator: every frame of every window
// (faces, mel, target) and each window's sync mel.
func (m *Model) genFeeds(exs []window) []nets.Feed {
	c := m.Config
	k := c.crop()
	var faces, mel, target, syncmel []float32
	for _, ex := range exs {
		for j := 0; j < c.Window; j++ {
			f := ex.i + j
			faces = append(faces, ex.d.crops[ex.ref+j]...)
			faces = append(faces, c.masked(ex.d.crops[f])...)
			mel = c.frameMel(ex.d.mel, f, mel)
			target = append(target, ex.d.crops[f]...)
		}
		syncmel = c.windowMel(ex.d.mel, ex.i, syncmel)
	}
	n := len(exs) * c.Window
	feeds := []nets.Feed{
		{Name: "faces", Shape: []int{n, 6, k, k}, Data: faces},
		{Name: "mel", Shape: []int{n, 1, c.NMels, c.MelFrames}, Data: mel},
		{Name: "target", Shape: []int{n, 3, k, k}, Data: target},
	}
	if c.SyncWeight > 0 {
		feeds = append(feeds, nets.Feed{Name: "syncmel", Shape: []int{len(exs), 1, c.NMels, c.MelFrames}, Data: syncmel})
	}
	return feeds
}

// stageTask trains one of the two networks on freshly drawn windows.
type stageTask struct {
	m          *Model
	train, val []*clipData
	valEx      []window
	feeds      func([]window) []nets.Feed
	r          *rand.Rand
	prog, eval *nets.Program
	steps      int
}

func (t *stageTask) Params() []*nets.Param { return t.m.params }

func (t *stageTask) TrainBatch(idx []int) (float64, error) {
	exs := make([]window, len(idx))
	for i := range exs {
		exs[i] = drawWindow(t.train, t.m.Config.Window, t.r)
	}
	pass, err := t.prog.Run(t.feeds(exs)...)
	if err != nil {
		return 0, err
	}
	t.steps++
	return pass.Loss()
}

func (t *stageTask) EvalBatch(idx []int) (float64, error) {
	exs := make([]window, len(idx))
	for i, j := range idx {
		exs[i] = t.valEx[j]
	}
	pass, err := t.eval.Run(t.feeds(exs)...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// usable keeps the clips with at least Window frames.
func (m *Model) usable(ds []*clipData) []*clipData {
	var out []*clipData
	for _, d := range ds {
		if len(d.crops) >= m.Config.Window {
			out = append(out, d)
		}
	}
	return out
}

// Train teaches m in two stages on data.Train's clips, drawing fresh
// windows every step. First, when m's expert is not trained yet, the sync
// expert: Config.ExpertEpochs epochs of cosine-BCE on windows paired with
// their own mel window or one at least Window frames away. Then, with the
// expert frozen, the generator for o.Epochs epochs: (1−w)·L1 to the real
// frames + w·(−log sync probability) with w = Config.SyncWeight. The
// validation loss on windows of data.Val picks each stage's best epoch,
// which m holds when Train returns. A NaN loss or a cancelled ctx stops
// training with an error.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("lipsync: %w", err)
	}
	c := m.Config
	if c.SyncWeight > 0 && c.ExpertEpochs == 0 && !m.ExpertTrained() {
		return rep, fmt.Errorf("lipsync: the sync loss (sync_weight %g) needs a trained sync expert, and expert_epochs is 0", c.SyncWeight)
	}
	tr, err := c.loadAll(ctx, data.Train, o.Progress, "loading train clips")
	if err != nil {
		return rep, err
	}
	va, err := c.loadAll(ctx, data.Val, o.Progress, "loading val clips")
	if err != nil {
		return rep, err
	}
	tr, va = m.usable(tr), m.usable(va)
	if len(tr) == 0 {
		return rep, fmt.Errorf("lipsync: no training clips with at least %d frames", c.Window)
	}
	rep.TrainClips, rep.ValClips = len(tr), len(va)
	var valEx []window
	if len(va) > 0 {
		r := rand.New(rand.NewSource(o.Seed + 3))
		for range o.ValExamples {
			valEx = append(valEx, drawWindow(va, c.Window, r))
		}
	}
	stage := func(define func(*nets.Pass) error, feeds func([]window) []nets.Feed, so TrainOptions, what string) (nets.History, int, error) {
		t := &stageTask{m: m, train: tr, val: va, valEx: valEx, feeds: feeds, r: rand.New(rand.NewSource(so.Seed + 1))}
		t.prog = nets.NewProgram(define, nets.ProgramOptions{Mode: nets.Train, Seed: so.Seed})
		t.eval = nets.NewProgram(define, nets.ProgramOptions{Mode: nets.Eval})
		defer t.prog.Close()
		defer t.eval.Close()
		if so.CurvePrefix != "" {
			so.CurvePrefix += "-" + what
		}
		h, err := task.Fit(ctx, t, so.StepsPerEpoch*so.BatchSize, len(valEx), Kind, c, so, false)
		if err != nil {
			return h, t.steps, fmt.Errorf("lipsync: %s: %w", what, err)
		}
		return h, t.steps, nil
	}
	if !m.ExpertTrained() && c.ExpertEpochs > 0 {
		so := o
		so.Epochs, so.BatchSize = c.ExpertEpochs, 4*o.BatchSize
		h, steps, err := stage(m.expertDefine(), m.expertFeeds, so, "expert")
		rep.Expert, rep.ExpertSteps = h, steps
		if err != nil {
			rep.Duration = time.Since(start)
			return rep, err
		}
		m.trained.Data[0] = 1
	}
	defer m.freezeExpert()()
	rep.History, rep.Steps, err = stage(m.genDefine(), m.genFeeds, o, "generator")
	rep.Duration = time.Since(start)
	return rep, err
}

// freezeExpert freezes the sync expert for the generator's training and
// returns the function that thaws it: as buffers, its weights get no
// gradients and the optimiser leaves them alone, and its batch
// normalisations, which normalise by batch statistics in a training pass,
// keep their running statistics (momentum 0).
func (m *Model) freezeExpert() func() {
	var bns []*nets.BatchNorm
	for _, b := range append(append([]*block(nil), m.expV...), m.expA...) {
		if b.bn != nil {
			bns = append(bns, b.bn)
		}
	}
	moms := make([]float64, len(bns))
	for i, b := range bns {
		moms[i], b.Momentum = b.Momentum, 0
	}
	was := make([]bool, len(m.expertParams))
	for i, p := range m.expertParams {
		was[i], p.Buffer = p.Buffer, true
	}
	return func() {
		for i, p := range m.expertParams {
			p.Buffer = was[i]
		}
		for i, b := range bns {
			b.Momentum = moms[i]
		}
	}
}
