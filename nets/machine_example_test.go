package nets_test

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/avlearn/avlearn/nets"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A 1-D convolutional classifier trained for a few steps: build the graph
// once, make one Machine, then Let/Run/update for every batch.
func ExampleMachine() {
	rng := rand.New(rand.NewSource(1))
	conv, _ := nets.NewConv1d("conv", 1, 8, 9, nets.Conv1dOptions{Stride: 2, Padding: 4}, rng)
	bn, _ := nets.NewBatchNorm1d("bn", 8)
	fc, _ := nets.NewLinear("fc", 8, 2, true, rng)
	features := nets.Sequential{conv, bn, nets.LayerFunc(nets.ReLU), nets.NewAvgPool1d(32, 0, 0)}

	g := nets.NewGraph(nets.Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(4, 1, 64), G.WithName("audio"))
	h, err := features.Forward(g, x) // [4, 8, 1]
	if err != nil {
		fmt.Println(err)
		return
	}
	logits, err := fc.Forward(g, G.Must(G.Reshape(h, tensor.Shape{4, 8})))
	if err != nil {
		fmt.Println(err)
		return
	}
	logp, _ := nets.LogSoftmaxAxis(logits, 1)
	target := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(4, 2), G.WithName("onehot"))
	loss := G.Must(G.Neg(G.Must(G.Mean(G.Must(G.HadamardProd(logp, target))))))

	m, err := nets.NewMachine(g, loss)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	// Two classes: low and high frequency sines.
	audio := make([]float32, 4*64)
	onehot := make([]float32, 4*2)
	for i := 0; i < 4; i++ {
		f := 0.05 + 0.3*float64(i%2)
		for t := 0; t < 64; t++ {
			audio[i*64+t] = float32(math.Sin(f * float64(t)))
		}
		onehot[i*2+i%2] = 1
	}
	nets.Let(x, audio)
	nets.Let(target, onehot)
	params := nets.Learnable(nets.Sequential{features, fc}.Params())
	var first, last float32
	for step := 0; step < 100; step++ {
		if err := m.Run(); err != nil {
			fmt.Println(err)
			return
		}
		last, _ = nets.Scalar(loss)
		if step == 0 {
			first = last
		}
		for _, p := range params { // plain SGD
			for i := range p.Data {
				p.Data[i] -= 0.5 * p.Grad[i]
			}
		}
	}
	fmt.Println("features:", h.Shape())
	fmt.Println("loss fell tenfold:", last < first/10)
	fmt.Println("batches tracked:", bn.NumBatchesTracked.Data[0])
	// Output:
	// features: (4, 8, 1)
	// loss fell tenfold: true
	// batches tracked: 100
}
