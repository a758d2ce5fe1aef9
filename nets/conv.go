package nets

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
)

// Conv1dOptions are the optional settings of a Conv1d; the zero value is
// PyTorch's default (stride 1, padding 0, dilation 1, with bias).
type Conv1dOptions struct {
	Stride, Padding, Dilation int
	NoBias                    bool // bias=False
}

// Conv1d is torch.nn.Conv1d with groups = 1 and zero padding: input
// [N, In, L], output [N, Out, Lout] with
// Lout = (L + 2·Padding − Dilation·(Kernel−1) − 1)/Stride + 1.
// Params: "<name>.weight" [Out, In, Kernel], "<name>.bias" [Out].
type Conv1d struct {
	In, Out, Kernel int
	Conv1dOptions
	Weight, Bias *Param
}

// NewConv1d returns a Conv1d initialised as PyTorch does by default
// (kaiming_uniform with a = √5, bias U(±1/sqrt(In·Kernel))), drawing from rng.
func NewConv1d(name string, in, out, kernel int, o Conv1dOptions, rng *rand.Rand) (*Conv1d, error) {
	o.Stride, o.Dilation = defaultOne(o.Stride), defaultOne(o.Dilation)
	if in <= 0 || out <= 0 || kernel <= 0 || o.Stride <= 0 || o.Dilation <= 0 || o.Padding < 0 {
		return nil, fmt.Errorf("nets: Conv1d %q: invalid sizes in=%d out=%d kernel=%d stride=%d padding=%d dilation=%d", name, in, out, kernel, o.Stride, o.Padding, o.Dilation)
	}
	if err := paramSizes("Conv1d", name, []int{out, in, kernel}); err != nil {
		return nil, err
	}
	c := &Conv1d{In: in, Out: out, Kernel: kernel, Conv1dOptions: o, Weight: NewParam(name+".weight", out, in, kernel)}
	if !o.NoBias {
		c.Bias = NewParam(name+".bias", out)
	}
	initDefault(c.Weight, c.Bias, rng)
	return c, nil
}

func defaultOne(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

// Params implements Module.
func (c *Conv1d) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// Forward implements Layer.
func (c *Conv1d) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 3 || s[1] != c.In {
		return nil, shapeErr("Conv1d "+c.Weight.Name, fmt.Sprintf("[N, %d, L]", c.In), s)
	}
	q := convGeom{n: s[0], c: s[1], h: 1, w: s[2], o: c.Out, kh: 1, kw: c.Kernel,
		sh: 1, sw: c.Stride, pw: c.Padding, dh: 1, dw: c.Dilation, oh: 1}
	q.ow = convOut(q.w, q.kw, q.sw, q.pw, q.dw)
	if q.ow < 1 {
		return nil, fmt.Errorf("nets: Conv1d %s: input length %d too short for kernel %d (dilation %d, padding %d)", c.Weight.Name, s[2], c.Kernel, c.Dilation, c.Padding)
	}
	var b *G.Node
	if c.Bias != nil {
		b = g.Param(c.Bias)
	}
	return convApply(g, "conv1d("+c.Weight.Name+")", q, x, g.Param(c.Weight), b)
}

// Conv2dOptions are the optional settings of a Conv2d as (height, width)
// pairs; the zero value is PyTorch's default (stride 1, padding 0,
// dilation 1, with bias).
type Conv2dOptions struct {
	Stride, Padding, Dilation [2]int
	NoBias                    bool // bias=False
}

// Conv2d is torch.nn.Conv2d with groups = 1 and zero padding: input
// [N, In, H, W], output [N, Out, Hout, Wout].
// Params: "<name>.weight" [Out, In, KH, KW], "<name>.bias" [Out].
type Conv2d struct {
	In, Out int
	Kernel  [2]int
	Conv2dOptions
	Weight, Bias *Param
}

// NewConv2d returns a Conv2d with a kernel of kh×kw initialised as PyTorch
// does by default, drawing from rng.
func NewConv2d(name string, in, out, kh, kw int, o Conv2dOptions, rng *rand.Rand) (*Conv2d, error) {
	for i := 0; i < 2; i++ {
		o.Stride[i], o.Dilation[i] = defaultOne(o.Stride[i]), defaultOne(o.Dilation[i])
		if o.Stride[i] <= 0 || o.Dilation[i] <= 0 || o.Padding[i] < 0 {
			return nil, fmt.Errorf("nets: Conv2d %q: invalid stride %v, padding %v or dilation %v", name, o.Stride, o.Padding, o.Dilation)
		}
	}
	if in <= 0 || out <= 0 || kh <= 0 || kw <= 0 {
		return nil, fmt.Errorf("nets: Conv2d %q: invalid sizes in=%d out=%d kernel=%dx%d", name, in, out, kh, kw)
	}
	if err := paramSizes("Conv2d", name, []int{out, in, kh, kw}); err != nil {
		return nil, err
	}
	c := &Conv2d{In: in, Out: out, Kernel: [2]int{kh, kw}, Conv2dOptions: o, Weight: NewParam(name+".weight", out, in, kh, kw)}
	if !o.NoBias {
		c.Bias = NewParam(name+".bias", out)
	}
	initDefault(c.Weight, c.Bias, rng)
	return c, nil
}

// Params implements Module.
func (c *Conv2d) Params() []*Param {
	if c.Bias == nil {
		return []*Param{c.Weight}
	}
	return []*Param{c.Weight, c.Bias}
}

// Forward implements Layer.
func (c *Conv2d) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 4 || s[1] != c.In {
		return nil, shapeErr("Conv2d "+c.Weight.Name, fmt.Sprintf("[N, %d, H, W]", c.In), s)
	}
	q := convGeom{n: s[0], c: s[1], h: s[2], w: s[3], o: c.Out, kh: c.Kernel[0], kw: c.Kernel[1],
		sh: c.Stride[0], sw: c.Stride[1], ph: c.Padding[0], pw: c.Padding[1], dh: c.Dilation[0], dw: c.Dilation[1]}
	q.oh = convOut(q.h, q.kh, q.sh, q.ph, q.dh)
	q.ow = convOut(q.w, q.kw, q.sw, q.pw, q.dw)
	if q.oh < 1 || q.ow < 1 {
		return nil, fmt.Errorf("nets: Conv2d %s: input %dx%d too small for kernel %v (dilation %v, padding %v)", c.Weight.Name, s[2], s[3], c.Kernel, c.Dilation, c.Padding)
	}
	var b *G.Node
	if c.Bias != nil {
		b = g.Param(c.Bias)
	}
	return convApply(g, "conv2d("+c.Weight.Name+")", q, x, g.Param(c.Weight), b)
}
