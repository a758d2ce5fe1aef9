package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is one named tensor of a model, stored outside any graph in
// PyTorch's layout (row-major, weight [out, in, k…]) under its state_dict
// name. Graphs bind Data by reference, so an optimiser that updates Data in
// place is seen by every graph of the model (train and eval alike).
type Param struct {
	Name  string    // PyTorch state_dict key, e.g. "conv1.weight"
	Shape []int     // PyTorch shape
	Data  []float32 // values, len = product of Shape
	Grad  []float32 // gradient of the last backward pass; nil for buffers
	// Buffer marks a saved, non-learned tensor (running_mean, running_var,
	// num_batches_tracked). Optimisers skip buffers.
	Buffer bool
	// DType is the safetensors dtype used on disk: "" or "F32" for float32,
	// "I64" for integer counters such as num_batches_tracked.
	DType string
}

// NewParam returns a learnable parameter of the given shape filled with zeros.
func NewParam(name string, shape ...int) *Param {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Param{Name: name, Shape: append([]int(nil), shape...), Data: make([]float32, n), Grad: make([]float32, n)}
}

// NewBuffer returns a non-learnable tensor (no gradient) of the given shape.
func NewBuffer(name string, shape ...int) *Param {
	p := NewParam(name, shape...)
	p.Grad = nil
	p.Buffer = true
	return p
}

// Size is the number of elements.
func (p *Param) Size() int { return len(p.Data) }

// Tensor wraps Data (no copy) as a Gorgonia dense tensor of Shape.
func (p *Param) Tensor() *tensor.Dense {
	return tensor.New(tensor.WithShape(p.Shape...), tensor.WithBacking(p.Data))
}

// Module is anything that owns parameters. Params lists them in a stable
// order (the order of PyTorch's state_dict).
type Module interface {
	Params() []*Param
}

// Collect concatenates the parameters of several modules, checking that
// no name is used twice.
func Collect(ms ...Module) ([]*Param, error) {
	seen := map[string]bool{}
	var out []*Param
	for _, m := range ms {
		for _, p := range m.Params() {
			if seen[p.Name] {
				return nil, fmt.Errorf("nets: parameter name %q used twice", p.Name)
			}
			seen[p.Name] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// ParamSet is a Module made of an explicit list of parameters.
type ParamSet []*Param

// Params implements Module.
func (s ParamSet) Params() []*Param { return s }

// Learnable returns the parameters that are not buffers.
func Learnable(ps []*Param) []*Param {
	var out []*Param
	for _, p := range ps {
		if !p.Buffer {
			out = append(out, p)
		}
	}
	return out
}

// ZeroGrad clears the gradients of ps.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		for i := range p.Grad {
			p.Grad[i] = 0
		}
	}
}

// node binds p into graph g as a named input node sharing p.Data.
func (p *Param) node(g *G.ExprGraph) *G.Node {
	return G.NewTensor(g, tensor.Float32, len(p.Shape), G.WithShape(p.Shape...), G.WithName(p.Name), G.WithValue(p.Tensor()))
}
