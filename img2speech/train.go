package img2speech

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Data is what Train learns from: clips of speech (a synth.Captions
// corpus, say). Val, optional, picks the best epoch.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train; zero fields take the values of
// DefaultTrainOptions.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings Train uses for the fields left at
// zero: 30 epochs of batches of 32 segments, Adam at 1e-3, gradient norm
// clipped at 5, patience 5 epochs.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 30, BatchSize: 32, LR: 1e-3, ClipNorm: 5, Patience: 5}
}

// Report summarises a training run.
type Report struct {
	task.Report
	TrainClips, ValClips       int
	TrainSegments, ValSegments int
	// CodesUsed is the number of codes the last training epoch chose;
	// Restarts counts codes re-seeded because no batch chose them.
	CodesUsed, Restarts int
}

// restartEvery is how many steps a code may go unchosen before it is
// re-seeded with an encoder vector of the current batch.
const restartEvery = 50

type trainTask struct {
	m          *Model
	train, val [][]float32 // segments [NMels][Segment]
	r          *rand.Rand
	prog, eval *nets.Program
	steps      int
	restarts   int
	lastUsed   int
}

func (t *trainTask) Params() []*nets.Param { return t.m.params }

// LossName names the loss on plots.
func (t *trainTask) LossName() string { return "mel MSE + VQ loss" }

func (t *trainTask) feeds(segs [][]float32, idx []int) []nets.Feed {
	c := t.m.Config
	x := make([]float32, 0, len(idx)*c.NMels*c.Segment)
	y := make([]float32, 0, len(idx)*c.NMels*c.Segment)
	for _, j := range idx {
		x = append(x, segs[j]...)
		y = append(y, t.m.target(segs[j])...)
	}
	n := len(idx)
	return []nets.Feed{
		{Name: "mel", Shape: []int{n, c.NMels, c.Segment}, Data: x},
		{Name: "target", Shape: []int{n, c.Stride * c.NMels, c.Segment / c.Stride}, Data: y},
	}
}

func (t *trainTask) TrainBatch(idx []int) (float64, error) {
	pass, err := t.prog.Run(t.feeds(t.train, idx)...)
	if err != nil {
		return 0, err
	}
	t.steps++
	if t.steps == 1 || t.steps%restartEvery == 0 {
		if err := t.restart(pass); err != nil {
			return 0, err
		}
	}
	return pass.Loss()
}

// restart re-seeds every code no batch chose since the last restart with
// an encoder vector of this batch, so the whole codebook stays in use (at
// the first step this places the codebook among the encoder's vectors).
func (t *trainTask) restart(pass *nets.Pass) error {
	z, _, err := pass.Value("z")
	if err != nil {
		return err
	}
	v := t.m.vq
	rows := len(z) / v.D
	used := 0
	for k, n := range v.Usage {
		if n > 0 {
			used++
			continue
		}
		r := t.r.Intn(rows)
		for j := 0; j < v.D; j++ {
			v.Weight.Data[k*v.D+j] = z[r*v.D+j] + float32(0.01*t.r.NormFloat64())
		}
		t.restarts++
	}
	t.lastUsed = used
	v.ResetUsage()
	return nil
}

func (t *trainTask) EvalBatch(idx []int) (float64, error) {
	pass, err := t.eval.Run(t.feeds(t.val, idx)...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// Train teaches m's speech ↔ unit autoencoder on data.Train's speech:
// Adam on the mel reconstruction error plus the VQ loss, over segments of
// Config.Segment frames cut every half segment; codes unused for 50 steps
// are re-seeded from the encoder's vectors. The first training of a model
// also sets its feature standardisation from data.Train. The validation
// loss on data.Val picks the best epoch, which m holds when Train returns.
// A NaN loss or a cancelled ctx stops training with an error.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("img2speech: no training clips")
	}
	tr, err := m.Config.loadUtterances(ctx, data.Train, false, o.Progress, "loading train clips")
	if err != nil {
		return rep, err
	}
	va, err := m.Config.loadUtterances(ctx, data.Val, false, o.Progress, "loading val clips")
	if err != nil {
		return rep, err
	}
	if !m.fitted() {
		m.fitNorm(tr)
	}
	t := &trainTask{m: m, r: rand.New(rand.NewSource(o.Seed + 1))}
	seg := m.Config.Segment
	for _, u := range tr {
		t.train = append(t.train, m.segments(m.standardise(u.mel.Data, u.mel.Frames), u.mel.Frames, seg/2)...)
	}
	for _, u := range va {
		t.val = append(t.val, m.segments(m.standardise(u.mel.Data, u.mel.Frames), u.mel.Frames, seg)...)
	}
	rep.TrainClips, rep.ValClips = len(tr), len(va)
	rep.TrainSegments, rep.ValSegments = len(t.train), len(t.val)
	m.Close()
	m.vq.ResetUsage()
	t.prog = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, len(t.train), len(t.val), Kind, m.Config, o, false)
	rep.Steps = t.steps
	rep.CodesUsed, rep.Restarts = t.lastUsed, t.restarts
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	return rep, nil
}
