package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LinearMap adds y = A(x) for a fixed linear map A that a graph cannot
// express cheaply with its own ops (an inverse STFT, say), given by two
// functions: fwd writes A(x) into y, and adj writes the adjoint Aᵀ(gy)
// into gx, which is the gradient of x. Both must write every element of
// their destination. out is the shape of y. A wrong adjoint gives wrong
// gradients silently: check ⟨A(x), g⟩ = ⟨x, Aᵀ(g)⟩ in a test.
func LinearMap(name string, x *G.Node, out tensor.Shape, fwd, adj func(dst, src []float32) error) (*G.Node, error) {
	if x == nil || fwd == nil || adj == nil {
		return nil, fmt.Errorf("nets: LinearMap %s: nil input or function", name)
	}
	op := newCoreOp(name, out, x.Dims())
	op.diffWRT = []bool{true}
	op.fwd = func(y []float32, in [][]float32) error { return fwd(y, in[0]) }
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		d := newCoreOp(name+".adjoint", inputs[0].Shape(), grad.Dims())
		d.fwd = func(gx []float32, in [][]float32) error { return adj(gx, in[0]) }
		gx, err := d.apply(grad)
		return G.Nodes{gx}, err
	}
	return op.apply(x)
}
