package separation

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
)

// Data is what Train learns from: clips with a "speaker" label whose
// voices are mixed on the fly (pairs of different speakers, or one speaker
// and noise when Config.Speakers is 1). Val, optional, gives a fixed set
// of validation mixtures; keep its speakers out of Train.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train. Zero values take the defaults noted.
type TrainOptions struct {
	Epochs        int     // 0 means 10
	StepsPerEpoch int     // batches of fresh mixtures per epoch; 0 means 100
	BatchSize     int     // mixtures per step; 0 means 8
	LR            float64 // Adam learning rate; 0 means 1e-3
	ClipNorm      float64 // gradient norm clip; 0 means 5
	Seed          int64   // mixtures drawn and order
	ValMixtures   int     // fixed validation mixtures from Data.Val; 0 means 64
	Patience      int     // > 0 stops after that many epochs without a better validation loss
	// CheckpointPath, if set, receives the best model so far (atomically).
	CheckpointPath string
	// CurvePrefix, if set, receives the loss curves PREFIX.csv and PREFIX.png.
	CurvePrefix string
	// Progress receives progress lines with ETA; nil is quiet.
	Progress io.Writer
}

func (o *TrainOptions) defaults() error {
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	if o.StepsPerEpoch == 0 {
		o.StepsPerEpoch = 100
	}
	if o.BatchSize == 0 {
		o.BatchSize = 8
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	if o.ClipNorm == 0 {
		o.ClipNorm = 5
	}
	if o.ValMixtures == 0 {
		o.ValMixtures = 64
	}
	switch {
	case o.Epochs < 0 || o.StepsPerEpoch < 0 || o.BatchSize < 0 || o.ValMixtures < 0:
		return fmt.Errorf("separation: TrainOptions: Epochs %d, StepsPerEpoch %d, BatchSize %d and ValMixtures %d must be positive", o.Epochs, o.StepsPerEpoch, o.BatchSize, o.ValMixtures)
	case !(o.LR > 0):
		return fmt.Errorf("separation: TrainOptions.LR = %v, want > 0", o.LR)
	}
	return nil
}

// Report summarises a training run.
type Report struct {
	History       nets.History
	TrainClips    int
	TrainSpeakers int
	ValMixtures   int
	Steps         int // optimiser steps taken
	Duration      time.Duration
}

type trainTask struct {
	m     *Model
	mx    *mixer
	r     *rand.Rand
	k     *graph
	val   []*example
	valFt []*features
	evals map[int]*graph
	steps int
}

func (t *trainTask) Params() []*nets.Param { return t.m.params }

func (t *trainTask) TrainBatch(idx []int) (float64, error) {
	exs := make([]*example, len(idx))
	fs := make([]*features, len(idx))
	for i := range idx {
		exs[i] = t.mx.draw(t.r)
		f, err := t.m.Config.features(exs[i], true)
		if err != nil {
			return 0, err
		}
		fs[i] = f
	}
	if err := t.k.feed(fs, exs, true); err != nil {
		return 0, err
	}
	if err := t.k.mach.Run(); err != nil {
		return 0, err
	}
	t.steps++
	l, err := nets.Scalar(t.k.loss)
	return float64(l), err
}

func (t *trainTask) EvalBatch(idx []int) (float64, error) {
	k, ok := t.evals[len(idx)]
	if !ok {
		var err error
		if k, err = t.m.build(nets.Eval, 0, len(idx), t.k.t, t.k.vf); err != nil {
			return 0, err
		}
		if err = k.addLoss(t.m.Config); err != nil {
			return 0, err
		}
		if k.mach, err = nets.NewMachine(k.g, nil); err != nil {
			return 0, err
		}
		t.evals[len(idx)] = k
	}
	exs := make([]*example, len(idx))
	fs := make([]*features, len(idx))
	for i, j := range idx {
		exs[i], fs[i] = t.val[j], t.valFt[j]
	}
	if err := k.feed(fs, exs, true); err != nil {
		return 0, err
	}
	if err := k.mach.Run(); err != nil {
		return 0, err
	}
	l, err := nets.Scalar(k.loss)
	return float64(l), err
}

// Train teaches m to separate: every step draws BatchSize fresh mixtures
// of Config.Segment seconds from data.Train (see Data), and Adam minimises
// the L2 loss between masked and clean compressed spectrograms (targets in
// face order; permutation-invariant for the audio-only model). An epoch is
// StepsPerEpoch steps; the validation loss on ValMixtures fixed mixtures of
// data.Val picks the best epoch, which m holds when Train returns. A NaN
// loss or a cancelled ctx stops training with an error.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	if err := o.defaults(); err != nil {
		return rep, err
	}
	cfg := m.Config
	tr, err := cfg.loadSources(ctx, data.Train, o.Progress, "loading train clips")
	if err != nil {
		return rep, err
	}
	mx, err := newMixer(cfg, tr, cfg.SegmentFrames())
	if err != nil {
		return rep, err
	}
	spk := map[string]bool{}
	for _, s := range tr {
		spk[s.speaker] = true
	}
	rep.TrainClips, rep.TrainSpeakers = len(tr), len(spk)
	t := &trainTask{m: m, mx: mx, r: rand.New(rand.NewSource(o.Seed)), evals: map[int]*graph{}}
	if len(data.Val) > 0 && o.ValMixtures > 0 {
		va, err := cfg.loadSources(ctx, data.Val, o.Progress, "loading val clips")
		if err != nil {
			return rep, err
		}
		vmx, err := newMixer(cfg, va, cfg.SegmentFrames())
		if err != nil {
			return rep, fmt.Errorf("separation: validation clips: %w", err)
		}
		vr := rand.New(rand.NewSource(o.Seed + 7919))
		for i := 0; i < o.ValMixtures; i++ {
			ex := vmx.draw(vr)
			f, err := cfg.features(ex, true)
			if err != nil {
				return rep, err
			}
			t.val, t.valFt = append(t.val, ex), append(t.valFt, f)
		}
	}
	rep.ValMixtures = len(t.val)
	probe := mx.draw(rand.New(rand.NewSource(0)))
	pf, err := cfg.features(probe, false)
	if err != nil {
		return rep, err
	}
	if t.k, err = m.build(nets.Train, o.Seed, o.BatchSize, pf.t, mx.frames); err != nil {
		return rep, fmt.Errorf("separation: %w", err)
	}
	if err = t.k.addLoss(cfg); err != nil {
		return rep, err
	}
	if t.k.mach, err = nets.NewMachine(t.k.g, t.k.loss); err != nil {
		return rep, fmt.Errorf("separation: %w", err)
	}
	defer func() {
		t.k.mach.Close()
		for _, k := range t.evals {
			k.mach.Close()
		}
	}()
	rep.History, err = nets.Fit(ctx, t, o.StepsPerEpoch*o.BatchSize, len(t.val), nets.TrainOptions{
		Epochs: o.Epochs, BatchSize: o.BatchSize, Seed: o.Seed, Optimizer: nets.NewAdam(o.LR),
		ClipNorm: o.ClipNorm, Patience: o.Patience, CheckpointPath: o.CheckpointPath,
		Meta:        map[string]string{metaConfig: cfg.marshal(), "format": "separation"},
		RestoreBest: len(t.val) > 0, Progress: o.Progress, DropLast: true, CurvePrefix: o.CurvePrefix,
	})
	rep.Steps = t.steps
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("separation: %w", err)
	}
	return rep, nil
}
