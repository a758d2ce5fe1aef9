package soundnet

import (
	"fmt"
	"io"

	"github.com/avlearn/avlearn/nets"
)

// TrainOptions configures Train and TrainTeacher. Zero values take the
// defaults noted.
type TrainOptions struct {
	Epochs    int     // passes over the training examples; 0 means 10
	BatchSize int     // examples per step; 0 means 8
	LR        float64 // Adam learning rate; 0 means 1e-3
	// WeightDecay > 0 uses AdamW with this decoupled weight decay.
	WeightDecay float64
	Seed        int64 // shuffling
	Patience    int   // > 0 stops after that many epochs without a better validation loss
	// CheckpointPath, if set, receives the best model so far (atomically).
	CheckpointPath string
	// Progress receives a progress line with ETA; nil is quiet.
	Progress io.Writer
}

func (o *TrainOptions) defaults() error {
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	if o.BatchSize == 0 {
		o.BatchSize = 8
	}
	if o.LR == 0 {
		o.LR = 1e-3
	}
	switch {
	case o.Epochs < 0:
		return fmt.Errorf("soundnet: TrainOptions.Epochs = %d, want > 0", o.Epochs)
	case o.BatchSize < 0:
		return fmt.Errorf("soundnet: TrainOptions.BatchSize = %d, want > 0", o.BatchSize)
	case o.WeightDecay < 0:
		return fmt.Errorf("soundnet: TrainOptions.WeightDecay = %v, want ≥ 0", o.WeightDecay)
	case !(o.LR > 0):
		return fmt.Errorf("soundnet: TrainOptions.LR = %v, want > 0", o.LR)
	}
	return nil
}

// optimizer is Adam, or AdamW with WeightDecay.
func (o TrainOptions) optimizer() nets.Optimizer {
	if o.WeightDecay > 0 {
		return nets.NewAdamW(o.LR, o.WeightDecay)
	}
	return nets.NewAdam(o.LR)
}
