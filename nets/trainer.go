package nets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"strconv"
	"time"

	"github.com/avlearn/avlearn/internal/progress"
)

// Task is what Fit trains: a model with a forward/backward pass over
// batches of examples given by index. Task packages implement it over
// their own data and graphs.
type Task interface {
	// Params lists every tensor of the model (learnable and buffers), in
	// the order they are saved.
	Params() []*Param
	// TrainBatch runs the training forward and backward pass on the
	// training examples idx (each in [0, nTrain)), leaves the gradient of
	// the mean batch loss in Param.Grad, and returns that loss. idx is
	// only valid during the call.
	TrainBatch(idx []int) (loss float64, err error)
	// EvalBatch runs the evaluation forward pass (Eval mode: running
	// statistics, no dropout) on the validation examples idx (each in
	// [0, nVal)) and returns their mean loss.
	EvalBatch(idx []int) (loss float64, err error)
}

// LossNamer is a Task that names its loss ("KL divergence (nats)"); Fit
// records the name in History.Loss, and plots carry it.
type LossNamer interface {
	LossName() string
}

// Scorer is a Task with a validation figure besides its loss, such as
// separation's SI-SDR improvement in dB. Fit calls ValScore after every
// epoch's validation, records it in EpochStats.ValScore and plots it
// against wall time beside the loss curves. The loss still picks the best
// epoch.
type Scorer interface {
	// ScoreName names the figure on plots ("SI-SDRi (dB)").
	ScoreName() string
	// ValScore scores the model as it is now on the validation set.
	ValScore() (float64, error)
}

// TrainOptions configures Fit. Zero values mean "off" except where noted.
type TrainOptions struct {
	Epochs    int       // passes over the training set (required)
	BatchSize int       // examples per step (required)
	Seed      int64     // seeds the shuffling of the training set each epoch
	Optimizer Optimizer // required
	// Schedule, if set, gives the learning rate: before every step from
	// the number of steps taken so far, or, with SchedulePerEpoch, at the
	// start of every epoch from the epoch index (0-based).
	Schedule         Schedule
	SchedulePerEpoch bool
	// ClipNorm > 0 clips the total gradient norm to ClipNorm (ClipGradNorm).
	ClipNorm float64
	// Patience > 0 stops training after that many epochs without a new
	// best monitored loss (the validation loss, or the training loss when
	// there is no validation set).
	Patience int
	// CheckpointPath, if set, receives the model (Task.Params) whenever the
	// monitored loss reaches a new best, written atomically with Meta plus
	// "epoch" and "loss" in the metadata. A failed run (NaN, cancellation)
	// leaves the last such checkpoint in place.
	CheckpointPath string
	Meta           map[string]string
	// RestoreBest copies the best epoch's parameters back into the model
	// when training ends normally (all epochs or early stopping), if that
	// best was reached in this call.
	RestoreBest bool
	// StatePath, if set, receives the model, the optimiser's state and the
	// TrainingState after every epoch (SaveTrainingState), so that a run
	// stopped for any reason can be resumed with LoadTrainingState and
	// Resume.
	StatePath string
	// Resume continues a run from a saved TrainingState: training starts
	// at epoch Resume.Epoch+1 with the shuffling, schedule position, best
	// loss and patience count it would have had. With the weights and
	// optimiser state restored, the result equals an uninterrupted run.
	Resume *TrainingState
	// CurvePrefix, if set, makes Fit write the loss curves: PREFIX.csv
	// after every epoch, and PREFIX.png when Fit returns (drawing takes
	// about 0.1 s), plus PREFIX-score.png, the validation score against
	// wall time, for a Scorer. After a Resume they show the epochs of this
	// call only.
	CurvePrefix string
	// Progress receives a progress line with ETA; nil is quiet.
	Progress io.Writer
	// DropLast skips the last, smaller training batch of each epoch (for
	// graphs built for one batch size).
	DropLast bool
}

// EpochStats summarises one epoch.
type EpochStats struct {
	Epoch     int     // 1-based
	TrainLoss float64 // mean over the training examples seen this epoch
	ValLoss   float64 // mean over the validation set; NaN without one
	LR        float64 // learning rate of the epoch's last step
	GradNorm  float64 // mean gradient norm before clipping
	ValScore  float64 // the Scorer's validation figure; NaN without one
	Duration  time.Duration
	Elapsed   time.Duration // wall time from the start of Fit to the end of this epoch
}

// MarshalJSON writes the stats with durations in seconds and a missing
// validation loss or score as null (encoding/json cannot write NaN).
func (e EpochStats) MarshalJSON() ([]byte, error) {
	orNull := func(v float64) *float64 {
		if math.IsNaN(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Epoch     int      `json:"epoch"`
		TrainLoss float64  `json:"train_loss"`
		ValLoss   *float64 `json:"val_loss"`
		ValScore  *float64 `json:"val_score"`
		LR        float64  `json:"lr"`
		GradNorm  float64  `json:"grad_norm"`
		Seconds   float64  `json:"seconds"`
		Elapsed   float64  `json:"elapsed"`
	}{e.Epoch, e.TrainLoss, orNull(e.ValLoss), orNull(e.ValScore), e.LR, e.GradNorm, e.Duration.Seconds(), e.Elapsed.Seconds()})
}

// History is what Fit did, epoch by epoch.
type History struct {
	Epochs       []EpochStats
	BestEpoch    int     // 1-based epoch of the best monitored loss; 0 if none
	BestLoss     float64 // that loss; +Inf if none
	StoppedEarly bool    // stopped by Patience
	Loss         string  // what the loss is, if the Task is a LossNamer
	Score        string  // what EpochStats.ValScore is, if the Task is a Scorer with validation examples
}

// MarshalJSON writes the history with snake_case keys and a missing best
// loss as null.
func (h History) MarshalJSON() ([]byte, error) {
	var best *float64
	if !math.IsInf(h.BestLoss, 0) && !math.IsNaN(h.BestLoss) {
		best = &h.BestLoss
	}
	return json.Marshal(struct {
		Epochs       []EpochStats `json:"epochs"`
		BestEpoch    int          `json:"best_epoch"`
		BestLoss     *float64     `json:"best_loss"`
		StoppedEarly bool         `json:"stopped_early"`
		Loss         string       `json:"loss,omitempty"`
		Score        string       `json:"score,omitempty"`
	}{h.Epochs, h.BestEpoch, best, h.StoppedEarly, h.Loss, h.Score})
}

// Fit trains t for o.Epochs epochs over nTrain training examples in
// batches of o.BatchSize, shuffled with o.Seed, evaluating the nVal
// validation examples after every epoch (nVal may be 0). The same task,
// options and seed give the same parameters.
//
// Fit stops with an error naming the epoch and batch when a loss or the
// gradient norm is NaN or infinite, before the bad gradient is applied.
// It checks ctx before every batch and returns ctx.Err() once it is
// cancelled. In both cases the History so far is returned and the last
// checkpoint stays as it was.
func Fit(ctx context.Context, t Task, nTrain, nVal int, o TrainOptions) (h History, err error) {
	h = History{BestLoss: math.Inf(1)}
	begin := time.Now()
	if n, ok := t.(LossNamer); ok {
		h.Loss = n.LossName()
	}
	scorer, _ := t.(Scorer)
	if scorer != nil && nVal > 0 {
		h.Score = scorer.ScoreName()
	}
	switch {
	case t == nil:
		return h, errors.New("nets: Fit: nil task")
	case o.Optimizer == nil:
		return h, errors.New("nets: Fit: TrainOptions.Optimizer is nil")
	case o.Epochs <= 0:
		return h, fmt.Errorf("nets: Fit: Epochs = %d, want > 0", o.Epochs)
	case o.BatchSize <= 0:
		return h, fmt.Errorf("nets: Fit: BatchSize = %d, want > 0", o.BatchSize)
	case nTrain <= 0 || nVal < 0:
		return h, fmt.Errorf("nets: Fit: %d training and %d validation examples", nTrain, nVal)
	case o.DropLast && nTrain < o.BatchSize:
		return h, fmt.Errorf("nets: Fit: DropLast with %d training examples and BatchSize %d leaves no batch", nTrain, o.BatchSize)
	}
	e0 := 0
	bad := 0
	if r := o.Resume; r != nil {
		if r.Epoch < 0 || r.Epoch > o.Epochs {
			return h, fmt.Errorf("nets: Fit: Resume.Epoch = %d outside [0, %d]", r.Epoch, o.Epochs)
		}
		e0, bad = r.Epoch, r.Bad
		h.BestEpoch, h.BestLoss = r.BestEpoch, r.BestLoss
	}
	all := t.Params()
	learn := Learnable(all)
	nb := (nTrain + o.BatchSize - 1) / o.BatchSize
	if o.DropLast {
		nb = nTrain / o.BatchSize
	}
	rng := rand.New(rand.NewSource(o.Seed))
	for e := 0; e < e0; e++ {
		rng.Perm(nTrain) // the shuffles of the epochs already done
	}
	bar := progress.New(o.Progress, "train", (o.Epochs-e0)*nb)
	defer bar.Done()
	if o.CurvePrefix != "" {
		defer func() {
			if len(h.Epochs) == 0 {
				return
			}
			if perr := h.PlotPNG(o.CurvePrefix + ".png"); perr != nil && err == nil {
				err = perr
			}
			if h.Score == "" {
				return
			}
			if perr := h.PlotScorePNG(o.CurvePrefix + "-score.png"); perr != nil && err == nil {
				err = perr
			}
		}()
	}
	var best [][]float32
	step := e0 * nb
	for e := e0; e < o.Epochs; e++ {
		start := time.Now()
		if o.Schedule != nil && o.SchedulePerEpoch {
			o.Optimizer.SetLR(o.Schedule.LR(e))
		}
		perm := rng.Perm(nTrain)
		var sum, norms float64
		var seen int
		for b := 0; b < nb; b++ {
			if err := ctx.Err(); err != nil {
				return h, err
			}
			lo, hi := b*o.BatchSize, min((b+1)*o.BatchSize, nTrain)
			idx := append([]int(nil), perm[lo:hi]...)
			ZeroGrad(learn)
			loss, err := t.TrainBatch(idx)
			if err != nil {
				return h, fmt.Errorf("nets: Fit: epoch %d batch %d: %w", e+1, b+1, err)
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return h, fmt.Errorf("nets: Fit: epoch %d batch %d: loss is %v", e+1, b+1, loss)
			}
			norm := ClipGradNorm(learn, o.ClipNorm)
			if math.IsNaN(norm) || math.IsInf(norm, 0) {
				return h, fmt.Errorf("nets: Fit: epoch %d batch %d: gradient norm is %v (loss %g)", e+1, b+1, norm, loss)
			}
			if o.Schedule != nil && !o.SchedulePerEpoch {
				o.Optimizer.SetLR(o.Schedule.LR(step))
			}
			if err := o.Optimizer.Step(learn); err != nil {
				return h, fmt.Errorf("nets: Fit: epoch %d batch %d: %w", e+1, b+1, err)
			}
			step++
			sum += loss * float64(len(idx))
			norms += norm
			seen += len(idx)
			bar.Set((e-e0)*nb+b+1, fmt.Sprintf("epoch %d/%d loss %.4g%s", e+1, o.Epochs, sum/float64(seen), fitVal(h)))
		}
		st := EpochStats{Epoch: e + 1, TrainLoss: sum / float64(seen), ValLoss: math.NaN(),
			ValScore: math.NaN(), LR: o.Optimizer.LR(), GradNorm: norms / float64(nb)}
		monitored := st.TrainLoss
		if nVal > 0 {
			v, err := fitEval(ctx, t, nVal, o.BatchSize, e+1)
			if err != nil {
				return h, err
			}
			st.ValLoss, monitored = v, v
			if h.Score != "" {
				if st.ValScore, err = scorer.ValScore(); err != nil {
					return h, fmt.Errorf("nets: Fit: epoch %d validation score: %w", e+1, err)
				}
			}
		}
		st.Duration, st.Elapsed = time.Since(start), time.Since(begin)
		h.Epochs = append(h.Epochs, st)
		bar.Set((e-e0)*nb+nb, fmt.Sprintf("epoch %d/%d loss %.4g%s", e+1, o.Epochs, st.TrainLoss, fitVal(h)))
		if o.CurvePrefix != "" {
			if err := h.WriteCSV(o.CurvePrefix + ".csv"); err != nil {
				return h, err
			}
		}
		if monitored < h.BestLoss {
			h.BestLoss, h.BestEpoch, bad = monitored, e+1, 0
			if o.RestoreBest {
				best = fitSnapshot(all, best)
			}
			if o.CheckpointPath != "" {
				meta := map[string]string{}
				for k, v := range o.Meta {
					meta[k] = v
				}
				meta["epoch"] = strconv.Itoa(e + 1)
				meta["loss"] = strconv.FormatFloat(monitored, 'g', -1, 64)
				if err := SaveSafetensors(o.CheckpointPath, all, meta); err != nil {
					return h, err
				}
			}
		} else {
			bad++
		}
		if o.StatePath != "" {
			s := TrainingState{Epoch: e + 1, BestEpoch: h.BestEpoch, BestLoss: h.BestLoss, Bad: bad}
			if err := SaveTrainingState(o.StatePath, all, o.Optimizer, s, o.Meta); err != nil {
				return h, err
			}
		}
		if o.Patience > 0 && bad >= o.Patience {
			h.StoppedEarly = true
			break
		}
	}
	if o.RestoreBest && best != nil {
		for i, p := range all {
			copy(p.Data, best[i])
		}
	}
	return h, nil
}

// fitEval returns the mean validation loss.
func fitEval(ctx context.Context, t Task, nVal, bs, epoch int) (float64, error) {
	var sum float64
	for lo := 0; lo < nVal; lo += bs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		hi := min(lo+bs, nVal)
		idx := make([]int, hi-lo)
		for i := range idx {
			idx[i] = lo + i
		}
		loss, err := t.EvalBatch(idx)
		if err != nil {
			return 0, fmt.Errorf("nets: Fit: epoch %d validation batch %d: %w", epoch, lo/bs+1, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return 0, fmt.Errorf("nets: Fit: epoch %d validation batch %d: loss is %v", epoch, lo/bs+1, loss)
		}
		sum += loss * float64(len(idx))
	}
	return sum / float64(nVal), nil
}

// fitSnapshot copies the values of ps into dst (allocated on first use).
func fitSnapshot(ps []*Param, dst [][]float32) [][]float32 {
	if dst == nil {
		dst = make([][]float32, len(ps))
		for i, p := range ps {
			dst[i] = make([]float32, len(p.Data))
		}
	}
	for i, p := range ps {
		copy(dst[i], p.Data)
	}
	return dst
}

// fitVal formats the last validation loss for the progress line.
func fitVal(h History) string {
	if n := len(h.Epochs); n > 0 && !math.IsNaN(h.Epochs[n-1].ValLoss) {
		return fmt.Sprintf(" val %.4g", h.Epochs[n-1].ValLoss)
	}
	return ""
}
