package soundnet

import (
	"fmt"

	"github.com/avlearn/avlearn/task"
)

// TrainOptions configures Train and TrainTeacher; zero fields take the
// values of DefaultTrainOptions.
type TrainOptions = task.TrainOptions

// DefaultTrainOptions are the settings Train and TrainTeacher use for the
// fields left at zero, and "avl soundnet distill"'s defaults: 20 epochs of
// batches of 8 at Adam's learning rate 1e-3 (with DefaultConfig's random
// shifts and gains the validation KL stops improving after 15–20 epochs on
// a 600-clip corpus; Train keeps the best epoch).
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 20, BatchSize: 8, LR: 1e-3, Seed: 1}
}

// options fills o's zero fields from DefaultTrainOptions.
func options(o TrainOptions) (TrainOptions, error) {
	o, err := o.WithDefaults(DefaultTrainOptions())
	if err != nil {
		return o, fmt.Errorf("soundnet: %w", err)
	}
	return o, nil
}
