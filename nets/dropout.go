package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Dropout is torch.nn.Dropout(p): in Train mode each element is zeroed with
// probability P and the survivors are scaled by 1/(1−P); in Eval mode it is
// the identity. The mask is drawn from the graph's seeded source g.Rand
// before every run (a BeforeRun hook), so a run is reproducible for a seed
// and a new mask is used on each pass. Gorgonia's own Dropout op, which
// seeds from the clock, is not used. It has no parameters.
type Dropout struct {
	P float64 // drop probability in [0, 1]
}

// NewDropout returns a dropout layer with drop probability p in [0, 1].
func NewDropout(p float64) (*Dropout, error) {
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("nets: Dropout: probability %v outside [0, 1]", p)
	}
	return &Dropout{P: p}, nil
}

// Params implements Module (none).
func (d *Dropout) Params() []*Param { return nil }

// Forward implements Layer.
func (d *Dropout) Forward(g *Graph, x *G.Node) (out *G.Node, err error) {
	defer seqRecover("Dropout", &err)
	if g.Mode != Train || d.P == 0 {
		return x, nil
	}
	if x.Shape().Dims() == 0 {
		return nil, fmt.Errorf("nets: Dropout: scalar input; want a tensor")
	}
	if x.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("nets: Dropout: input dtype %v, want float32", x.Dtype())
	}
	s := x.Shape().Clone()
	data := make([]float32, s.TotalSize())
	mask := G.NewTensor(g.ExprGraph, tensor.Float32, s.Dims(), G.WithShape(s...), G.WithName(fmt.Sprintf("dropout_mask_%d", len(g.AllNodes()))),
		G.WithValue(tensor.New(tensor.WithShape(s...), tensor.WithBacking(data))))
	scale := float32(0)
	if d.P < 1 {
		scale = float32(1 / (1 - d.P))
	}
	g.BeforeRun(func() error {
		// The mask node's value shares data, so refilling it in place is
		// seen by the next run.
		for i := range data {
			if g.Rand.Float64() < d.P {
				data[i] = 0
			} else {
				data[i] = scale
			}
		}
		return nil
	})
	return G.HadamardProd(x, mask)
}
