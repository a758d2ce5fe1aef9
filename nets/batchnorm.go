package nets

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BatchNorm is torch.nn.BatchNorm1d (input [N, C] or [N, C, L]) or
// BatchNorm2d (input [N, C, H, W]) with affine weights and tracked running
// statistics. In a Train graph it normalises by the batch mean and biased
// variance and, after each pass, updates the running estimates as PyTorch
// does: running ← (1 − Momentum)·running + Momentum·batch, with the
// unbiased variance, and counts num_batches_tracked. In an Eval graph it
// normalises by the running estimates.
//
// Params, in state_dict order: "<name>.weight", "<name>.bias" (learnable,
// [C]), "<name>.running_mean", "<name>.running_var" (buffers, [C]) and
// "<name>.num_batches_tracked" (buffer, shape [], saved as I64).
type BatchNorm struct {
	Features      int
	Spatial2D     bool    // BatchNorm2d
	Eps, Momentum float64 // 1e-5 and 0.1 by default

	Weight, Bias, RunningMean, RunningVar, NumBatchesTracked *Param
}

// NewBatchNorm1d returns a BatchNorm1d over c features, initialised as in
// PyTorch (weight 1, bias 0, running mean 0, running variance 1).
func NewBatchNorm1d(name string, c int) (*BatchNorm, error) { return newBatchNorm(name, c, false) }

// NewBatchNorm2d returns a BatchNorm2d over c channels.
func NewBatchNorm2d(name string, c int) (*BatchNorm, error) { return newBatchNorm(name, c, true) }

func newBatchNorm(name string, c int, twoD bool) (*BatchNorm, error) {
	if c <= 0 {
		return nil, fmt.Errorf("nets: BatchNorm %q: %d features, want > 0", name, c)
	}
	if err := paramSizes("BatchNorm", name, []int{c}); err != nil {
		return nil, err
	}
	b := &BatchNorm{Features: c, Spatial2D: twoD, Eps: 1e-5, Momentum: 0.1,
		Weight: NewParam(name+".weight", c), Bias: NewParam(name+".bias", c),
		RunningMean: NewBuffer(name+".running_mean", c), RunningVar: NewBuffer(name+".running_var", c),
		NumBatchesTracked: NewBuffer(name + ".num_batches_tracked")}
	b.NumBatchesTracked.DType = "I64"
	for i := 0; i < c; i++ {
		b.Weight.Data[i] = 1
		b.RunningVar.Data[i] = 1
	}
	return b, nil
}

// Params implements Module.
func (b *BatchNorm) Params() []*Param {
	return []*Param{b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.NumBatchesTracked}
}

// bnState is shared by the forward and gradient ops of one BatchNorm node.
type bnState struct {
	n, c, s       int
	mean, invstd  []float32 // statistics used to normalise the last pass
	batchVar      []float64 // biased batch variance (train)
	ran           bool      // a train pass ran since the last stats update
	dgamma, dbeta []float32
	relu          bool // ReLU follows in the same op
	inPlace       bool // dx overwrites dy
}

// Forward implements Layer.
func (b *BatchNorm) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	return b.forward(g, x, false, false)
}

// ForwardReLU is Forward followed by ReLU, computed as one op with the
// same result: the normalised tensor before the ReLU, and its gradient,
// are never stored (for SoundNet's first block, 2 × 56 MB of a batch of
// four 20 s clips).
func (b *BatchNorm) ForwardReLU(g *Graph, x *G.Node) (*G.Node, error) {
	return b.forward(g, x, true, false)
}

// ForwardReLUOver is ForwardReLU that, outside training, writes its
// output over x when x is the output of one of this package's ops (a
// convolution's, say), so that the two never take memory at once. Nothing
// else may read x. In training it is ForwardReLU (the gradient needs x).
func (b *BatchNorm) ForwardReLUOver(g *Graph, x *G.Node) (*G.Node, error) {
	return b.forward(g, x, true, true)
}

func (b *BatchNorm) forward(g *Graph, x *G.Node, relu, over bool) (*G.Node, error) {
	sh := x.Shape()
	name := "BatchNorm1d " + b.Weight.Name
	ok := (len(sh) == 2 || len(sh) == 3) && !b.Spatial2D
	want := fmt.Sprintf("[N, %d] or [N, %d, L]", b.Features, b.Features)
	if b.Spatial2D {
		name = "BatchNorm2d " + b.Weight.Name
		ok = len(sh) == 4
		want = fmt.Sprintf("[N, %d, H, W]", b.Features)
	}
	if !ok || sh[1] != b.Features {
		return nil, shapeErr(name, want, sh)
	}
	st := &bnState{n: sh[0], c: sh[1], s: 1, relu: relu}
	for _, d := range sh[2:] {
		st.s *= d
	}
	st.mean, st.invstd = make([]float32, st.c), make([]float32, st.c)
	st.batchVar = make([]float64, st.c)
	st.dgamma, st.dbeta = make([]float32, st.c), make([]float32, st.c)
	train := g.Mode == Train
	m := st.n * st.s
	if relu {
		name += "+relu"
	}
	op := newCoreOp(name, sh, len(sh), 1, 1)
	op.diffWRT = []bool{true, true, true}
	if _, ours := x.Op().(*coreOp); over && ours && !train {
		op.inPlace = 0 // the loops below read each value before writing it
	}
	op.fwd = func(y []float32, in [][]float32) error {
		x, gamma, beta := in[0], in[1], in[2]
		if train {
			if m < 2 {
				return fmt.Errorf("expected more than 1 value per channel in training, got input shape %v", sh)
			}
			b.batchStats(st, x)
			st.ran = true
		} else {
			for c := 0; c < st.c; c++ {
				st.mean[c] = b.RunningMean.Data[c]
				st.invstd[c] = float32(1 / math.Sqrt(float64(b.RunningVar.Data[c])+b.Eps))
			}
		}
		coreParallel(st.c, st.n*st.s, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				scale := gamma[c] * st.invstd[c]
				shift := beta[c] - st.mean[c]*scale
				for n := 0; n < st.n; n++ {
					off := (n*st.c + c) * st.s
					yr := y[off : off+st.s]
					if relu {
						for i, v := range x[off : off+st.s] {
							yr[i] = max(v*scale+shift, 0) // as ReLU: NaN propagates
						}
						continue
					}
					for i, v := range x[off : off+st.s] {
						yr[i] = v*scale + shift
					}
				}
			}
		})
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		// The input gradient may overwrite dy when dy is the output buffer
		// of one of this package's ops, which only this node's gradient
		// ops read (a gradient read by others, or asked for, which only
		// input nodes can be, is a sum or an input, not a coreOp): dx reads
		// it element by element, after the dγ op.
		_, st.inPlace = grad.Op().(*coreOp)
		return b.grads(st, train, inputs, output, grad)
	}
	y, err := op.apply(x, g.Param(b.Weight), g.Param(b.Bias))
	if err != nil {
		return nil, err
	}
	if train {
		g.AfterRun(func() error {
			if !st.ran {
				return nil
			}
			st.ran = false
			mom := b.Momentum
			unbias := float64(m) / float64(m-1)
			for c := 0; c < st.c; c++ {
				b.RunningMean.Data[c] = float32((1-mom)*float64(b.RunningMean.Data[c]) + mom*float64(st.mean[c]))
				b.RunningVar.Data[c] = float32((1-mom)*float64(b.RunningVar.Data[c]) + mom*st.batchVar[c]*unbias)
			}
			if len(b.NumBatchesTracked.Data) == 1 {
				b.NumBatchesTracked.Data[0]++
			}
			return nil
		})
	}
	return y, nil
}

// batchStats computes the per-channel mean and biased variance of x (two
// passes, float64 sums) and the inverse standard deviation.
func (b *BatchNorm) batchStats(st *bnState, x []float32) {
	m := float64(st.n * st.s)
	coreParallel(st.c, st.n*st.s, func(lo, hi int) { b.batchStatsRange(st, x, m, lo, hi) })
}

// batchStatsRange computes the statistics of channels [lo, hi).
func (b *BatchNorm) batchStatsRange(st *bnState, x []float32, m float64, lo, hi int) {
	for c := lo; c < hi; c++ {
		var sum float64
		for n := 0; n < st.n; n++ {
			off := (n*st.c + c) * st.s
			sum += bnSum(x[off:off+st.s], 0, false)
		}
		mean := sum / m
		mf := float32(mean)
		var ss float64
		for n := 0; n < st.n; n++ {
			off := (n*st.c + c) * st.s
			ss += bnSum(x[off:off+st.s], mf, true)
		}
		v := ss / m
		st.mean[c] = mf
		st.batchVar[c] = v
		st.invstd[c] = float32(1 / math.Sqrt(v+b.Eps))
	}
}

// bnSum returns Σ x, or Σ (x − mean)² when squares, in float32 partial
// sums over blocks of 256 (four interleaved, so that the adds need not
// wait for each other) added up in float64: exact enough, and deterministic.
func bnSum(x []float32, mean float32, squares bool) float64 {
	var sum float64
	for len(x) > 0 {
		b := x[:min(256, len(x))]
		x = x[len(b):]
		var p0, p1, p2, p3 float32
		i := 0
		if squares {
			for ; i+4 <= len(b); i += 4 {
				d0, d1, d2, d3 := b[i]-mean, b[i+1]-mean, b[i+2]-mean, b[i+3]-mean
				p0 += d0 * d0
				p1 += d1 * d1
				p2 += d2 * d2
				p3 += d3 * d3
			}
			for ; i < len(b); i++ {
				d := b[i] - mean
				p0 += d * d
			}
		} else {
			for ; i+4 <= len(b); i += 4 {
				p0 += b[i]
				p1 += b[i+1]
				p2 += b[i+2]
				p3 += b[i+3]
			}
			for ; i < len(b); i++ {
				p0 += b[i]
			}
		}
		sum += float64(p0) + float64(p1) + float64(p2) + float64(p3)
	}
	return sum
}

// grads builds the gradient nodes of x, weight and bias. The dγ op also
// computes dβ (both are needed by dx); the dβ and dx ops take the dγ node
// as an input so that they run after it.
func (b *BatchNorm) grads(st *bnState, train bool, inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	name := "bn(" + b.Weight.Name + ")"
	dg := newCoreOp(name+".dweight", tensor.Shape{st.c}, inputs[0].Dims(), grad.Dims(), output.Dims())
	dg.fwd = func(out []float32, in [][]float32) error {
		x, gy, y := in[0], in[1], in[2]
		coreParallel(st.c, st.n*st.s, func(lo, hi int) { b.gradSums(st, x, gy, y, out, lo, hi) })
		copy(st.dgamma, out)
		return nil
	}
	dgamma, err := dg.apply(inputs[0], grad, output)
	if err != nil {
		return nil, err
	}
	return b.gradNodes(st, train, inputs, output, grad, dgamma)
}

// reluGrad is gy where the ReLU's output y is positive, else 0. It is
// branch-free: y ≥ 0, so y > 0 exactly when its bits are non-zero, and
// after BatchNorm half the signs are random.
func reluGrad(y, gy float32) float32 {
	mask := uint32(int32(-math.Float32bits(y)) >> 31)
	return math.Float32frombits(math.Float32bits(gy) & mask)
}

// gradSums computes, for channels [lo, hi), dβ = Σ dy (into st.dbeta) and
// dγ = Σ dy·x̂ (into out). With a fused ReLU, dy is gy masked by the
// output y.
func (b *BatchNorm) gradSums(st *bnState, x, gy, y, out []float32, lo, hi int) {
	for c := lo; c < hi; c++ {
		var sg, sgx float64
		mean, inv := st.mean[c], st.invstd[c]
		for n := 0; n < st.n; n++ {
			off := (n*st.c + c) * st.s
			// As bnSum: blocks of 256, two interleaved partials each.
			for b0 := 0; b0 < st.s; b0 += 256 {
				b1 := min(b0+256, st.s)
				xs, gs := x[off+b0:off+b1], gy[off+b0:off+b1]
				ys := y[off+b0 : off+b1]
				var pg0, pg1, pgx0, pgx1 float32
				i := 0
				for ; i+2 <= len(gs); i += 2 {
					g0, g1 := gs[i], gs[i+1]
					if st.relu {
						g0, g1 = reluGrad(ys[i], g0), reluGrad(ys[i+1], g1)
					}
					pg0 += g0
					pg1 += g1
					pgx0 += g0 * (xs[i] - mean)
					pgx1 += g1 * (xs[i+1] - mean)
				}
				if i < len(gs) {
					g := gs[i]
					if st.relu {
						g = reluGrad(ys[i], g)
					}
					pg0 += g
					pgx0 += g * (xs[i] - mean)
				}
				sg += float64(pg0) + float64(pg1)
				sgx += float64(pgx0) + float64(pgx1)
			}
		}
		st.dbeta[c] = float32(sg)
		out[c] = float32(sgx) * inv
	}
}

// gradNodes builds the dβ and dx nodes after the dγ node.
func (b *BatchNorm) gradNodes(st *bnState, train bool, inputs G.Nodes, output, grad, dgamma *G.Node) (G.Nodes, error) {
	name := "bn(" + b.Weight.Name + ")"
	db := newCoreOp(name+".dbias", tensor.Shape{st.c}, 1)
	db.fwd = func(out []float32, _ [][]float32) error { copy(out, st.dbeta); return nil }
	dbeta, err := db.apply(dgamma)
	if err != nil {
		return nil, err
	}
	dx := newCoreOp(name+".dx", inputs[0].Shape(), inputs[0].Dims(), 1, grad.Dims(), 1, output.Dims())
	if st.inPlace {
		dx.inPlace = 2 // dy
	}
	m := float32(st.n * st.s)
	dx.fwd = func(out []float32, in [][]float32) error {
		x, gamma, gy, y := in[0], in[1], in[2], in[4]
		coreParallel(st.c, st.n*st.s, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				bnInputGrad(st, train, m, c, x, gamma, gy, y, out)
			}
		})
		return nil
	}
	gx, err := dx.apply(inputs[0], inputs[1], grad, dgamma, output)
	if err != nil {
		return nil, err
	}
	return G.Nodes{gx, dgamma, dbeta}, nil
}

// bnInputGrad writes dx of channel c; y is the output, for a fused ReLU.
func bnInputGrad(st *bnState, train bool, m float32, c int, x, gamma, gy, y, out []float32) {
	mean, inv := st.mean[c], st.invstd[c]
	k := gamma[c] * inv
	var a, bb float32 // dx = k·(gy − a − (x−mean)·bb)
	if train {
		a = st.dbeta[c] / m
		bb = st.dgamma[c] * inv / m
	}
	for n := 0; n < st.n; n++ {
		off := (n*st.c + c) * st.s
		xs := x[off : off+st.s]
		o := out[off : off+st.s]
		if st.relu {
			ys := y[off : off+st.s]
			for i, g := range gy[off : off+st.s] {
				o[i] = k * (reluGrad(ys[i], g) - a - (xs[i]-mean)*bb)
			}
			continue
		}
		for i, g := range gy[off : off+st.s] {
			o[i] = k * (g - a - (xs[i]-mean)*bb)
		}
	}
}
