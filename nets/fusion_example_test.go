package nets_test

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/nets"
)

// Fuse three streams of two examples by attention; the second example has
// lost its second stream, which then weighs nothing.
func ExampleAttentionFusion() {
	f, _ := nets.NewAttentionFusion("attention", 4, 8, rand.New(rand.NewSource(1)))
	g := nets.NewGraph(nets.Eval, 1)
	input := func(name string, shape []int, v []float32) *G.Node {
		return G.NewTensor(g.ExprGraph, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	}
	var xs []*G.Node
	for s := 0; s < 3; s++ {
		v := make([]float32, 2*4)
		for i := range v {
			v[i] = float32(s+1) * 0.1 * float32(i%4-1)
		}
		xs = append(xs, input(fmt.Sprintf("x%d", s), []int{2, 4}, v))
	}
	mask := input("mask", []int{2, 3}, []float32{1, 1, 1, 1, 0, 1})
	_, w, err := f.Forward(g, mask, xs...)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := nets.NewMachine(g, nil)
	defer m.Close()
	if err := m.Run(); err != nil {
		fmt.Println(err)
		return
	}
	weights, _ := nets.Value(w)
	fmt.Printf("example 1: %.2f\nexample 2: %.2f\n", weights[:3], weights[3:])
	// Output:
	// example 1: [0.33 0.33 0.34]
	// example 2: [0.49 0.00 0.51]
}
