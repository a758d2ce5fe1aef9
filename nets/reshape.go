package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Reshape is torch.reshape: x's values in row-major order, with shape to.
// Use it instead of Gorgonia's Reshape, which returns a view of x's
// memory: when x also feeds an element-wise op that Gorgonia runs in place
// (its last direct use), the view is overwritten before the backward pass
// reads it, and gradients come out wrong. This Reshape copies.
func Reshape(x *G.Node, to tensor.Shape) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("nets: Reshape: nil input")
	}
	if to.TotalSize() != x.Shape().TotalSize() {
		return nil, fmt.Errorf("nets: Reshape: %v to %v changes the number of values", x.Shape(), to)
	}
	op := newCoreOp(fmt.Sprintf("reshape%v", []int(to)), to, x.Dims())
	op.diffWRT = []bool{true}
	op.fwd = func(y []float32, in [][]float32) error {
		copy(y, in[0])
		return nil
	}
	op.diff = func(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		dx, err := Reshape(grad, inputs[0].Shape())
		return G.Nodes{dx}, err
	}
	return op.apply(x)
}
