// Package task is the kit every avlearn task package (soundnet,
// separation, and the tasks to come) is built from, so that learning one
// task teaches them all.
//
// Every task package has the same surface:
//
//	Config                       every size and hyper-parameter, JSON-tagged;
//	                             DefaultConfig() is the recommended recipe,
//	                             Validate() reports the first bad field
//	New(cfg) (*Model, error)     a model with fresh weights
//	Load(path) (*Model, error)   a model file written by (*Model).Save
//	Train(ctx, m, data, TrainOptions) (Report, error)
//	(*Model).<verb>(...)         inference (Features, Separate, …)
//	Evaluate(m, data, ...) (Metrics, error)
//	                             held-out figures beside their baselines
//
// This package holds the parts they share: the training options and their
// defaults ([TrainOptions]), the report of a run ([Report]) and the training
// loop with keep-best checkpoints in the common model-file format ([Fit]).
package task

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/avlearn/avlearn/nets"
)

// TrainOptions configures a task's Train. A zero field takes the task's
// default (see each task's DefaultTrainOptions).
type TrainOptions struct {
	Epochs    int     // passes over the training set, or rounds of StepsPerEpoch steps
	BatchSize int     // examples per step
	LR        float64 // Adam learning rate (the peak of a schedule)
	// Schedule shapes the learning rate over the run: constant, or a
	// cosine from LR down to LR/20 over every step of the call (one
	// command then does what a run at LR followed by a lower-rate
	// fine-tune did).
	Schedule Schedule
	// WeightDecay > 0 uses AdamW with this decoupled weight decay.
	WeightDecay float64
	// ClipNorm > 0 clips the gradient norm of each step.
	ClipNorm float64
	Seed     int64 // shuffling and the examples drawn
	// Patience > 0 stops after that many epochs without a better
	// validation loss.
	Patience int
	// StepsPerEpoch is the number of steps of an epoch for tasks that draw
	// fresh training examples every step (separation mixes new pairs);
	// tasks that pass over a fixed set ignore it.
	StepsPerEpoch int
	// ValExamples is the number of validation examples drawn, for tasks
	// that draw them (separation's validation mixtures).
	ValExamples int
	// CheckpointPath, if set, receives the best model so far in the task's
	// model-file format (written atomically; Load reads it).
	CheckpointPath string
	// Meta holds extra metadata keys written into every checkpoint beside
	// the kind and the configuration (what the task's Save adds, so that a
	// checkpoint loads as a whole model).
	Meta map[string]string
	// CurvePrefix, if set, receives the loss curves PREFIX.csv and
	// PREFIX.png, and for tasks with a validation score (separation's
	// SI-SDRi) that score against wall time, PREFIX-score.png.
	CurvePrefix string
	// Progress receives progress lines with ETA; nil is quiet.
	Progress io.Writer
}

// Schedule is a learning-rate schedule.
type Schedule string

// Schedules.
const (
	ScheduleConstant Schedule = "constant"
	ScheduleCosine   Schedule = "cosine"
)

// cosineFloor is the final learning rate of the cosine schedule, as a
// fraction of the peak.
const cosineFloor = 1.0 / 20

// WithDefaults returns o with every zero field taken from d, and an error
// naming the first invalid setting in words a user knows (not Go names).
func (o TrainOptions) WithDefaults(d TrainOptions) (TrainOptions, error) {
	pick := func(v *int, dv int) {
		if *v == 0 {
			*v = dv
		}
	}
	pickF := func(v *float64, dv float64) {
		if *v == 0 {
			*v = dv
		}
	}
	pick(&o.Epochs, d.Epochs)
	pick(&o.BatchSize, d.BatchSize)
	pick(&o.Patience, d.Patience)
	pick(&o.StepsPerEpoch, d.StepsPerEpoch)
	pick(&o.ValExamples, d.ValExamples)
	pickF(&o.LR, d.LR)
	pickF(&o.WeightDecay, d.WeightDecay)
	pickF(&o.ClipNorm, d.ClipNorm)
	if o.Schedule == "" {
		o.Schedule = d.Schedule
	}
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }
	switch {
	case o.Epochs < 1:
		return o, fmt.Errorf("epochs %d: want at least 1", o.Epochs)
	case o.BatchSize < 1:
		return o, fmt.Errorf("batch size %d: want at least 1", o.BatchSize)
	case o.StepsPerEpoch < 0:
		return o, fmt.Errorf("steps per epoch %d: want at least 1", o.StepsPerEpoch)
	case o.ValExamples < 0:
		return o, fmt.Errorf("validation examples %d: want 0 or more", o.ValExamples)
	case o.Patience < 0:
		return o, fmt.Errorf("patience %d: want 0 (off) or more", o.Patience)
	case bad(o.LR) || o.LR == 0:
		return o, fmt.Errorf("learning rate %v: want a number > 0", o.LR)
	case bad(o.WeightDecay):
		return o, fmt.Errorf("weight decay %v: want a number ≥ 0", o.WeightDecay)
	case bad(o.ClipNorm):
		return o, fmt.Errorf("gradient clip norm %v: want a number ≥ 0 (0 is off)", o.ClipNorm)
	case o.Schedule != "" && o.Schedule != ScheduleConstant && o.Schedule != ScheduleCosine:
		return o, fmt.Errorf("learning-rate schedule %q: want %q or %q", o.Schedule, ScheduleConstant, ScheduleCosine)
	}
	return o, nil
}

// Optimizer returns Adam at LR, or AdamW with WeightDecay.
func (o TrainOptions) Optimizer() nets.Optimizer {
	if o.WeightDecay > 0 {
		return nets.NewAdamW(o.LR, o.WeightDecay)
	}
	return nets.NewAdam(o.LR)
}

// Report is what every task's training run reports; task packages embed it
// in their own Report with their data counts.
type Report struct {
	History  nets.History  // loss per epoch, best epoch
	Steps    int           // optimiser steps taken
	Duration time.Duration // wall time of the whole call
}

// Fit trains t with nets.Fit under o: Adam (or AdamW), o's clipping,
// patience and curves, the best epoch kept in the model when there is a
// validation set, and each new best written to o.CheckpointPath as a
// model file of the given kind and configuration (nets.SaveModel's
// format, so the task's Load reads it). dropLast skips the last, smaller
// batch of an epoch.
func Fit(ctx context.Context, t nets.Task, nTrain, nVal int, kind string, cfg any, o TrainOptions, dropLast bool) (nets.History, error) {
	meta, err := nets.ModelMeta(kind, cfg, o.Meta)
	if err != nil {
		return nets.History{}, err
	}
	var sched nets.Schedule
	if o.Schedule == ScheduleCosine && o.BatchSize > 0 {
		perEpoch := (nTrain + o.BatchSize - 1) / o.BatchSize
		if dropLast {
			perEpoch = nTrain / o.BatchSize
		}
		sched = nets.Cosine{Base: o.LR, Min: o.LR * cosineFloor, Steps: o.Epochs * perEpoch}
	}
	return nets.Fit(ctx, t, nTrain, nVal, nets.TrainOptions{
		Epochs: o.Epochs, BatchSize: o.BatchSize, Seed: o.Seed, Optimizer: o.Optimizer(),
		Schedule: sched, ClipNorm: o.ClipNorm, Patience: o.Patience,
		CheckpointPath: o.CheckpointPath, Meta: meta, RestoreBest: nVal > 0,
		CurvePrefix: o.CurvePrefix, Progress: o.Progress, DropLast: dropLast,
	})
}
