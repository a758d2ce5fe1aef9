package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ConvTranspose2dConfig holds torch.nn.ConvTranspose2d's arguments (square
// kernel, equal strides and paddings on both axes, no groups or dilation).
type ConvTranspose2dConfig struct {
	In, Out       int // channels
	Kernel        int
	Stride        int // 2 for learned 2× upsampling
	Padding       int // must be ≤ Kernel−1
	OutputPadding int // extra rows/columns at the bottom/right, < Stride
	Bias          bool
}

// ConvTranspose2d is torch.nn.ConvTranspose2d, the learned upsampling of
// decoders (Kernel 4, Stride 2, Padding 1 doubles H and W exactly). Output
// size per axis: (H−1)·Stride − 2·Padding + Kernel + OutputPadding.
// Parameters: `weight` [In, Out, Kernel, Kernel] (PyTorch's transposed
// layout) and `bias` [Out].
//
// It is computed as the equivalent direct convolution: the input is
// dilated by inserting Stride−1 zeros between pixels, padded with
// Kernel−1−Padding zeros (plus OutputPadding at the bottom/right), and
// convolved (Gorgonia's Conv2d) with the kernel flipped in space and with
// its channel axes swapped. The zeros cost ~Stride² more multiplications
// than a scatter implementation; gradients are Gorgonia's.
type ConvTranspose2d struct {
	Config ConvTranspose2dConfig
	Weight *Param
	Bias   *Param // nil without bias
}

// NewConvTranspose2d returns the layer initialised as PyTorch does
// (kaiming_uniform with a=√5, i.e. U(±1/√fan_in) with fan_in =
// Out·Kernel², for weight and bias) from rng.
func NewConvTranspose2d(name string, cfg ConvTranspose2dConfig, rng *rand.Rand) (*ConvTranspose2d, error) {
	c := cfg
	switch {
	case c.In <= 0 || c.Out <= 0 || c.Kernel <= 0 || c.Stride <= 0:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: in %d, out %d, kernel %d and stride %d must be positive", name, c.In, c.Out, c.Kernel, c.Stride)
	case c.Padding < 0 || c.Padding > c.Kernel-1:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: padding %d outside [0, kernel−1 = %d]", name, c.Padding, c.Kernel-1)
	case c.OutputPadding < 0 || c.OutputPadding >= c.Stride:
		return nil, fmt.Errorf("nets: ConvTranspose2d %q: output padding %d outside [0, stride %d)", name, c.OutputPadding, c.Stride)
	}
	l := &ConvTranspose2d{Config: cfg, Weight: NewParam(seqJoin(name, "weight"), c.In, c.Out, c.Kernel, c.Kernel)}
	bound := 1 / math.Sqrt(float64(c.Out*c.Kernel*c.Kernel))
	seqUniform(l.Weight, bound, rng)
	if c.Bias {
		l.Bias = NewParam(seqJoin(name, "bias"), c.Out)
		seqUniform(l.Bias, bound, rng)
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
	n, h, w := s[0], s[2], s[3]
	k := c.Kernel
	// 1. dilate: insert Stride−1 zeros after every pixel (rows and columns);
	// the trailing zeros count as padding below.
	st := c.Stride
	y := x
	if st > 1 {
		y = G.Must(G.Reshape(y, tensor.Shape{n, c.In, h, w, 1}))
		y = G.Must(G.Concat(4, y, convtZeros(g, n, c.In, h, w, st-1)))
		y = G.Must(G.Reshape(y, tensor.Shape{n, c.In, h, 1, w * st}))
		y = G.Must(G.Concat(3, y, convtZeros(g, n, c.In, h, st-1, w*st)))
		y = G.Must(G.Reshape(y, tensor.Shape{n, c.In, h * st, w * st}))
	}
	// 2. pad: k−1−p before, k−1−p−(st−1)+op after (the dilation already
	// added st−1 zeros at the end); a negative amount is cropped from the
	// convolution's output instead.
	before := k - 1 - c.Padding
	after := before - (st - 1) + c.OutputPadding
	crop := 0
	if after < 0 {
		crop, after = -after, 0
	}
	hh, ww := h*st, w*st
	if before > 0 || after > 0 {
		parts := []*G.Node{}
		if before > 0 {
			parts = append(parts, convtZeros(g, n, c.In, before, ww))
		}
		parts = append(parts, y)
		if after > 0 {
			parts = append(parts, convtZeros(g, n, c.In, after, ww))
		}
		y = G.Must(G.Concat(2, parts...))
		hh += before + after
		parts = []*G.Node{} // Gorgonia keeps the slice as the children list: never reuse it
		if before > 0 {
			parts = append(parts, convtZeros(g, n, c.In, hh, before))
		}
		parts = append(parts, y)
		if after > 0 {
			parts = append(parts, convtZeros(g, n, c.In, hh, after))
		}
		y = G.Must(G.Concat(3, parts...))
	}
	// 3. kernel: flip space (a product with the reversal permutation) and
	// swap the channel axes → [Out, In, k, k].
	kk := k * k
	rev := make([]float32, kk*kk)
	for i := 0; i < kk; i++ {
		rev[i*kk+kk-1-i] = 1
	}
	revN := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(kk, kk), G.WithName(fmt.Sprintf("convt_flip_%d", len(g.AllNodes()))),
		G.WithValue(tensor.New(tensor.WithShape(kk, kk), tensor.WithBacking(rev))))
	wf := G.Must(G.Mul(G.Must(G.Reshape(g.Param(l.Weight), tensor.Shape{c.In * c.Out, kk})), revN))
	wf = G.Must(G.Transpose(G.Must(G.Reshape(wf, tensor.Shape{c.In, c.Out, k, k})), 1, 0, 2, 3))
	out = G.Must(G.Conv2d(y, wf, tensor.Shape{k, k}, []int{0, 0}, []int{1, 1}, []int{1, 1}))
	if crop > 0 {
		oh, ow := out.Shape()[2], out.Shape()[3]
		out = G.Must(G.Slice(out, nil, nil, G.S(0, oh-crop), G.S(0, ow-crop)))
	}
	if l.Bias != nil {
		out = G.Must(G.BroadcastAdd(out, g.Param(l.Bias), nil, []byte{0, 2, 3}))
	}
	return out, nil
}

// convtZeros is a constant zero input node of the given shape.
func convtZeros(g *Graph, shape ...int) *G.Node {
	return G.NewTensor(g.ExprGraph, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(fmt.Sprintf("convt_zeros_%d", len(g.AllNodes()))),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float32))))
}
