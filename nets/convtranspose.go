package nets

import (
	"fmt"
	"hash"
	"math"
	"math/rand"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConvTranspose2dConfig holds torch.nn.ConvTranspose2d's arguments (square
// kernel, equal strides and paddings on both axes, no groups or dilation).
type ConvTranspose2dConfig struct {
	In, Out       int // channels
	Kernel        int
	Stride        int // 2 for learned 2× upsampling
	Padding       int // rows/columns cropped from each side
	OutputPadding int // extra rows/columns at the bottom/right, < Stride
	Bias          bool
}

// ConvTranspose2d is torch.nn.ConvTranspose2d, the learned upsampling of
// decoders (Kernel 4, Stride 2, Padding 1 doubles H and W exactly). Output
// size per axis: (H−1)·Stride − 2·Padding + Kernel + OutputPadding.
// Parameters: `weight` [In, Out, Kernel, Kernel] (PyTorch's transposed
// layout) and `bias` [Out].
//
// It is one graph node: per image, a matrix product Wᵀ·x gives every
// input pixel's contribution to a k×k output patch, scattered (col2im) to
// the output; the backward pass gathers (im2col) the output gradient and
// uses two more products, for dx and dW.
type ConvTranspose2d struct {
	Config ConvTranspose2dConfig
	Weight *Param // "<name>.weight" [In, Out, Kernel, Kernel]
	Bias   *Param // "<name>.bias" [Out]; nil without bias
}

// NewConvTranspose2d returns the layer initialised as PyTorch does
// (kaiming_uniform with a=√5, i.e. U(±1/√fan_in) with fan_in =
// Out·Kernel², for weight and bias) from rng.
func NewConvTranspose2d(name string, cfg ConvTranspose2dConfig, rng *rand.Rand) (*ConvTranspose2d, error) {
	c := cfg
	switch {
	case c.In <= 0 || c.Out <= 0 || c.Kernel <= 0 || c.Stride <= 0:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: in %d, out %d, kernel %d and stride %d must be positive", name, c.In, c.Out, c.Kernel, c.Stride)
	case c.Padding < 0:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: negative padding %d", name, c.Padding)
	case c.OutputPadding < 0 || c.OutputPadding >= c.Stride:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: output padding %d outside [0, stride %d)", name, c.OutputPadding, c.Stride)
	}
	if err := paramSizes("ConvTranspose2d", name, []int{c.In, c.Out, c.Kernel, c.Kernel}); err != nil {
		return nil, err
	}
	l := &ConvTranspose2d{Config: cfg, Weight: NewParam(seqJoin(name, "weight"), c.In, c.Out, c.Kernel, c.Kernel)}
	bound := 1 / math.Sqrt(float64(c.Out*c.Kernel*c.Kernel))
	Uniform(l.Weight, bound, rng)
	if c.Bias {
		l.Bias = NewParam(seqJoin(name, "bias"), c.Out)
		Uniform(l.Bias, bound, rng)
	}
	return l, nil
}

// Params implements Module.
func (l *ConvTranspose2d) Params() []*Param {
	if l.Bias == nil {
		return []*Param{l.Weight}
	}
	return []*Param{l.Weight, l.Bias}
}

// OutSize is the output height (or width) for an input height (or width) h.
func (l *ConvTranspose2d) OutSize(h int) int {
	c := l.Config
	return (h-1)*c.Stride - 2*c.Padding + c.Kernel + c.OutputPadding
}

// Forward implements Layer for x [N, In, H, W].
func (l *ConvTranspose2d) Forward(g *Graph, x *G.Node) (out *G.Node, err error) {
	defer seqRecover("ConvTranspose2d "+l.Weight.Name, &err)
	c := l.Config
	s := x.Shape()
	if s.Dims() != 4 || s[1] != c.In {
		return nil, shapeErr("ConvTranspose2d "+l.Weight.Name, fmt.Sprintf("[N, %d, H, W]", c.In), s)
	}
	oh, ow := l.OutSize(s[2]), l.OutSize(s[3])
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("nets: ConvTranspose2d %s: input %v gives an empty output", l.Weight.Name, s)
	}
	st := &convtState{n: s[0], cin: c.In, cout: c.Out, h: s[2], w: s[3], oh: oh, ow: ow, k: c.Kernel, stride: c.Stride, pad: c.Padding}
	b := convtZeros(g, c.Out)
	if l.Bias != nil {
		b = g.Param(l.Bias)
	}
	return G.ApplyOp(convtOp{st: st}, x, g.Param(l.Weight), b)
}

// convtZeros is a constant zero vector node.
func convtZeros(g *Graph, n int) *G.Node {
	return G.NewTensor(g.ExprGraph, tensor.Float32, 1, G.WithShape(n), G.WithName(fmt.Sprintf("convt_zeros_%d", len(g.AllNodes()))),
		G.WithValue(tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))))
}

// convtState holds the geometry and the inputs of the last forward pass
// for the backward op.
type convtState struct {
	n, cin, cout, h, w, oh, ow, k, stride, pad int
	x, wt                                      []float32
	cols                                       []float32 // scratch [cout·k·k, h·w]
}

func (s *convtState) colsBuf() []float32 {
	if n := s.cout * s.k * s.k * s.h * s.w; len(s.cols) != n {
		s.cols = make([]float32, n)
	}
	return s.cols
}

// scatter adds cols [cout·k·k, h·w] into img [cout, oh, ow] (col2im) when
// add is true, and gathers img into cols (im2col) otherwise.
func (s *convtState) scatter(cols, img []float32, add bool) {
	hw := s.h * s.w
	for co := 0; co < s.cout; co++ {
		for kh := 0; kh < s.k; kh++ {
			for kw := 0; kw < s.k; kw++ {
				row := cols[((co*s.k+kh)*s.k+kw)*hw : ((co*s.k+kh)*s.k+kw+1)*hw]
				for y := 0; y < s.h; y++ {
					oy := y*s.stride - s.pad + kh
					if oy < 0 || oy >= s.oh {
						if !add {
							for x := 0; x < s.w; x++ {
								row[y*s.w+x] = 0
							}
						}
						continue
					}
					orow := img[(co*s.oh+oy)*s.ow : (co*s.oh+oy+1)*s.ow]
					for x := 0; x < s.w; x++ {
						ox := x*s.stride - s.pad + kw
						inside := ox >= 0 && ox < s.ow
						switch {
						case add && inside:
							orow[ox] += row[y*s.w+x]
						case !add && inside:
							row[y*s.w+x] = orow[ox]
						case !add:
							row[y*s.w+x] = 0
						}
					}
				}
			}
		}
	}
}

type convtOp struct{ st *convtState }

func (op convtOp) Arity() int { return 3 }
func (op convtOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(4), lstmTT(4), lstmTT(1), lstmTT(4))
}
func (op convtOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	s := op.st
	return tensor.Shape{s.n, s.cout, s.oh, s.ow}, nil
}
func (op convtOp) ReturnsPtr() bool      { return false }
func (op convtOp) CallsExtern() bool     { return false }
func (op convtOp) OverwritesInput() int  { return -1 }
func (op convtOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "avlearnConvTranspose2d%p", op.st) }
func (op convtOp) Hashcode() uint32      { return lstmHash(op) }
func (op convtOp) String() string        { return "ConvTranspose2d" }
func (op convtOp) Do(vals ...G.Value) (G.Value, error) {
	s := op.st
	kk := s.k * s.k
	x, err := lstmF32(vals[0], s.n*s.cin*s.h*s.w)
	if err != nil {
		return nil, err
	}
	w, err := lstmF32(vals[1], s.cin*s.cout*kk)
	if err != nil {
		return nil, err
	}
	b, err := lstmF32(vals[2], s.cout)
	if err != nil {
		return nil, err
	}
	s.x = append(s.x[:0], x...)
	s.wt = append(s.wt[:0], w...)
	hw, ohw := s.h*s.w, s.oh*s.ow
	out := make([]float32, s.n*s.cout*ohw)
	cols := s.colsBuf()
	for n := 0; n < s.n; n++ {
		// cols = Wᵀ x_n with W as [cin, cout·k·k], x_n as [cin, h·w]
		lstmGemm(true, false, s.cout*kk, hw, s.cin, s.wt, s.x[n*s.cin*hw:(n+1)*s.cin*hw], 0, cols)
		img := out[n*s.cout*ohw : (n+1)*s.cout*ohw]
		for co := 0; co < s.cout; co++ {
			for i := range img[co*ohw : (co+1)*ohw] {
				img[co*ohw+i] = b[co]
			}
		}
		s.scatter(cols, img, true)
	}
	return tensor.New(tensor.WithShape(s.n, s.cout, s.oh, s.ow), tensor.WithBacking(out)), nil
}
func (op convtOp) DiffWRT(n int) []bool { return []bool{true, true, true} }
func (op convtOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	s := op.st
	bwd, err := G.ApplyOp(convtBackOp{st: s}, output, grad)
	if err != nil {
		return nil, err
	}
	nx, nw := s.n*s.cin*s.h*s.w, s.cin*s.cout*s.k*s.k
	total := nx + nw + s.cout
	dx, err := lstmPick(bwd, 0, tensor.Shape{s.n, s.cin, s.h, s.w}, total)
	if err != nil {
		return nil, err
	}
	dw, err := lstmPick(bwd, nx, tensor.Shape{s.cin, s.cout, s.k, s.k}, total)
	if err != nil {
		return nil, err
	}
	db, err := lstmPick(bwd, nx+nw, tensor.Shape{s.cout}, total)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw, db}, nil
}

// convtBackOp computes [dx, dW, db] packed from the saved inputs and the
// output gradient; the forward output is a child only to order it after
// the forward pass.
type convtBackOp struct{ st *convtState }

func (op convtBackOp) Arity() int { return 2 }
func (op convtBackOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(4), lstmTT(4), lstmTT(1))
}
func (op convtBackOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	s := op.st
	return tensor.Shape{s.n*s.cin*s.h*s.w + s.cin*s.cout*s.k*s.k + s.cout}, nil
}
func (op convtBackOp) ReturnsPtr() bool      { return false }
func (op convtBackOp) CallsExtern() bool     { return false }
func (op convtBackOp) OverwritesInput() int  { return -1 }
func (op convtBackOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "avlearnConvTranspose2dBack%p", op.st) }
func (op convtBackOp) Hashcode() uint32      { return lstmHash(op) }
func (op convtBackOp) String() string        { return "ConvTranspose2dBackward" }
func (op convtBackOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op convtBackOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: ConvTranspose2d: second derivatives are not supported")
}
func (op convtBackOp) Do(vals ...G.Value) (G.Value, error) {
	s := op.st
	kk, hw, ohw := s.k*s.k, s.h*s.w, s.oh*s.ow
	if len(s.x) != s.n*s.cin*hw {
		return nil, fmt.Errorf("nets: ConvTranspose2d backward ran before forward")
	}
	gy, err := lstmF32(vals[1], s.n*s.cout*ohw)
	if err != nil {
		return nil, err
	}
	nx, nw := s.n*s.cin*hw, s.cin*s.cout*kk
	res := make([]float32, nx+nw+s.cout)
	dx, dw, db := res[:nx], res[nx:nx+nw], res[nx+nw:]
	cols := s.colsBuf()
	for n := 0; n < s.n; n++ {
		img := gy[n*s.cout*ohw : (n+1)*s.cout*ohw]
		s.scatter(cols, img, false)
		// dx_n = W cols;  dW += x_n colsᵀ
		lstmGemm(false, false, s.cin, hw, s.cout*kk, s.wt, cols, 0, dx[n*s.cin*hw:(n+1)*s.cin*hw])
		lstmGemm(false, true, s.cin, s.cout*kk, hw, s.x[n*s.cin*hw:(n+1)*s.cin*hw], cols, 1, dw)
		for co := 0; co < s.cout; co++ {
			var sum float32
			for _, v := range img[co*ohw : (co+1)*ohw] {
				sum += v
			}
			db[co] += sum
		}
	}
	return tensor.New(tensor.WithShape(len(res)), tensor.WithBacking(res)), nil
}
