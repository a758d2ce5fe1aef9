package separation

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Data is what Train learns from: clips with a "speaker" label whose
// voices are mixed on the fly (pairs of different speakers, or one speaker
// and noise when Config.Speakers is 1). Val, optional, gives a fixed set
// of validation mixtures; keep its speakers out of Train.
type Data struct {
	Train, Val []*avio.Clip
}

// TrainOptions configures Train; zero fields take the values of
// DefaultTrainOptions. StepsPerEpoch steps of BatchSize fresh mixtures make
// an epoch; ValExamples is the number of fixed validation mixtures drawn
// from Data.Val.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings Train uses for the fields left at
// zero: 60 epochs of 100 steps of 8 mixtures (about an hour on two cores
// for DefaultConfig), Adam at 1e-3, gradient norm clipped at 5, 64
// validation mixtures.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 60, StepsPerEpoch: 100, BatchSize: 8, LR: 1e-3, ClipNorm: 5, ValExamples: 64}
}

// Report summarises a training run.
type Report struct {
	task.Report       // loss history, optimiser steps, wall time
	TrainClips    int // clips the training mixtures are drawn from
	TrainSpeakers int
	ValMixtures   int
	// Restarts counts the fresh weights drawn because validation stayed on
	// the 0 dB plateau (see Train).
	Restarts int
}

// The plateau guard of Train: a face-guided model trained on the SI-SDR
// loss starts where every output is half the mixture (0 dB), and leaves
// only once its visual stream tells the two faces apart; for some weight
// draws that takes thousands of steps. A start whose validation SI-SDRi
// has not reached plateauScore after plateauSteps steps is abandoned for
// fresh weights, at most maxRestarts times.
var (
	plateauSteps = 300
	plateauScore = 1.0 // dB
	maxRestarts  = 3
)

type trainTask struct {
	m          *Model
	mx         *mixer
	r          *rand.Rand
	prog, eval *nets.Program // training, and validation loss
	val        []*example
	valFt      []*features
	valMix     [][][2]float64 // the mixture's SI-SDR and SDR per source of each val example
	steps      int

	guard    bool // the plateau guard is on
	start    int  // step at which the current weights were drawn
	left     bool // the current weights have left the plateau
	restart  bool // draw fresh weights before the next step
	restarts int
	progress io.Writer
}

func (t *trainTask) Params() []*nets.Param { return t.m.params }

// LossName names the loss on plots.
func (t *trainTask) LossName() string {
	name := "MSE of compressed spectrograms"
	if t.m.Config.Loss == LossSISDR {
		name = "negative SI-SDR (dB)"
	}
	if t.m.faceAux != nil {
		name += "; training adds the visual auxiliary loss"
	}
	return name
}

// ScoreName names the validation score on plots.
func (t *trainTask) ScoreName() string { return "SI-SDRi (dB)" }

// ValScore is the mean SI-SDR improvement of the model's estimates on the
// validation mixtures, scored as Evaluate scores them (face order; the
// better order for the audio-only model).
func (t *trainTask) ValScore() (float64, error) {
	var s score
	for i, ex := range t.val {
		est, err := t.m.separate(ex)
		if err != nil {
			return 0, err
		}
		if err := s.addAll(ex.srcs, est, t.valMix[i], false, t.m.Config.AudioOnly); err != nil {
			return 0, fmt.Errorf("separation: validation mixture %d: %w", i+1, err)
		}
	}
	score := s.sisdri / float64(max(1, s.n))
	if t.guard && !t.left {
		if score >= plateauScore {
			t.left = true
		} else if t.steps-t.start >= plateauSteps && t.restarts < maxRestarts {
			t.restart = true
		}
	}
	return score, nil
}

// redraw replaces the weights with a fresh draw from another seed.
func (t *trainTask) redraw() error {
	cfg := t.m.Config
	cfg.Seed += 1000 * int64(t.restarts+1)
	fresh, err := New(cfg)
	if err != nil {
		return err
	}
	defer fresh.Close()
	for i, p := range t.m.params {
		copy(p.Data, fresh.params[i].Data)
	}
	t.restarts++
	t.start, t.restart = t.steps, false
	if t.progress != nil {
		fmt.Fprintf(t.progress, "\nseparation: validation SI-SDRi below %g dB after %d steps (the plateau before the faces are told apart): fresh weights (seed %d), restart %d of at most %d\n",
			plateauScore, plateauSteps, cfg.Seed, t.restarts, maxRestarts)
	}
	return nil
}

func (t *trainTask) TrainBatch(idx []int) (float64, error) {
	if t.restart {
		if err := t.redraw(); err != nil {
			return 0, err
		}
	}
	exs := make([]*example, len(idx))
	fs := make([]*features, len(idx))
	for i := range idx {
		exs[i] = t.mx.draw(t.r)
		f, err := t.m.Config.features(exs[i], true)
		if err != nil {
			return 0, err
		}
		if t.m.faceAux != nil {
			for _, src := range exs[i].srcs {
				a, err := t.m.Config.loudness(src)
				if err != nil {
					return 0, err
				}
				if len(a) != f.t {
					return 0, fmt.Errorf("separation: loudness of %d frames, the STFT %d", len(a), f.t)
				}
				f.act = append(f.act, a)
			}
		}
		fs[i] = f
	}
	pass, err := t.prog.Run(t.m.Config.feeds(fs, exs, true)...)
	if err != nil {
		return 0, err
	}
	t.steps++
	return pass.Loss()
}

func (t *trainTask) EvalBatch(idx []int) (float64, error) {
	exs := make([]*example, len(idx))
	fs := make([]*features, len(idx))
	for i, j := range idx {
		exs[i], fs[i] = t.val[j], t.valFt[j]
	}
	pass, err := t.eval.Run(t.m.Config.feeds(fs, exs, true)...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// Train teaches m to separate: every step draws BatchSize fresh mixtures
// of Config.Segment seconds from data.Train (see Data), and Adam minimises
// the L2 loss between masked and clean compressed spectrograms (targets in
// face order; permutation-invariant for the audio-only model). An epoch is
// StepsPerEpoch steps; the validation loss on ValMixtures fixed mixtures of
// data.Val picks the best epoch, which m holds when Train returns, and
// their SI-SDR improvement is recorded per epoch (History.Epochs[i].ValScore;
// with CurvePrefix, against wall time in PREFIX-score.png). A face-guided
// model on the SI-SDR loss whose validation SI-SDRi is still below 1 dB
// after 300 steps gets fresh weights (from Config.Seed + 1000·k, at most 3
// times; Report.Restarts), since such a start may sit on the 0 dB plateau
// for thousands of steps; the steps spent count towards Epochs. A NaN
// loss or a cancelled ctx stops training with an error.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("separation: %w", err)
	}
	cfg := m.Config
	tr, err := cfg.loadSources(ctx, data.Train, o.Progress, "loading train clips")
	if err != nil {
		return rep, err
	}
	mx, err := newTrainMixer(cfg, tr)
	if err != nil {
		return rep, err
	}
	spk := map[string]bool{}
	for _, s := range tr {
		spk[s.speaker] = true
	}
	rep.TrainClips, rep.TrainSpeakers = len(tr), len(spk)
	t := &trainTask{m: m, mx: mx, r: rand.New(rand.NewSource(o.Seed)), progress: o.Progress}
	if len(data.Val) > 0 && o.ValExamples > 0 {
		va, err := cfg.loadSources(ctx, data.Val, o.Progress, "loading val clips")
		if err != nil {
			return rep, err
		}
		vmx, err := newMixer(cfg, va, cfg.SegmentFrames())
		if err != nil {
			return rep, fmt.Errorf("separation: validation clips: %w", err)
		}
		vr := rand.New(rand.NewSource(o.Seed + 7919))
		for i := 0; i < o.ValExamples; i++ {
			ex := vmx.draw(vr)
			f, err := cfg.features(ex, true)
			if err != nil {
				return rep, err
			}
			ms, err := ex.mixScores()
			if err != nil {
				return rep, fmt.Errorf("separation: validation mixture %d: %w", i+1, err)
			}
			t.val, t.valFt, t.valMix = append(t.val, ex), append(t.valFt, f), append(t.valMix, ms)
		}
	}
	rep.ValMixtures = len(t.val)
	t.guard = len(t.val) > 0 && !cfg.AudioOnly && cfg.Loss == LossSISDR
	t.prog = nets.NewProgram(m.define(true), nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(m.define(true), nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, o.StepsPerEpoch*o.BatchSize, len(t.val), Kind, cfg, o, true)
	rep.Steps, rep.Restarts = t.steps, t.restarts
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("separation: %w", err)
	}
	return rep, nil
}
