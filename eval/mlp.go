package eval

import (
	"context"
	"fmt"
	"io"
	"math/rand"

	"github.com/avlearn/avlearn/nets"
)

// MLPOptions configures TrainMLP.
type MLPOptions struct {
	Hidden    int     // hidden units
	Epochs    int     // at most this many passes over the train rows
	BatchSize int     // rows per Adam step
	LR        float64 // Adam's learning rate
	// Patience stops training after that many epochs without a better
	// validation loss; the best epoch's weights are kept. 0 is off.
	Patience int
	Seed     int64 // initial weights and shuffling
	// CurvePrefix, if set, receives the loss curves PREFIX.csv and
	// PREFIX.png (nets.TrainOptions.CurvePrefix).
	CurvePrefix string
	Progress    io.Writer // nil is quiet
}

// DefaultMLPOptions is a recipe that suits a few hundred rows of a few
// dozen standardised features: 32 hidden units, Adam 3e-3, batches of 16,
// up to 150 epochs with patience 30.
func DefaultMLPOptions() MLPOptions {
	return MLPOptions{Hidden: 32, Epochs: 150, BatchSize: 16, LR: 3e-3, Patience: 30, Seed: 1}
}

// MLP is a non-linear probe: Linear → ReLU → Linear on standardised
// features, trained with cross-entropy by nets.Fit. Close releases its
// compiled graphs.
type MLP struct {
	Scale        Standardiser // fitted on the train rows
	fc1, fc2     *nets.Linear
	dim, classes int
	train, eval  *nets.Program // eval outputs "logits", and the loss when "y" is fed
}

// mlpTask is what nets.Fit trains: the model and the standardised train
// and val rows (row-major) its batches index.
type mlpTask struct {
	*MLP
	x [2][]float32
	y [2][]int
}

// TrainMLP trains an MLP on s.Train with early stopping on s.Val (which
// must not be empty); s.Test is not read. It returns the model, with the
// weights of its best validation epoch, and the training history.
func TrainMLP(ctx context.Context, s Splits, o MLPOptions) (*MLP, nets.History, error) {
	var h nets.History
	switch {
	case len(s.Train) == 0 || len(s.Val) == 0:
		return nil, h, fmt.Errorf("eval: MLP with %d train and %d val rows; both are needed", len(s.Train), len(s.Val))
	case len(s.Train) != len(s.YTrain) || len(s.Val) != len(s.YVal):
		return nil, h, fmt.Errorf("eval: MLP with %d train rows and %d labels, %d val rows and %d labels", len(s.Train), len(s.YTrain), len(s.Val), len(s.YVal))
	case s.Classes < 2:
		return nil, h, fmt.Errorf("eval: MLP for %d classes", s.Classes)
	case o.Hidden < 1 || o.Epochs < 1 || o.BatchSize < 1 || !(o.LR > 0):
		return nil, h, fmt.Errorf("eval: MLP with %d hidden units, %d epochs, batches of %d, learning rate %v: all must be > 0", o.Hidden, o.Epochs, o.BatchSize, o.LR)
	}
	for _, y := range [][]int{s.YTrain, s.YVal} {
		for _, v := range y {
			if v < 0 || v >= s.Classes {
				return nil, h, fmt.Errorf("eval: label %d outside [0, %d)", v, s.Classes)
			}
		}
	}
	sc, err := FitStandardiser(s.Train)
	if err != nil {
		return nil, h, err
	}
	rng := rand.New(rand.NewSource(o.Seed))
	dim := len(s.Train[0])
	m := &MLP{Scale: sc, dim: dim, classes: s.Classes}
	if m.fc1, err = nets.NewLinear("fc1", dim, o.Hidden, true, rng); err != nil {
		return nil, h, err
	}
	if m.fc2, err = nets.NewLinear("fc2", o.Hidden, s.Classes, true, rng); err != nil {
		return nil, h, err
	}
	m.train = nets.NewProgram(m.define, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	m.eval = nets.NewProgram(m.define, nets.ProgramOptions{Mode: nets.Eval})
	t := &mlpTask{MLP: m, y: [2][]int{s.YTrain, s.YVal}}
	for i, rows := range [][][]float64{s.Train, s.Val} {
		if t.x[i], err = m.rows(rows); err != nil {
			return nil, h, err
		}
	}
	h, err = nets.Fit(ctx, t, len(s.Train), len(s.Val), nets.TrainOptions{
		Epochs: o.Epochs, BatchSize: o.BatchSize, Seed: o.Seed, Optimizer: nets.NewAdam(o.LR),
		Patience: o.Patience, RestoreBest: true, CurvePrefix: o.CurvePrefix, Progress: o.Progress,
	})
	if err != nil {
		m.Close()
		return nil, h, err
	}
	return m, h, nil
}

// rows standardises x into one row-major float32 slice.
func (m *MLP) rows(x [][]float64) ([]float32, error) {
	out := make([]float32, 0, len(x)*m.dim)
	for i, r := range x {
		if len(r) != m.dim {
			return nil, fmt.Errorf("eval: row %d has %d values, want %d", i, len(r), m.dim)
		}
		for _, v := range m.Scale.Apply(r) {
			out = append(out, float32(v))
		}
	}
	return out, nil
}

// Params lists the weights and biases of both layers.
func (m *MLP) Params() []*nets.Param {
	return append(m.fc1.Params(), m.fc2.Params()...)
}

// define declares the network on input "x" [N, dim], with the
// cross-entropy loss when the class indices "y" [N] are fed.
func (m *MLP) define(p *nets.Pass) error {
	x, err := p.Input("x")
	if err != nil {
		return err
	}
	logits, err := (nets.Sequential{m.fc1, nets.NewReLU(), m.fc2}).Forward(p.Graph(), x)
	if err != nil {
		return err
	}
	if err := p.Output("logits", logits); err != nil {
		return err
	}
	return p.MinimizeCrossEntropy(logits, "y")
}

// batch runs rows idx of split (0 train, 1 val) through prog with their
// labels and returns the mean loss.
func (t *mlpTask) batch(prog *nets.Program, split int, idx []int) (float64, error) {
	m := t.MLP
	x, y := make([]float32, len(idx)*m.dim), make([]float32, len(idx))
	for j, i := range idx {
		copy(x[j*m.dim:(j+1)*m.dim], t.x[split][i*m.dim:(i+1)*m.dim])
		y[j] = float32(t.y[split][i])
	}
	pass, err := prog.Run(nets.Feed{Name: "x", Shape: []int{len(idx), m.dim}, Data: x}, nets.Feed{Name: "y", Shape: []int{len(idx)}, Data: y})
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// LossName names the loss on plots.
func (t *mlpTask) LossName() string { return "cross-entropy (nats)" }

func (t *mlpTask) TrainBatch(idx []int) (float64, error) { return t.batch(t.train, 0, idx) }

func (t *mlpTask) EvalBatch(idx []int) (float64, error) { return t.batch(t.eval, 1, idx) }

// Predict returns the most likely class of every row of x.
func (m *MLP) Predict(x [][]float64) ([]int, error) {
	if len(x) == 0 {
		return nil, nil
	}
	xs, err := m.rows(x)
	if err != nil {
		return nil, err
	}
	pass, err := m.eval.Run(nets.Feed{Name: "x", Shape: []int{len(x), m.dim}, Data: xs})
	if err != nil {
		return nil, err
	}
	logits, _, err := pass.Value("logits")
	if err != nil {
		return nil, err
	}
	pred := make([]int, len(x))
	for i := range pred {
		pred[i] = Argmax(logits[i*m.classes : (i+1)*m.classes])
	}
	return pred, nil
}

// Accuracy is the fraction of rows of x classified as y.
func (m *MLP) Accuracy(x [][]float64, y []int) (float64, error) {
	pred, err := m.Predict(x)
	if err != nil {
		return 0, err
	}
	return Accuracy(pred, y)
}

// Close releases the compiled graphs.
func (m *MLP) Close() {
	m.train.Close()
	m.eval.Close()
}
