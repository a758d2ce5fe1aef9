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
	noisy      []*example  // a noisy copy of every training example (Config.Corrupt)
	zero       [][]float32 // per stream, the features of a dead sensor
	r          *rand.Rand
	prog, eval *nets.Program
	steps      int
}

func (t *trainTask) Params() []*nets.Param { return t.m.params }

// LossName names the loss on plots.
func (t *trainTask) LossName() string { return "cross-entropy (nats)" }

func (t *trainTask) TrainBatch(idx []int) (float64, error) {
	exs := make([]*example, len(idx))
	for i, j := range idx {
		exs[i] = t.train[j]
	}
	mask := t.m.dropMask(len(exs), t.r)
	if c, s := t.m.Config.Corrupt, len(t.m.Config.Streams); c > 0 && s > 1 {
		for i, j := range idx {
			ex := &example{x: append([][]float32(nil), exs[i].x...), class: exs[i].class}
			for k := 0; k < s; k++ {
				if mask[i*s+k] == 0 || t.r.Float64() >= c/(1-t.m.Config.DropStream) {
					continue
				}
				if t.r.Intn(2) == 0 {
					ex.x[k] = t.zero[k]
				} else {
					ex.x[k] = t.noisy[j].x[k]
				}
			}
			exs[i] = ex
		}
	}
	pass, err := t.prog.Run(t.m.feeds(exs, mask, true)...)
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

// exampleSet is a split's examples and, for training with
// Config.Corrupt, their corrupted versions.
type exampleSet struct {
	ex, noisy []*example  // noisy: a noisy copy of every example
	zero      [][]float32 // per stream, the features of a dead sensor
}

// examples reads clips and turns them into standardised examples; clips
// without a known label are an error naming the clip. With corrupt, it
// also makes a noisy copy of every example and the dead sensors'
// features.
func (m *Model) examples(ctx context.Context, clips []*avio.Clip, o TrainOptions, what string, fit, corrupt bool) (exampleSet, error) {
	var set exampleSet
	raw, err := m.Config.loadAll(ctx, clips, o.Progress, what)
	if err != nil {
		return set, err
	}
	for _, d := range raw {
		if d.class < 0 {
			return set, fmt.Errorf("fusion: clip %s: no %q label with one of the model's classes %v", d.name, m.Config.Label, m.Config.Classes)
		}
	}
	if fit {
		if err := m.fitNorm(raw); err != nil {
			return set, err
		}
	}
	set.ex = make([]*example, len(raw))
	r := rand.New(rand.NewSource(o.Seed + 2))
	for i, d := range raw {
		if set.ex[i], err = m.example(d); err != nil {
			return set, err
		}
		if !corrupt {
			continue
		}
		n := d
		for _, s := range m.Config.Streams {
			n = n.corrupt(s, Noisy, r)
		}
		ex, err := m.example(n)
		if err != nil {
			return set, err
		}
		set.noisy = append(set.noisy, ex)
	}
	if corrupt && len(raw) > 0 {
		if set.zero, err = m.deadSensor(raw[0]); err != nil {
			return set, err
		}
	}
	return set, nil
}

// deadSensor returns, per stream, the standardised features of a sensor
// that delivers zeros, for clips like d.
func (m *Model) deadSensor(d *clipData) ([][]float32, error) {
	z := d
	for _, s := range m.Config.Streams {
		z = z.corrupt(s, Zeroed, nil)
	}
	ex, err := m.example(z)
	if err != nil {
		return nil, err
	}
	return ex.x, nil
}

// Train teaches m to classify data.Train's clips by their Config.Label
// label: Adam on the cross-entropy of batches whose streams are hidden,
// zeroed or noisy at random (Config.DropStream, Config.Corrupt). The first training of a model also sets its
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
	corrupt := m.Config.Corrupt > 0 && len(m.Config.Streams) > 1 // a single stream is never hidden nor corrupted
	tr, err := m.examples(ctx, data.Train, o, "loading train clips", !m.fitted(), corrupt)
	if err != nil {
		return rep, err
	}
	va, err := m.examples(ctx, data.Val, o, "loading val clips", false, false)
	if err != nil {
		return rep, err
	}
	t.train, t.noisy, t.zero, t.val = tr.ex, tr.noisy, tr.zero, va.ex
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
