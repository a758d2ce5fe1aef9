package nets_test

import (
	"context"
	"fmt"
	"log"

	"github.com/avlearn/avlearn/nets"
)

// line is a Task: fit y = a·x + b to points on y = 2x + 1. Real tasks run
// a Gorgonia graph on a nets.Machine in TrainBatch; here the gradient is
// written out by hand to keep the example short.
type line struct {
	a, b *nets.Param
	xs   []float64
}

func (l *line) Params() []*nets.Param { return []*nets.Param{l.a, l.b} }

func (l *line) loss(idx []int, grad bool) float64 {
	var sum float64
	for _, i := range idx {
		x := l.xs[i]
		d := float64(l.a.Data[0])*x + float64(l.b.Data[0]) - (2*x + 1)
		sum += d * d
		if grad { // Fit has zeroed the gradients
			l.a.Grad[0] += float32(2 * d * x / float64(len(idx)))
			l.b.Grad[0] += float32(2 * d / float64(len(idx)))
		}
	}
	return sum / float64(len(idx))
}

func (l *line) TrainBatch(idx []int) (float64, error) { return l.loss(idx, true), nil }

// EvalBatch uses the same points for validation here; a real task keeps a
// separate set.
func (l *line) EvalBatch(idx []int) (float64, error) { return l.loss(idx, false), nil }

func ExampleFit() {
	t := &line{a: nets.NewParam("a", 1), b: nets.NewParam("b", 1)}
	for i := 0; i < 64; i++ {
		t.xs = append(t.xs, float64(i)/32-1)
	}
	h, err := nets.Fit(context.Background(), t, 64, 64, nets.TrainOptions{
		Epochs: 100, BatchSize: 16, Seed: 1,
		Optimizer: nets.NewAdam(0.1),
		Schedule:  nets.Cosine{Base: 0.1, Min: 0.001, Steps: 100}, SchedulePerEpoch: true,
		Patience: 10, // stop after 10 epochs without a better validation loss
		// CheckpointPath: "best.safetensors", CurvePrefix: "loss", Progress: os.Stderr,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("a = %.2f, b = %.2f, validation loss below 1e-4: %v\n", t.a.Data[0], t.b.Data[0], h.BestLoss < 1e-4)
	// Output:
	// a = 2.00, b = 1.00, validation loss below 1e-4: true
}
