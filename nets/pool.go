package nets

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// poolGeom is the geometry of a 2-D pooling over [N, C, H, W]; 1-D pooling
// is the case H = kh = 1. ceil_mode is false, dilation 1.
type poolGeom struct {
	n, c, h, w     int
	kh, kw         int
	sh, sw, ph, pw int
	oh, ow         int
}

// poolApply adds max (or average, counting padding as PyTorch's default
// count_include_pad=True does) pooling of x to the graph.
func poolApply(name string, q poolGeom, isMax bool, x *G.Node) (*G.Node, error) {
	rank := x.Dims()
	outShape := tensor.Shape{q.n, q.c, q.oh, q.ow}
	if rank == 3 {
		outShape = tensor.Shape{q.n, q.c, q.ow}
	}
	op := newCoreOp(name, outShape, rank)
	op.diffWRT = []bool{true}
	var arg []int32 // per output: index of the max within its input plane
	plane := q.h * q.w
	inv := 1 / float32(q.kh*q.kw)
	op.fwd = func(y []float32, in [][]float32) error {
		x := in[0]
		if isMax && arg == nil {
			arg = make([]int32, len(y))
		}
		coreParallel(q.n*q.c, plane, func(lo, hi int) {
			poolForward(&q, isMax, x, y, arg, inv, lo, hi)
		})
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		// The output is an input of the gradient op only to order it
		// after the forward pass, whose argmax it reads.
		d := newCoreOp(name+".dx", inputs[0].Shape(), output.Dims(), grad.Dims())
		d.fwd = func(dx []float32, in [][]float32) error {
			coreParallel(q.n*q.c, plane, func(lo, hi int) {
				poolBackward(&q, isMax, in[1], dx, arg, inv, lo, hi)
			})
			return nil
		}
		dx, err := d.apply(output, grad)
		if err != nil {
			return nil, err
		}
		return G.Nodes{dx}, nil
	}
	return op.apply(x)
}

// poolArgmax8Go sets idx[i] to the index (0–7) of the first maximum of
// x[8i : 8i+8], or to 8 when that window holds a NaN.
func poolArgmax8Go(x []float32, idx []int32) {
	for i := range idx {
		w := (*[8]float32)(x[8*i:])
		best, bi := w[0], int32(0)
		for j, v := range w {
			if v != v {
				bi = 8
				break
			}
			if v > best {
				best, bi = v, int32(j)
			}
		}
		idx[i] = bi
	}
}

// poolMax8 is max pooling of one row xp by windows of 8 at stride 8, no
// padding (SoundNet's pool1 and pool2): branch-free argmax on AVX2.
func poolMax8(xp, y []float32, arg []int32) {
	n := len(y)
	_ = xp[8*n-1]
	if poolAVX2 && n > 0 {
		poolArgmax8AVX2(&xp[0], n, &arg[0])
	} else {
		poolArgmax8Go(xp, arg[:n])
	}
	for o, i := range arg[:n] {
		if i == 8 { // NaN propagates, as in PyTorch: the first one
			i = 0
			for xp[8*o+int(i)] == xp[8*o+int(i)] {
				i++
			}
		}
		y[o], arg[o] = xp[8*o+int(i)], int32(8*o)+i
	}
}

// poolForward pools planes [lo, hi) of x into y, recording the argmax.
func poolForward(q *poolGeom, isMax bool, x, y []float32, arg []int32, inv float32, lo, hi int) {
	plane, oplane := q.h*q.w, q.oh*q.ow
	for nc := lo; nc < hi; nc++ {
		xp := x[nc*plane : (nc+1)*plane]
		yo := nc * oplane
		if isMax && q.h == 1 && q.kh == 1 && q.kw == 8 && q.sw == 8 && q.pw == 0 {
			poolMax8(xp, y[yo:yo+q.ow], arg[yo:yo+q.ow])
			continue
		}
		for oh := 0; oh < q.oh; oh++ {
			h0 := oh*q.sh - q.ph
			h1 := min(h0+q.kh, q.h)
			h0 = max(h0, 0)
			for ow := 0; ow < q.ow; ow++ {
				w0 := ow*q.sw - q.pw
				w1 := min(w0+q.kw, q.w)
				w0 = max(w0, 0)
				if isMax {
					best, bi := float32(math.Inf(-1)), int32(-1)
					for ih := h0; ih < h1; ih++ {
						row := xp[ih*q.w : ih*q.w+w1]
						for iw := w0; iw < w1; iw++ {
							if v := row[iw]; v > best || bi < 0 || v != v {
								best, bi = v, int32(ih*q.w+iw)
								if v != v { // NaN propagates, as in PyTorch
									break
								}
							}
						}
					}
					y[yo], arg[yo] = best, bi
				} else {
					var s float32
					for ih := h0; ih < h1; ih++ {
						for _, v := range xp[ih*q.w+w0 : ih*q.w+w1] {
							s += v
						}
					}
					y[yo] = s * inv
				}
				yo++
			}
		}
	}
}

// poolBackward routes the gradient gy of planes [lo, hi) into dx.
func poolBackward(q *poolGeom, isMax bool, gy, dx []float32, arg []int32, inv float32, lo, hi int) {
	plane, oplane := q.h*q.w, q.oh*q.ow
	clear(dx[lo*plane : hi*plane])
	for nc := lo; nc < hi; nc++ {
		dp := dx[nc*plane : (nc+1)*plane]
		gp := gy[nc*oplane : (nc+1)*oplane]
		if isMax {
			for i, a := range arg[nc*oplane : (nc+1)*oplane] {
				if a >= 0 {
					dp[a] += gp[i]
				}
			}
			continue
		}
		i := 0
		for oh := 0; oh < q.oh; oh++ {
			h0 := oh*q.sh - q.ph
			h1 := min(h0+q.kh, q.h)
			h0 = max(h0, 0)
			for ow := 0; ow < q.ow; ow++ {
				w0 := ow*q.sw - q.pw
				w1 := min(w0+q.kw, q.w)
				w0 = max(w0, 0)
				v := gp[i] * inv
				i++
				for ih := h0; ih < h1; ih++ {
					row := dp[ih*q.w+w0 : ih*q.w+w1]
					for j := range row {
						row[j] += v
					}
				}
			}
		}
	}
}

// poolCheck validates pooling sizes as PyTorch does.
func poolCheck(layer string, k, s, p int) error {
	if k <= 0 || s <= 0 || p < 0 {
		return fmt.Errorf("nets: %s: kernel %d, stride %d, padding %d must be positive (padding ≥ 0)", layer, k, s, p)
	}
	if p > k/2 {
		return fmt.Errorf("nets: %s: padding %d should be at most half the kernel %d", layer, p, k)
	}
	return nil
}

// Pool1d is torch.nn.MaxPool1d or AvgPool1d (ceil_mode=False, dilation 1,
// count_include_pad=True): input [N, C, L], output [N, C, Lout] with
// Lout = (L + 2·Padding − Kernel)/Stride + 1.
type Pool1d struct {
	Max                     bool
	Kernel, Stride, Padding int
}

// NewMaxPool1d returns a MaxPool1d; stride 0 means stride = kernel, as in PyTorch.
func NewMaxPool1d(kernel, stride, padding int) *Pool1d {
	return &Pool1d{Max: true, Kernel: kernel, Stride: defaultTo(stride, kernel), Padding: padding}
}

// NewAvgPool1d returns an AvgPool1d; stride 0 means stride = kernel.
func NewAvgPool1d(kernel, stride, padding int) *Pool1d {
	return &Pool1d{Kernel: kernel, Stride: defaultTo(stride, kernel), Padding: padding}
}

func defaultTo(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func (p *Pool1d) name() string {
	if p.Max {
		return "MaxPool1d"
	}
	return "AvgPool1d"
}

// Params implements Module: pooling has none.
func (p *Pool1d) Params() []*Param { return nil }

// Forward implements Layer.
func (p *Pool1d) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	if err := poolCheck(p.name(), p.Kernel, p.Stride, p.Padding); err != nil {
		return nil, err
	}
	s := x.Shape()
	if len(s) != 3 {
		return nil, shapeErr(p.name(), "[N, C, L]", s)
	}
	q := poolGeom{n: s[0], c: s[1], h: 1, w: s[2], kh: 1, kw: p.Kernel, sh: 1, sw: p.Stride, pw: p.Padding, oh: 1}
	q.ow = (q.w+2*q.pw-q.kw)/q.sw + 1
	if q.w+2*q.pw < q.kw {
		return nil, fmt.Errorf("nets: %s: input length %d (padding %d) shorter than kernel %d", p.name(), s[2], p.Padding, p.Kernel)
	}
	return poolApply(p.name(), q, p.Max, x)
}

// Pool2d is torch.nn.MaxPool2d or AvgPool2d (ceil_mode=False, dilation 1,
// count_include_pad=True) with (height, width) sizes: input [N, C, H, W].
type Pool2d struct {
	Max                     bool
	Kernel, Stride, Padding [2]int
}

// NewMaxPool2d returns a MaxPool2d; a zero stride means stride = kernel.
func NewMaxPool2d(kernel, stride, padding [2]int) *Pool2d {
	return &Pool2d{Max: true, Kernel: kernel, Stride: [2]int{defaultTo(stride[0], kernel[0]), defaultTo(stride[1], kernel[1])}, Padding: padding}
}

// NewAvgPool2d returns an AvgPool2d; a zero stride means stride = kernel.
func NewAvgPool2d(kernel, stride, padding [2]int) *Pool2d {
	return &Pool2d{Kernel: kernel, Stride: [2]int{defaultTo(stride[0], kernel[0]), defaultTo(stride[1], kernel[1])}, Padding: padding}
}

func (p *Pool2d) name() string {
	if p.Max {
		return "MaxPool2d"
	}
	return "AvgPool2d"
}

// Params implements Module: pooling has none.
func (p *Pool2d) Params() []*Param { return nil }

// Forward implements Layer.
func (p *Pool2d) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	for i := 0; i < 2; i++ {
		if err := poolCheck(p.name(), p.Kernel[i], p.Stride[i], p.Padding[i]); err != nil {
			return nil, err
		}
	}
	s := x.Shape()
	if len(s) != 4 {
		return nil, shapeErr(p.name(), "[N, C, H, W]", s)
	}
	q := poolGeom{n: s[0], c: s[1], h: s[2], w: s[3], kh: p.Kernel[0], kw: p.Kernel[1],
		sh: p.Stride[0], sw: p.Stride[1], ph: p.Padding[0], pw: p.Padding[1]}
	if q.h+2*q.ph < q.kh || q.w+2*q.pw < q.kw {
		return nil, fmt.Errorf("nets: %s: input %dx%d (padding %v) smaller than kernel %v", p.name(), s[2], s[3], p.Padding, p.Kernel)
	}
	q.oh = (q.h+2*q.ph-q.kh)/q.sh + 1
	q.ow = (q.w+2*q.pw-q.kw)/q.sw + 1
	return poolApply(p.name(), q, p.Max, x)
}
