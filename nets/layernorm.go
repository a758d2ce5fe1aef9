package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LayerNorm is torch.nn.LayerNorm(normalized_shape, eps=1e-5,
// elementwise_affine=True): each input is normalised over its last
// len(Shape) dimensions with the biased variance, then scaled by `weight`
// and shifted by `bias` (both of shape Shape).
type LayerNorm struct {
	Shape  []int   // normalized_shape
	Eps    float64 // added to the variance, 1e-5
	Weight *Param  // "<name>.weight", ones
	Bias   *Param  // "<name>.bias", zeros
}

// NewLayerNorm returns a LayerNorm over the trailing dimensions shape, with
// eps 1e-5 and PyTorch's initialisation (weight 1, bias 0).
func NewLayerNorm(name string, shape ...int) (*LayerNorm, error) {
	if len(shape) == 0 {
		return nil, fmt.Errorf("nets: LayerNorm %q: empty normalized shape", name)
	}
	for _, d := range shape {
		if d <= 0 {
			return nil, fmt.Errorf("nets: LayerNorm %q: normalized shape %v must be positive", name, shape)
		}
	}
	if err := paramSizes("LayerNorm", name, shape); err != nil {
		return nil, err
	}
	w := NewParam(seqJoin(name, "weight"), shape...)
	for i := range w.Data {
		w.Data[i] = 1
	}
	return &LayerNorm{Shape: append([]int(nil), shape...), Eps: 1e-5, Weight: w, Bias: NewParam(seqJoin(name, "bias"), shape...)}, nil
}

// Params implements Module.
func (l *LayerNorm) Params() []*Param { return []*Param{l.Weight, l.Bias} }

// Forward implements Layer; x's trailing dimensions must equal Shape.
func (l *LayerNorm) Forward(g *Graph, x *G.Node) (out *G.Node, err error) {
	defer seqRecover("LayerNorm "+l.Weight.Name, &err)
	s := x.Shape()
	k := len(l.Shape)
	if s.Dims() < k || !tensor.Shape(s[s.Dims()-k:]).Eq(tensor.Shape(l.Shape)) {
		return nil, shapeErr("LayerNorm "+l.Weight.Name, fmt.Sprintf("[..., %v]", l.Shape), s)
	}
	f := tensor.Shape(l.Shape).TotalSize()
	m := s.TotalSize() / f
	xr := G.Must(Reshape(x, tensor.Shape{m, f}))
	mean := G.Must(G.Mean(xr, 1))
	xc := G.Must(G.BroadcastSub(xr, mean, nil, []byte{1}))
	v := G.Must(G.Mean(G.Must(G.Square(xc)), 1))
	std := G.Must(G.Sqrt(G.Must(G.Add(v, G.NewConstant(float32(l.Eps))))))
	y := G.Must(G.BroadcastHadamardDiv(xc, std, nil, []byte{1}))
	w := G.Must(Reshape(g.Param(l.Weight), tensor.Shape{f}))
	b := G.Must(Reshape(g.Param(l.Bias), tensor.Shape{f}))
	y = G.Must(G.BroadcastHadamardProd(y, w, nil, []byte{0}))
	y = G.Must(G.BroadcastAdd(y, b, nil, []byte{0}))
	return Reshape(y, s.Clone())
}
