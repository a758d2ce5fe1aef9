package nets

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Linear is torch.nn.Linear: y = x·Wᵀ + b over the last axis of x
// ([…, In] → […, Out]). Params: "<name>.weight" [Out, In], "<name>.bias" [Out].
type Linear struct {
	In, Out      int
	Weight, Bias *Param
}

// NewLinear returns a Linear initialised as PyTorch does by default
// (kaiming_uniform a = √5, bias U(±1/sqrt(In))), drawing from rng. Without
// bias the layer is Linear(bias=False).
func NewLinear(name string, in, out int, bias bool, rng *rand.Rand) (*Linear, error) {
	if in <= 0 || out <= 0 {
		return nil, fmt.Errorf("nets: Linear %q: invalid sizes in=%d out=%d", name, in, out)
	}
	if err := paramSizes("Linear", name, []int{out, in}); err != nil {
		return nil, err
	}
	l := &Linear{In: in, Out: out, Weight: NewParam(name+".weight", out, in)}
	if bias {
		l.Bias = NewParam(name+".bias", out)
	}
	initDefault(l.Weight, l.Bias, rng)
	return l, nil
}

// Params implements Module.
func (l *Linear) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// Forward implements Layer.
func (l *Linear) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	sh := x.Shape()
	if len(sh) < 1 || sh[len(sh)-1] != l.In {
		return nil, shapeErr("Linear "+l.Weight.Name, fmt.Sprintf("[…, %d]", l.In), sh)
	}
	rows := sh.TotalSize() / l.In
	out := sh.Clone()
	out[len(out)-1] = l.Out
	in, o := l.In, l.Out
	dims := []int{len(sh), 2}
	if l.Bias != nil {
		dims = append(dims, 1)
	}
	op := newCoreOp("linear("+l.Weight.Name+")", out, dims...)
	op.diffWRT = []bool{true, true, true}
	op.fwd = func(y []float32, v [][]float32) error {
		sgemm(false, true, rows, o, in, v[0], in, v[1], in, false, y, o)
		if len(v) == 3 {
			for r := 0; r < rows; r++ {
				row := y[r*o : (r+1)*o]
				for j, b := range v[2] {
					row[j] += b
				}
			}
		}
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, len(inputs))
		var err error
		if coreNeedsGrad(g, inputs[0]) {
			dx := newCoreOp("linear.dx", sh, len(out), 2)
			dx.fwd = func(d []float32, v [][]float32) error {
				sgemm(false, false, rows, in, o, v[0], o, v[1], in, false, d, in)
				return nil
			}
			res[0], err = dx.apply(grad, inputs[1])
		} else {
			res[0], err = coreZeroGrad(inputs[0])
		}
		if err != nil {
			return nil, err
		}
		dw := newCoreOp("linear.dw", tensor.Shape{o, in}, len(out), len(sh))
		dw.fwd = func(d []float32, v [][]float32) error {
			sgemm(true, false, o, in, rows, v[0], o, v[1], in, false, d, in)
			return nil
		}
		if res[1], err = dw.apply(grad, inputs[0]); err != nil {
			return nil, err
		}
		if len(inputs) == 3 {
			db := newCoreOp("linear.db", tensor.Shape{o}, len(out))
			db.fwd = func(d []float32, v [][]float32) error {
				clear(d)
				for r := 0; r < rows; r++ {
					for j, gv := range v[0][r*o : (r+1)*o] {
						d[j] += gv
					}
				}
				return nil
			}
			if res[2], err = db.apply(grad); err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	args := []*G.Node{x, g.Param(l.Weight)}
	if l.Bias != nil {
		args = append(args, g.Param(l.Bias))
	}
	return op.apply(args...)
}
