package nets_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/nets"
)

// Define a small classifier, train it on a toy problem with a Program, and
// save it with its configuration.
func ExampleProgram() {
	type Config struct {
		Hidden int `json:"hidden"`
	}
	cfg := Config{Hidden: 16}
	rng := rand.New(rand.NewSource(1))
	l1, _ := nets.NewLinear("l1", 2, cfg.Hidden, true, rng)
	l2, _ := nets.NewLinear("l2", cfg.Hidden, 2, true, rng)
	model := nets.Sequential{l1, nets.NewReLU(), l2}

	train := nets.NewProgram(func(p *nets.Pass) error {
		x, _ := p.Input("x") // [N, 2]
		y, _ := p.Input("y") // [N] class indices
		logits, err := model.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		loss, err := nets.CrossEntropyLoss(logits, y)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}, nets.ProgramOptions{Mode: nets.Train, Seed: 1})
	defer train.Close()

	// Points are class 1 when x0·x1 > 0.
	x, y := make([]float32, 64*2), make([]float32, 64)
	for i := range y {
		a, b := rng.Float32()*2-1, rng.Float32()*2-1
		x[2*i], x[2*i+1] = a, b
		if a*b > 0 {
			y[i] = 1
		}
	}
	opt := nets.NewAdam(0.05)
	params := nets.Learnable(model.Params())
	var first, last float64
	for step := 0; step < 200; step++ {
		pass, err := train.Run(nets.Feed{Name: "x", Shape: []int{64, 2}, Data: x}, nets.Feed{Name: "y", Shape: []int{64}, Data: y})
		if err != nil {
			fmt.Println(err)
			return
		}
		last, _ = pass.Loss()
		if step == 0 {
			first = last
		}
		opt.Step(params)
	}
	fmt.Printf("loss fell below a fifth: %v\n", last < first/5)

	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "toy.safetensors")
	if err := nets.SaveModel(path, "toy", model, cfg, nil); err != nil {
		fmt.Println(err)
		return
	}
	var loaded Config
	_, _, err := nets.LoadModel(path, "toy", &loaded, func() (nets.ParamSet, error) {
		return nets.ParamSet(model.Params()), nil // a real task builds a new model from loaded
	})
	fmt.Println("loaded hidden size:", loaded.Hidden, err)
	// Output:
	// loss fell below a fifth: true
	// loaded hidden size: 16 <nil>
}
