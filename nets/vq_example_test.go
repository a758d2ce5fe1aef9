package nets

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ExampleVQ quantises four 2-D feature vectors with a three-code codebook
// and reads the chosen codes, the loss and the code perplexity.
func ExampleVQ() {
	vq, err := NewVQ("units", 3, 2, 0.25, rand.New(rand.NewSource(1)))
	if err != nil {
		panic(err)
	}
	copy(vq.Weight.Data, []float32{0, 0, 1, 1, -1, 1}) // codes (0,0), (1,1), (−1,1)
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(1, 4, 2), G.WithName("features"), // [N, T, D]
		G.WithValue(tensor.New(tensor.WithShape(1, 4, 2), tensor.WithBacking([]float32{0.9, 1.1, -0.8, 0.9, 0.1, 0, 1, 0.8}))))
	out, err := vq.Forward(g, x)
	if err != nil {
		panic(err)
	}
	m, err := NewMachine(g, out.Loss, x)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		panic(err)
	}
	codes, _ := out.Codes()
	perp, _ := out.Perplexity()
	loss, _ := Scalar(out.Loss)
	fmt.Println("codes", codes, "usage", vq.Usage)
	fmt.Printf("loss %.4f perplexity %.3f\n", loss, perp)
	// Output:
	// codes [1 2 0 1] usage [1 2 1]
	// loss 0.0188 perplexity 2.828
}
