package nets

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// actKind selects an element-wise activation.
type actKind int

const (
	actReLU actKind = iota
	actLeaky
	actTanh
	actSigmoid
	actLogSigmoid
)

// actApply adds an element-wise activation whose derivative is computed
// from the output y (ReLU, LeakyReLU with a positive slope, Tanh, Sigmoid,
// LogSigmoid).
func actApply(name string, kind actKind, slope float32, x *G.Node) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("nets: %s: nil input", name)
	}
	op := newCoreOp(name, x.Shape(), x.Dims())
	op.diffWRT = []bool{true}
	op.fwd = func(y []float32, in [][]float32) error {
		coreParallel(len(y), 1, func(lo, hi int) { actForward(kind, slope, in[0][lo:hi], y[lo:hi]) })
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		d := newCoreOp(name+".dx", inputs[0].Shape(), output.Dims(), grad.Dims())
		d.fwd = func(dx []float32, in [][]float32) error {
			coreParallel(len(dx), 1, func(lo, hi int) { actBackward(kind, slope, in[0][lo:hi], in[1][lo:hi], dx[lo:hi]) })
			return nil
		}
		dx, err := d.apply(output, grad)
		return G.Nodes{dx}, err
	}
	return op.apply(x)
}

// actForward applies the activation to x into y.
func actForward(kind actKind, slope float32, x, y []float32) {
	switch kind {
	case actReLU:
		for i, v := range x {
			y[i] = max(v, 0) // max propagates NaN, as torch.relu does
			if v != v {
				y[i] = v
			}
		}
	case actLeaky:
		for i, v := range x {
			if v < 0 {
				v *= slope
			}
			y[i] = v
		}
	case actTanh:
		for i, v := range x {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case actSigmoid:
		for i, v := range x {
			y[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case actLogSigmoid:
		// min(x, 0) − log(1 + e^−|x|): no overflow at either end.
		for i, v := range x {
			a := float64(v)
			y[i] = float32(min(a, 0) - math.Log1p(math.Exp(-math.Abs(a))))
		}
	}
}

// actBackward writes dx from the output y and its gradient gy.
func actBackward(kind actKind, slope float32, y, gy, dx []float32) {
	switch kind {
	case actReLU:
		// Branch-free: y ≥ 0, so y > 0 exactly when its bits are
		// non-zero; half the signs are random after BatchNorm and a
		// branch would be mispredicted half the time.
		gy = gy[:len(y)]
		for i, v := range y {
			u := math.Float32bits(v)
			mask := uint32(int32(-u) >> 31)
			dx[i] = math.Float32frombits(math.Float32bits(gy[i]) & mask)
		}
	case actLeaky:
		for i, v := range y {
			if v > 0 {
				dx[i] = gy[i]
			} else {
				dx[i] = gy[i] * slope
			}
		}
	case actTanh:
		for i, v := range y {
			dx[i] = gy[i] * (1 - v*v)
		}
	case actSigmoid:
		for i, v := range y {
			dx[i] = gy[i] * v * (1 - v)
		}
	case actLogSigmoid:
		// d/dx log σ(x) = 1 − σ(x) = 1 − e^y
		for i, v := range y {
			dx[i] = gy[i] * float32(-math.Expm1(float64(v)))
		}
	}
}

// LogSigmoid is log(1/(1 + e^−x)) element-wise (torch.nn.functional.logsigmoid),
// computed without overflow for large |x|.
func LogSigmoid(x *G.Node) (*G.Node, error) { return actApply("logsigmoid", actLogSigmoid, 0, x) }

// ReLU is max(x, 0) element-wise (torch.relu).
func ReLU(x *G.Node) (*G.Node, error) { return actApply("relu", actReLU, 0, x) }

// LeakyReLU is x for x > 0 and slope·x otherwise (torch's default slope is
// 0.01). The slope must be positive.
func LeakyReLU(x *G.Node, slope float64) (*G.Node, error) {
	if !(slope > 0) {
		return nil, fmt.Errorf("nets: LeakyReLU: slope %v must be positive", slope)
	}
	return actApply("leaky_relu", actLeaky, float32(slope), x)
}

// Tanh is the hyperbolic tangent element-wise.
func Tanh(x *G.Node) (*G.Node, error) { return actApply("tanh", actTanh, 0, x) }

// Sigmoid is 1/(1+exp(−x)) element-wise.
func Sigmoid(x *G.Node) (*G.Node, error) { return actApply("sigmoid", actSigmoid, 0, x) }

// SoftmaxAxis is torch.softmax(x, dim=axis); a negative axis counts from
// the end.
func SoftmaxAxis(x *G.Node, axis int) (*G.Node, error) { return softmaxApply(x, axis, false) }

// LogSoftmaxAxis is torch.log_softmax(x, dim=axis), computed stably.
func LogSoftmaxAxis(x *G.Node, axis int) (*G.Node, error) { return softmaxApply(x, axis, true) }

func softmaxApply(x *G.Node, axis int, log bool) (*G.Node, error) {
	name := "softmax"
	if log {
		name = "log_softmax"
	}
	if x == nil {
		return nil, fmt.Errorf("nets: %s: nil input", name)
	}
	sh := x.Shape()
	if axis < 0 {
		axis += len(sh)
	}
	if len(sh) == 0 || axis < 0 || axis >= len(sh) {
		return nil, fmt.Errorf("nets: %s: axis out of range for shape %v", name, sh)
	}
	outer, n, inner := 1, sh[axis], 1
	for _, d := range sh[:axis] {
		outer *= d
	}
	for _, d := range sh[axis+1:] {
		inner *= d
	}
	op := newCoreOp(name, sh, len(sh))
	op.diffWRT = []bool{true}
	op.fwd = func(y []float32, in [][]float32) error {
		x := in[0]
		for o := 0; o < outer; o++ {
			for j := 0; j < inner; j++ {
				base := o*n*inner + j
				mx := float32(math.Inf(-1))
				for k := 0; k < n; k++ {
					mx = max(mx, x[base+k*inner])
				}
				var s float64
				for k := 0; k < n; k++ {
					e := math.Exp(float64(x[base+k*inner] - mx))
					s += e
					if !log {
						y[base+k*inner] = float32(e)
					}
				}
				if log {
					lse := float32(math.Log(s))
					for k := 0; k < n; k++ {
						y[base+k*inner] = x[base+k*inner] - mx - lse
					}
				} else {
					inv := float32(1 / s)
					for k := 0; k < n; k++ {
						y[base+k*inner] *= inv
					}
				}
			}
		}
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		d := newCoreOp(name+".dx", sh, len(sh), len(sh))
		d.fwd = func(dx []float32, in [][]float32) error {
			y, gy := in[0], in[1]
			for o := 0; o < outer; o++ {
				for j := 0; j < inner; j++ {
					base := o*n*inner + j
					var s float32
					for k := 0; k < n; k++ {
						i := base + k*inner
						if log {
							s += gy[i]
						} else {
							s += gy[i] * y[i]
						}
					}
					for k := 0; k < n; k++ {
						i := base + k*inner
						if log {
							dx[i] = gy[i] - float32(math.Exp(float64(y[i])))*s
						} else {
							dx[i] = y[i] * (gy[i] - s)
						}
					}
				}
			}
			return nil
		}
		dx, err := d.apply(output, grad)
		return G.Nodes{dx}, err
	}
	return op.apply(x)
}

// LayerFunc turns a parameter-free function such as ReLU into a Layer.
type LayerFunc func(x *G.Node) (*G.Node, error)

// Params implements Module: none.
func (f LayerFunc) Params() []*Param { return nil }

// Forward implements Layer.
func (f LayerFunc) Forward(_ *Graph, x *G.Node) (*G.Node, error) { return f(x) }

// Sequential chains layers, like torch.nn.Sequential.
type Sequential []Layer

// Params implements Module: the params of every layer in order.
func (s Sequential) Params() []*Param {
	var out []*Param
	for _, l := range s {
		out = append(out, l.Params()...)
	}
	return out
}

// Forward implements Layer.
func (s Sequential) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	var err error
	for i, l := range s {
		if x, err = l.Forward(g, x); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return x, nil
}

// The activations as layers, for Sequential (torch.nn.ReLU, nn.Tanh …).

// NewReLU returns torch.nn.ReLU as a Layer.
func NewReLU() Layer { return LayerFunc(ReLU) }

// NewLeakyReLU returns torch.nn.LeakyReLU(negative_slope) as a Layer.
func NewLeakyReLU(slope float64) Layer {
	return LayerFunc(func(x *G.Node) (*G.Node, error) { return LeakyReLU(x, slope) })
}

// NewTanh returns torch.nn.Tanh as a Layer.
func NewTanh() Layer { return LayerFunc(Tanh) }

// NewSigmoid returns torch.nn.Sigmoid as a Layer.
func NewSigmoid() Layer { return LayerFunc(Sigmoid) }

// NewSoftmax returns torch.nn.Softmax(dim) as a Layer.
func NewSoftmax(dim int) Layer {
	return LayerFunc(func(x *G.Node) (*G.Node, error) { return SoftmaxAxis(x, dim) })
}

// NewLogSoftmax returns torch.nn.LogSoftmax(dim) as a Layer.
func NewLogSoftmax(dim int) Layer {
	return LayerFunc(func(x *G.Node) (*G.Node, error) { return LogSoftmaxAxis(x, dim) })
}

// Flatten is torch.nn.Flatten: it merges the axes StartDim … EndDim
// (negative values count from the end) into one. NewFlatten gives
// PyTorch's default, every axis but the batch axis.
type Flatten struct{ StartDim, EndDim int }

// NewFlatten returns torch.nn.Flatten() (start_dim 1, end_dim −1).
func NewFlatten() Flatten { return Flatten{StartDim: 1, EndDim: -1} }

// Params implements Module: none.
func (Flatten) Params() []*Param { return nil }

// Forward implements Layer.
func (f Flatten) Forward(_ *Graph, x *G.Node) (*G.Node, error) {
	sh := x.Shape()
	s, e := f.StartDim, f.EndDim
	if s < 0 {
		s += len(sh)
	}
	if e < 0 {
		e += len(sh)
	}
	if s < 0 || e >= len(sh) || s > e {
		return nil, fmt.Errorf("nets: Flatten(%d, %d): input shape %v", f.StartDim, f.EndDim, sh)
	}
	out := append([]int(nil), sh[:s]...)
	n := 1
	for _, d := range sh[s : e+1] {
		n *= d
	}
	out = append(append(out, n), sh[e+1:]...)
	return Reshape(x, out)
}
