package cli

import (
	"flag"
	"io"
	"path/filepath"

	"github.com/avlearn/avlearn/task"
)

// TrainFlags adds the training flags every task's training command shares,
// with d's values as defaults: --epochs, --steps (only when d.StepsPerEpoch
// is set: tasks that draw fresh examples every step), --batch, --lr, --schedule,
// --seed, --patience, --wd, --curves and -q. The function it returns,
// called after parsing, checks their values (usage errors naming the
// flags) and the --curves folder, and returns the options, with Progress
// on stderr unless -q.
func TrainFlags(fs *flag.FlagSet, d task.TrainOptions, stderr io.Writer) func() (task.TrainOptions, error) {
	o := d
	epochs, seed := "passes over the training examples", "seed of the weights and the shuffling"
	if d.StepsPerEpoch > 0 {
		epochs, seed = "epochs of --steps steps", "seed of the weights and the examples drawn"
		fs.IntVar(&o.StepsPerEpoch, "steps", d.StepsPerEpoch, "steps (batches of fresh examples) per epoch")
	}
	fs.IntVar(&o.Epochs, "epochs", d.Epochs, epochs)
	fs.IntVar(&o.BatchSize, "batch", d.BatchSize, "examples per step")
	fs.Float64Var(&o.LR, "lr", d.LR, "Adam learning rate (the peak, with --schedule cosine)")
	sched := string(d.Schedule)
	if sched == "" {
		sched = string(task.ScheduleConstant)
	}
	fs.StringVar(&sched, "schedule", sched, "learning rate over the run: constant, or cosine from --lr down to --lr/20")
	fs.Int64Var(&o.Seed, "seed", d.Seed, seed)
	fs.IntVar(&o.Patience, "patience", d.Patience, "stop after this many epochs without a better validation loss (0: off)")
	fs.Float64Var(&o.WeightDecay, "wd", d.WeightDecay, "AdamW weight decay (0: plain Adam)")
	fs.StringVar(&o.CurvePrefix, "curves", d.CurvePrefix, "write loss curves PREFIX.csv and PREFIX.png (and the validation score against time, PREFIX-score.png, where the task has one)")
	quiet := AddQuiet(fs)
	return func() (task.TrainOptions, error) {
		switch {
		case o.Epochs < 1:
			return o, Usagef("--epochs %d: want ≥ 1", o.Epochs)
		case o.StepsPerEpoch < 1 && d.StepsPerEpoch > 0:
			return o, Usagef("--steps %d: want ≥ 1", o.StepsPerEpoch)
		case o.BatchSize < 1:
			return o, Usagef("--batch %d: want ≥ 1", o.BatchSize)
		case !(o.LR > 0):
			return o, Usagef("--lr %g: want > 0", o.LR)
		case o.Patience < 0:
			return o, Usagef("--patience %d: want ≥ 0", o.Patience)
		case !(o.WeightDecay >= 0):
			return o, Usagef("--wd %g: want ≥ 0", o.WeightDecay)
		case sched != string(task.ScheduleConstant) && sched != string(task.ScheduleCosine):
			return o, Usagef("--schedule %q: want constant or cosine", sched)
		}
		o.Schedule = task.Schedule(sched)
		if o.CurvePrefix != "" {
			if err := CheckWritableDir("--curves "+o.CurvePrefix, filepath.Dir(o.CurvePrefix)); err != nil {
				return o, err
			}
		}
		if !*quiet {
			o.Progress = stderr
		}
		return o, nil
	}
}
