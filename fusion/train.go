package fusion

import (
	"context"
	"fmt"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Data is what Train learns from: clips with the Config.Label label (a
// synth.Sensors corpus, say). Val, optional, picks the best epoch.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train; zero fields take the values of
// DefaultTrainOptions.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings Train uses for the fields left at
// zero: 40 epochs of batches of 32, Adam at 3e-3, weight decay 1e-4,
// patience 10 epochs.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 40, BatchSize: 32, LR: 3e-3, WeightDecay: 1e-4, Patience: 10}
}

// Report summarises a training run.
type Report struct {
	task.Report
	TrainClips, ValClips int
}

type trainTask struct {
	m          *Model
	train, val []*example
	r          *rand.Rand
	prog, eval *nets.Program
	steps      int
}

func (t *trainTask) Params() []*nets.Param { return t.m.params }

func (t *trainTask) TrainBatch(idx []int) (float64, error) {
	exs := make([]*example, len(idx))
	for i, j := range idx {
		exs[i] = t.train[j]
	}
	pass, err := t.prog.Run(t.m.feeds(exs, t.m.dropMask(len(exs), t.r), true)...)
	if err != nil {
		return 0, err
	}
	t.steps++
	return pass.Loss()
}

func (t *trainTask) EvalBatch(idx []int) (float64, error) {
	exs := make([]*example, len(idx))
	for i, j := range idx {
		exs[i] = t.val[j]
	}
	pass, err := t.eval.Run(t.m.feeds(exs, fullMask(len(exs), len(t.m.Config.Streams)), true)...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// fullMask is n rows of s ones.
func fullMask(n, s int) []float32 {
	m := make([]float32, n*s)
	for i := range m {
		m[i] = 1
	}
	return m
}

// dropMask hides each stream of each of n examples with probability
// Config.DropStream, keeping at least one.
func (m *Model) dropMask(n int, r *rand.Rand) []float32 {
	s := len(m.Config.Streams)
	mask := fullMask(n, s)
	if s == 1 {
		return mask
	}
	for i := 0; i < n; i++ {
		kept := 0
		for j := 0; j < s; j++ {
			if r.Float64() < m.Config.DropStream {
				mask[i*s+j] = 0
			} else {
				kept++
			}
		}
		if kept == 0 {
			mask[i*s+r.Intn(s)] = 1
		}
	}
	return mask
}

// examples reads clips and turns them into standardised examples; clips
// without a known label are an error naming the clip.
func (m *Model) examples(ctx context.Context, clips []*avio.Clip, o TrainOptions, what string, fit bool) ([]*example, error) {
	raw, err := m.Config.loadAll(ctx, clips, o.Progress, what)
	if err != nil {
		return nil, err
	}
	for _, d := range raw {
		if d.class < 0 {
			return nil, fmt.Errorf("fusion: clip %s: no %q label with one of the model's classes %v", d.name, m.Config.Label, m.Config.Classes)
		}
	}
	if fit {
		if err := m.fitNorm(raw); err != nil {
			return nil, err
		}
	}
	out := make([]*example, len(raw))
	for i, d := range raw {
		if out[i], err = m.example(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Train teaches m to classify data.Train's clips by their Config.Label
// label: Adam on the cross-entropy of batches whose streams are hidden at
// random (Config.DropStream). The first training of a model also sets its
// feature standardisation from data.Train. The validation loss on
// data.Val (all streams present) picks the best epoch, which m holds when
// Train returns. A NaN loss or a cancelled ctx stops training with an
// error.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("fusion: %w", err)
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("fusion: no training clips")
	}
	t := &trainTask{m: m, r: rand.New(rand.NewSource(o.Seed + 1))}
	if t.train, err = m.examples(ctx, data.Train, o, "loading train clips", !m.fitted()); err != nil {
		return rep, err
	}
	if t.val, err = m.examples(ctx, data.Val, o, "loading val clips", false); err != nil {
		return rep, err
	}
	rep.TrainClips, rep.ValClips = len(t.train), len(t.val)
	t.prog = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, len(t.train), len(t.val), Kind, m.Config, o, false)
	rep.Steps = t.steps
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("fusion: %w", err)
	}
	return rep, nil
}
