package nets

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convGeom is the geometry of a 2-D convolution over [N, C, H, W] with
// groups = 1; a 1-D convolution is the case H = kh = 1.
type convGeom struct {
	n, c, h, w     int // input
	o, kh, kw      int // output channels, kernel
	sh, sw, ph, pw int // stride, padding
	dh, dw         int // dilation
	oh, ow         int // output size
}

func convOut(in, k, s, p, d int) int { return (in+2*p-d*(k-1)-1)/s + 1 }

func (q *convGeom) rows() int { return q.c * q.kh * q.kw } // im2col rows
func (q *convGeom) cols() int { return q.oh * q.ow }       // im2col columns

// direct reports whether the input already is its own im2col matrix
// (1×1 kernel, stride 1, no padding; the output size check excludes a
// split convolution's input, which can be a sample longer).
func (q *convGeom) direct() bool {
	return q.kh == 1 && q.kw == 1 && q.sh == 1 && q.sw == 1 && q.ph == 0 && q.pw == 0 && q.oh == q.h && q.ow == q.w
}

// convRowRange returns the output columns [lo, hi) whose input column
// ow*sw + off lies inside [0, w).
func convRowRange(ow, sw, off, w int) (lo, hi int) {
	if off < 0 {
		lo = (-off + sw - 1) / sw
	}
	if w-1-off < 0 {
		return 0, 0
	}
	hi = min(ow, (w-1-off)/sw+1)
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// col2im adds the patch matrix col (row stride ld) back into one sample
// dx [C, H, W].
func (q *convGeom) col2im(col []float32, ld int, dx []float32) {
	p := q.cols()
	r := 0
	for c := 0; c < q.c; c++ {
		xc := dx[c*q.h*q.w : (c+1)*q.h*q.w]
		for i := 0; i < q.kh; i++ {
			for j := 0; j < q.kw; j++ {
				row := col[r*ld : r*ld+p]
				r++
				off := j*q.dw - q.pw
				lo, hi := convRowRange(q.ow, q.sw, off, q.w)
				for oh := 0; oh < q.oh; oh++ {
					ih := oh*q.sh - q.ph + i*q.dh
					if ih < 0 || ih >= q.h {
						continue
					}
					src := row[oh*q.ow : (oh+1)*q.ow]
					dst := xc[ih*q.w : (ih+1)*q.w]
					s := lo*q.sw + off
					for k := lo; k < hi; k++ {
						dst[s] += src[k]
						s += q.sw
					}
				}
			}
		}
	}
}

// patchRow writes patch-matrix row r (input channel c, kernel tap i, j) at
// output positions [pos0, pos0+cnt) of one sample x [C, H, W] into
// dst[0], dst[stride], dst[2·stride], … — im2col without the matrix.
func (q *convGeom) patchRow(x []float32, r, pos0, cnt int, dst []float32, stride int) {
	jk := r % q.kw
	i := (r / q.kw) % q.kh
	c := r / (q.kw * q.kh)
	xc := x[c*q.h*q.w : (c+1)*q.h*q.w]
	off := jk*q.dw - q.pw
	lo, hi := convRowRange(q.ow, q.sw, off, q.w)
	oh, ow := pos0/q.ow, pos0%q.ow
	for t := 0; t < cnt; oh++ {
		run := min(cnt-t, q.ow-ow)
		ih := oh*q.sh - q.ph + i*q.dh
		d := t * stride
		if ih < 0 || ih >= q.h {
			for k := 0; k < run; k++ {
				dst[d] = 0
				d += stride
			}
		} else {
			src := xc[ih*q.w : (ih+1)*q.w]
			// [a, b): the positions of this run that read inside the row.
			a := min(max(ow, lo), ow+run)
			b := max(min(ow+run, hi), a)
			for k := ow; k < a; k++ {
				dst[d] = 0
				d += stride
			}
			s := a*q.sw + off
			if b == a {
				// Nothing inside the row.
			} else if stride == 1 && q.sw == 1 {
				copy(dst[d:d+b-a], src[s:s+b-a])
				d += b - a
			} else {
				convGather(dst[d:], stride, src[s:], q.sw, b-a)
				d += (b - a) * stride
			}
			for k := b; k < ow+run; k++ {
				dst[d] = 0
				d += stride
			}
		}
		t += run
		ow = 0
	}
}

// convGather sets dst[k·ds] = src[k·ss] for k < n. The common cases get
// their own loops with the strides as constants.
func convGather(dst []float32, ds int, src []float32, ss, n int) {
	switch {
	case ds == 1 && ss == 2:
		dst = dst[:n]
		src = src[:2*n-1]
		for k := range dst {
			dst[k] = src[2*k]
		}
	case ds == 1:
		dst = dst[:n]
		for k := range dst {
			dst[k] = src[k*ss]
		}
	case ds == gemmNR && ss == 1:
		src = src[:n]
		for k, v := range src {
			dst[k*gemmNR] = v
		}
	default:
		for k := 0; k < n; k++ {
			dst[k*ds] = src[k*ss]
		}
	}
}

// packCols packs the patch matrix of sample x as op(B) of y = w·col:
// depth = patch rows, columns = output positions.
func (s *convState) packCols(x []float32) gemmPackFunc {
	return func(p0, kc, j0, nc int, dst, scratch []float32) {
		for p := 0; p < kc; p++ {
			row := s.rowRun(x, p0+p, j0, nc)
			if row == nil {
				row = scratch[:nc]
				s.patchRow(x, p0+p, j0, nc, row, 1)
			}
			gemmPackRow(row, p, kc, dst)
		}
	}
}

// packRows packs the transposed patch matrix of sample x as op(B) of
// dw = dy·colᵀ: depth = output positions, columns = patch rows.
func (s *convState) packRows(x []float32) gemmPackFunc {
	return func(p0, kc, j0, nc int, dst, _ []float32) {
		for jr := 0; jr < nc; jr += gemmNR {
			panel := dst[jr*kc : (jr+gemmNR)*kc]
			nr := min(gemmNR, nc-jr)
			if nr == gemmNR && s.packRowsRuns(x, j0+jr, p0, kc, panel) {
				continue
			}
			for c := 0; c < nr; c++ {
				s.patchRow(x, j0+jr+c, p0, kc, panel[c:], gemmNR)
			}
			for c := nr; c < gemmNR; c++ {
				for p := 0; p < kc; p++ {
					panel[p*gemmNR+c] = 0
				}
			}
		}
	}
}

// rowRun returns patch row r at positions [pos0, pos0+cnt) of sample x
// when it is a contiguous run of x (a 1-D convolution read at stride 1
// without dilation, away from the padding), else nil.
func (s *convState) rowRun(x []float32, r, pos0, cnt int) []float32 {
	q, g := &s.q, &s.q
	if s.split != nil {
		g = &s.split.q
	}
	if g.h != 1 || g.kh != 1 || g.sw != 1 || g.dw != 1 {
		return nil
	}
	ch, m := r/g.kw, r%g.kw
	if s.split != nil {
		j := r % q.kw
		ch, m = r/q.kw*q.sw+j%q.sw, j/q.sw
	}
	i := pos0 + m - g.pw
	if i < 0 || i+cnt > g.w {
		return nil
	}
	return x[ch*g.w+i:][:cnt]
}

// packRowsRuns packs the panel of patch rows [r0, r0+16) at positions
// [p0, p0+kc) as packRows does, when each row is a contiguous run of the
// input (a 1-D convolution read at stride 1 and no dilation, away from
// the padding), reading the sixteen runs side by side; it reports false,
// packing nothing, otherwise.
func (s *convState) packRowsRuns(x []float32, r0, p0, kc int, panel []float32) bool {
	var src [gemmNR][]float32
	for c := range src {
		if src[c] = s.rowRun(x, r0+c, p0, kc); src[c] == nil {
			return false
		}
	}
	s0, s1, s2, s3, s4, s5, s6, s7 := src[0], src[1][:kc], src[2][:kc], src[3][:kc], src[4][:kc], src[5][:kc], src[6][:kc], src[7][:kc]
	s8, s9, s10, s11, s12, s13, s14, s15 := src[8][:kc], src[9][:kc], src[10][:kc], src[11][:kc], src[12][:kc], src[13][:kc], src[14][:kc], src[15][:kc]
	for p := range s0 {
		o := (*[gemmNR]float32)(panel[p*gemmNR:])
		o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7] = s0[p], s1[p], s2[p], s3[p], s4[p], s5[p], s6[p], s7[p]
		o[8], o[9], o[10], o[11], o[12], o[13], o[14], o[15] = s8[p], s9[p], s10[p], s11[p], s12[p], s13[p], s14[p], s15[p]
	}
	return true
}

// convBatchMaxP: below this many output positions per sample, the samples
// of a batch are multiplied in one GEMM (columns = sample × position), so
// that the weights are packed once and narrow outputs (SoundNet's conv8
// has 4 positions) do not waste most of each 16-column kernel tile.
var convBatchMaxP = 1024

// batched reports whether the batch is multiplied in one GEMM.
func (q *convGeom) batched() bool { return q.n > 1 && q.cols() < convBatchMaxP }

// sampleRuns calls f for the pieces of the batched column range
// [j0, j0+cnt) that lie within one sample: sample n, first position pos,
// length run, offset t within the range.
func (q *convGeom) sampleRuns(j0, cnt int, f func(n, pos, run, t int)) {
	p := q.cols()
	for t := 0; t < cnt; {
		n, pos := (j0+t)/p, (j0+t)%p
		run := min(cnt-t, p-pos)
		f(n, pos, run, t)
		t += run
	}
}

// packColsBatch is packCols over the whole batch: columns are
// (sample, position) pairs.
func (s *convState) packColsBatch(x []float32) gemmPackFunc {
	q := &s.q
	size := s.sampleSize()
	return func(p0, kc, j0, nc int, dst, scratch []float32) {
		row := scratch[:nc]
		for p := 0; p < kc; p++ {
			q.sampleRuns(j0, nc, func(n, pos, run, t int) {
				s.patchRow(x[n*size:(n+1)*size], p0+p, pos, run, row[t:], 1)
			})
			gemmPackRow(row, p, kc, dst)
		}
	}
}

// packRowsBatch is packRows over the whole batch: depth is the
// (sample, position) pairs.
func (s *convState) packRowsBatch(x []float32) gemmPackFunc {
	q := &s.q
	size := s.sampleSize()
	return func(p0, kc, j0, nc int, dst, _ []float32) {
		for jr := 0; jr < nc; jr += gemmNR {
			panel := dst[jr*kc : (jr+gemmNR)*kc]
			nr := min(gemmNR, nc-jr)
			for c := 0; c < nr; c++ {
				q.sampleRuns(p0, kc, func(n, pos, run, t int) {
					s.patchRow(x[n*size:(n+1)*size], j0+jr+c, pos, run, panel[t*gemmNR+c:], gemmNR)
				})
			}
			for c := nr; c < gemmNR; c++ {
				for p := 0; p < kc; p++ {
					panel[p*gemmNR+c] = 0
				}
			}
		}
	}
}

// gatherBatch copies dy [N, O, P] into dst [O, N·P].
func (q *convGeom) gatherBatch(gy, dst []float32) {
	p, np := q.cols(), q.n*q.cols()
	coreParallel(q.n*q.o, p, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			n, o := i/q.o, i%q.o
			copy(dst[o*np+n*p:o*np+(n+1)*p], gy[i*p:(i+1)*p])
		}
	})
}

// convState is what the forward and gradient ops of one convolution node
// share. The patch (im2col) matrix is never stored: the GEMM packs its
// panels straight from the input (packCols, packRows). The input
// gradient of a stride-1 convolution is another convolution (dxConv);
// only strided ones keep a patch-matrix gradient (dcol) for col2im.
type convState struct {
	q   convGeom
	tmp []float32 // [O, N·P] for the batched product

	// dwn holds each sample's weight gradient, for weightGradHankel.
	dwn []float32

	// For stride-1 convolutions the input gradient is itself a
	// convolution: of dy with the weights flipped and transposed, padded by
	// d·(k−1) − p. dxConv is that convolution and wt its weights; nil when
	// the shortcut does not apply.
	dxConv *convState
	wt     []float32

	// Scratch of dX and dW: the patch-matrix gradient and dy as [O, N·P].
	dcol, gyT []float32

	// A strided 1-D convolution reads its patch rows from its input split
	// into stride phases, and may compute its input gradient on them: see
	// newConvState. split is the stride-1 convolution over the phases.
	split      *convState
	splitDX    bool
	xs, ws, ds []float32 // split input, weights, input gradient
}

// Variables for the tests: convSplit enables split inputs, convSplitMin
// is the least N·Lout/O at which a split convolution also computes its
// input gradient on the phases, convHankel enables weightGradHankel.
var (
	convSplit    = true
	convSplitMin = 8
	convHankel   = true // weightGradHankel
)

// newConvState returns the state of a convolution with geometry q.
//
// A 1-D convolution with stride s > 1 whose kernel and padding are
// multiples of s (SoundNet's all are) keeps its input split into s phases:
// channel c·s + r of the split input [N, C·s, ⌈W/s⌉] holds the samples
// r, r + s, r + 2s, … of channel c, so that kernel tap m·s + r reads a
// contiguous run of it. Patch rows are then copies instead of strided
// gathers, in the same order, so the output and the weight gradient keep
// their bits. When the output is long enough for it (N·Lout ≥ 8·O, as in
// SoundNet's conv1 to conv4; reordering the weights costs O·C·k per pass,
// the patch-matrix gradient C·k·N·Lout), the input gradient is the input
// gradient of the stride-1 convolution over the phases (split), itself a
// convolution, instead of a patch-matrix gradient and col2im; its sums
// then run in another order, which changes its rounding.
func newConvState(q convGeom) *convState {
	st := &convState{q: q, dxConv: q.transposedConv()}
	if convSplit && q.h == 1 && q.kh == 1 && q.sh == 1 && q.ph == 0 && q.dw == 1 && q.sw > 1 &&
		q.kw%q.sw == 0 && q.pw%q.sw == 0 {
		s := q.sw
		in := q
		in.c, in.w, in.kw, in.sw, in.pw = q.c*s, (q.w+s-1)/s, q.kw/s, 1, q.pw/s
		st.split = &convState{q: in, dxConv: in.transposedConv()}
		st.splitDX = q.n*q.ow >= convSplitMin*q.o
	}
	return st
}

// sampleSize is the length of one sample of the input the patch rows
// are read from.
func (s *convState) sampleSize() int {
	if s.split != nil {
		in := &s.split.q
		return in.c * in.h * in.w
	}
	return s.q.c * s.q.h * s.q.w
}

// patchRow is q.patchRow, read from the split input when there is one:
// row (c, m·s + r) of the convolution is row (c·s + r, m) of split.
func (s *convState) patchRow(x []float32, r, pos0, cnt int, dst []float32, stride int) {
	if s.split == nil {
		s.q.patchRow(x, r, pos0, cnt, dst, stride)
		return
	}
	q, in := &s.q, &s.split.q
	c, j := r/q.kw, r%q.kw
	s.split.q.patchRow(x, (c*q.sw+j%q.sw)*in.kw+j/q.sw, pos0, cnt, dst, stride)
}

// splitInput writes x [N, C, W] as [N, C·s, ⌈W/s⌉] (see newConvState).
func (s *convState) splitInput(x, xs []float32) {
	q, in := &s.q, &s.split.q
	st := q.sw
	coreParallel(q.n*q.c, q.w, func(lo, hi int) {
		for nc := lo; nc < hi; nc++ {
			n, c := nc/q.c, nc%q.c
			src := x[nc*q.w:][:q.w]
			for r := 0; r < st; r++ {
				dst := xs[(n*in.c+c*st+r)*in.w:][:in.w]
				u := 0
				for i := r; i < q.w; i += st {
					dst[u] = src[i]
					u++
				}
				clear(dst[u:])
			}
		}
	})
}

// joinInput writes the split gradient dxs back as dx [N, C, W], the
// inverse of splitInput.
func (s *convState) joinInput(dxs, dx []float32) {
	q, in := &s.q, &s.split.q
	st := q.sw
	coreParallel(q.n*q.c, q.w, func(lo, hi int) {
		for nc := lo; nc < hi; nc++ {
			n, c := nc/q.c, nc%q.c
			dst := dx[nc*q.w:][:q.w]
			for r := 0; r < st; r++ {
				src := dxs[(n*in.c+c*st+r)*in.w:][:in.w]
				u := 0
				for i := r; i < q.w; i += st {
					dst[i] = src[u]
					u++
				}
			}
		}
	})
}

// splitWeights writes w [O, C, k] as the weights [O, C·s, k/s] of split.
func (s *convState) splitWeights(w, ws []float32) {
	q := &s.q
	st, k := q.sw, q.kw
	for oc := 0; oc < q.o*q.c; oc++ {
		src := w[oc*k:][:k]
		dst := ws[oc*k:][:k] // the s rows of k/s taps of (o, c)
		for r := 0; r < st; r++ {
			for m := 0; m < k/st; m++ {
				dst[r*(k/st)+m] = src[m*st+r]
			}
		}
	}
}

// forward sets y = conv(x, w) without bias.
func (s *convState) forward(xv, wv, y []float32) {
	q := &s.q
	if s.split != nil {
		if s.xs == nil {
			s.xs = make([]float32, q.n*s.sampleSize())
		}
		s.splitInput(xv, s.xs)
		xv = s.xs
	}
	size := s.sampleSize()
	rows, p := q.rows(), q.cols()
	if q.batched() && !q.direct() {
		np := q.n * p
		if s.tmp == nil {
			s.tmp = make([]float32, q.o*np)
		}
		sgemmPacked(false, q.o, np, rows, wv, rows, s.packColsBatch(xv), false, s.tmp, np)
		coreParallel(q.n*q.o, p, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				n, o := i/q.o, i%q.o
				copy(y[i*p:(i+1)*p], s.tmp[o*np+n*p:o*np+(n+1)*p])
			}
		})
		return
	}
	for n := 0; n < q.n; n++ {
		yn := y[n*q.o*p : (n+1)*q.o*p]
		xn := xv[n*size : (n+1)*size]
		if q.direct() {
			sgemm(false, false, q.o, p, rows, wv, rows, xn, p, false, yn, p)
		} else {
			sgemmPacked(false, q.o, p, rows, wv, rows, s.packCols(xn), false, yn, p)
		}
	}
}

// transposedConv returns the convolution that computes dx from dy for a
// stride-1 convolution, or nil if q is strided, a 1×1 direct product, or
// padded by more than d·(k−1) (a negative padding in the transpose).
func (q *convGeom) transposedConv() *convState {
	ph, pw := q.dh*(q.kh-1)-q.ph, q.dw*(q.kw-1)-q.pw
	if q.sh != 1 || q.sw != 1 || q.direct() || ph < 0 || pw < 0 {
		return nil
	}
	return &convState{q: convGeom{n: q.n, c: q.o, h: q.oh, w: q.ow, o: q.c, kh: q.kh, kw: q.kw,
		sh: 1, sw: 1, ph: ph, pw: pw, dh: q.dh, dw: q.dw, oh: q.h, ow: q.w}}
}

// flipWeights writes w [O, C, kh, kw] as wt [C, O, kh, kw] with both
// kernel axes reversed.
func (q *convGeom) flipWeights(w, wt []float32) {
	k := q.kh * q.kw
	for o := 0; o < q.o; o++ {
		for c := 0; c < q.c; c++ {
			src := w[(o*q.c+c)*k : (o*q.c+c+1)*k]
			dst := wt[(c*q.o+o)*k : (c*q.o+o+1)*k]
			for i := range src {
				dst[k-1-i] = src[i]
			}
		}
	}
}

// convApply adds y = conv(x, w) + b to the graph; b may be nil. x has
// rank 3 ([N, C, L], with q.h = 1) or 4.
func convApply(g *Graph, name string, q convGeom, x, w, b *G.Node) (*G.Node, error) {
	st := newConvState(q)
	rank := x.Dims()
	outShape := tensor.Shape{q.n, q.o, q.oh, q.ow}
	if rank == 3 {
		outShape = tensor.Shape{q.n, q.o, q.ow}
	}
	dims := []int{rank, rank}
	if b != nil {
		dims = append(dims, 1)
	}
	op := newCoreOp(name, outShape, dims...)
	op.diffWRT = []bool{true, true, true}
	op.fwd = func(y []float32, in [][]float32) error {
		st.forward(in[0], in[1], y)
		if len(in) == 3 {
			p := q.cols()
			for n := 0; n < q.n; n++ {
				for o, bv := range in[2] {
					row := y[(n*q.o+o)*p : (n*q.o+o+1)*p]
					for i := range row {
						row[i] += bv
					}
				}
			}
		}
		return nil
	}
	op.diff = func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
		out := make(G.Nodes, len(inputs))
		var err error
		if coreNeedsGrad(g, inputs[0]) {
			out[0], err = convDX(name, st, inputs[1], grad, inputs[0].Shape())
		} else {
			out[0], err = coreZeroGrad(inputs[0])
		}
		if err != nil {
			return nil, err
		}
		if out[1], err = convDW(name, st, inputs[0], grad, inputs[1].Shape()); err != nil {
			return nil, err
		}
		if len(inputs) == 3 {
			if out[2], err = convDB(name, st, grad); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if b == nil {
		return op.apply(x, w)
	}
	return op.apply(x, w, b)
}

// convDX builds the input gradient dx: col2im(wᵀ · dy) per sample, or a
// convolution of dy (see convState).
func convDX(name string, st *convState, w, gy *G.Node, xShape tensor.Shape) (*G.Node, error) {
	op := newCoreOp(name+".dx", xShape, w.Dims(), gy.Dims())
	op.fwd = func(dx []float32, in [][]float32) error {
		st.inputGrad(in[0], in[1], dx)
		return nil
	}
	return op.apply(w, gy)
}

// inputGrad sets dx from the weights and dy.
func (st *convState) inputGrad(wv, gv, dx []float32) {
	q := &st.q
	if st.splitDX {
		if st.ds == nil {
			st.ws, st.ds = make([]float32, len(wv)), make([]float32, len(st.xs))
		}
		st.splitWeights(wv, st.ws)
		st.split.inputGrad(st.ws, gv, st.ds)
		st.joinInput(st.ds, dx)
		return
	}
	rows, p := q.rows(), q.cols()
	if st.dxConv != nil {
		if st.wt == nil {
			st.wt = make([]float32, len(wv))
		}
		q.flipWeights(wv, st.wt)
		st.dxConv.forward(gv, st.wt, dx)
		return
	}
	coreParallel(len(dx), 1, func(lo, hi int) { clear(dx[lo:hi]) })
	if q.batched() {
		np := q.n * p
		if st.dcol == nil {
			st.dcol = make([]float32, rows*np)
		}
		if st.gyT == nil {
			st.gyT = make([]float32, q.o*np)
		}
		q.gatherBatch(gv, st.gyT)
		sgemm(true, false, rows, np, q.o, wv, rows, st.gyT, np, false, st.dcol, np)
		size := q.c * q.h * q.w
		coreParallel(q.n, size*q.kh*q.kw, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				q.col2im(st.dcol[n*p:], np, dx[n*size:(n+1)*size])
			}
		})
		return
	}
	if st.dcol == nil {
		st.dcol = make([]float32, rows*p)
	}
	for n := 0; n < q.n; n++ {
		dxn := dx[n*q.c*q.h*q.w : (n+1)*q.c*q.h*q.w]
		gn := gv[n*q.o*p : (n+1)*q.o*p]
		if q.direct() {
			sgemm(true, false, rows, p, q.o, wv, rows, gn, p, false, dxn, p)
			continue
		}
		sgemm(true, false, rows, p, q.o, wv, rows, gn, p, false, st.dcol, p)
		q.col2im(st.dcol, p, dxn)
	}
}

// convDW builds dw = Σₙ dyₙ · im2col(xₙ)ᵀ.
func convDW(name string, st *convState, x, gy *G.Node, wShape tensor.Shape) (*G.Node, error) {
	op := newCoreOp(name+".dw", wShape, x.Dims(), gy.Dims())
	op.fwd = func(dw []float32, in [][]float32) error {
		st.weightGrad(in[0], in[1], dw)
		return nil
	}
	return op.apply(x, gy)
}

// weightGrad sets dw from the input and dy.
func (st *convState) weightGrad(xv, gv, dw []float32) {
	q := &st.q
	if st.split != nil {
		xv = st.xs // split by the forward pass
	}
	size := st.sampleSize()
	rows, p := q.rows(), q.cols()
	if q.batched() && !q.direct() {
		np := q.n * p
		if st.gyT == nil {
			st.gyT = make([]float32, q.o*np)
		}
		q.gatherBatch(gv, st.gyT)
		sgemmPacked(false, q.o, rows, np, st.gyT, np, st.packRowsBatch(xv), false, dw, rows)
		return
	}
	if st.weightGradHankel(xv, gv, dw) {
		return
	}
	for n := 0; n < q.n; n++ {
		gn := gv[n*q.o*p : (n+1)*q.o*p]
		xn := xv[n*size : (n+1)*size]
		if q.direct() {
			sgemm(false, true, q.o, rows, p, gn, p, xn, p, n > 0, dw, rows)
		} else {
			sgemmPacked(false, q.o, rows, p, gn, p, st.packRows(xn), n > 0, dw, rows)
		}
	}
}

// weightGradHankel is weightGrad for unbatched 1-D convolutions read at
// stride 1 (after the stride split) whose taps per input row are a
// multiple of gemmNR. It reads the patch matrix in place (sgemmHankel)
// instead of packing it, which dominates thin-input layers such as
// SoundNet's first two, and multiplies the samples side by side, one per
// core, summing their gradients in sample order: the bits do not depend
// on the number of cores. It reports whether it applied.
func (st *convState) weightGradHankel(xv, gv, dw []float32) bool {
	q, g := &st.q, &st.q
	if st.split != nil {
		g = &st.split.q
	}
	if !convHankel || q.batched() || q.direct() || g.h != 1 || g.kh != 1 || g.sw != 1 || g.dw != 1 || g.kw%gemmNR != 0 {
		return false
	}
	p, size, cols := q.cols(), st.sampleSize(), g.c*g.kw
	per := q.o * cols
	if st.dwn == nil {
		st.dwn = make([]float32, q.n*per)
	}
	// Depth panels that reach into the padding read a padded copy of
	// their part of the sample: row c of the copy for the panel at p0 is
	// the input from p0 − pw, span values long.
	span := gemmKC + g.kw - 1
	edge := make(map[[2]int][]float32) // (sample, p0) → g.c rows of span
	for p0 := 0; p0 < p; p0 += gemmKC {
		kc := min(gemmKC, p-p0)
		if p0-g.pw >= 0 && p0+kc+g.kw-1-g.pw <= g.w {
			continue
		}
		for n := 0; n < q.n; n++ {
			e := make([]float32, g.c*span)
			for c := 0; c < g.c; c++ {
				row := xv[n*size+c*g.w:][:g.w]
				for i := range span {
					if j := p0 - g.pw + i; j >= 0 && j < g.w {
						e[c*span+i] = row[j]
					}
				}
			}
			edge[[2]int{n, p0}] = e
		}
	}
	sample := func(n int, run func(m, n, k int, a []float32, lda int, b gemmHankelB, c []float32, ldc int)) {
		xn := xv[n*size : (n+1)*size]
		hankel := func(p0, j0 int) []float32 {
			c, m := j0/g.kw, j0%g.kw
			if e := edge[[2]int{n, p0}]; e != nil {
				return e[c*span+m:]
			}
			return xn[c*g.w+p0-g.pw+m:]
		}
		run(q.o, cols, p, gv[n*q.o*p:(n+1)*q.o*p], p, hankel, st.dwn[n*per:(n+1)*per], cols)
	}
	if q.n == 1 { // the product itself is split across cores
		sample(0, func(m, n, k int, a []float32, lda int, b gemmHankelB, c []float32, ldc int) {
			sgemmHankel(m, n, k, a, lda, b, false, c, ldc)
		})
	} else {
		kern := gemmPick(q.o)
		coreParallel(q.n, 1<<15, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				sample(n, func(m, n, k int, a []float32, lda int, b gemmHankelB, c []float32, ldc int) {
					gemmSerial(kern, false, 0, m, 0, n, k, a, lda, gemmB{hankel: b}, false, c, ldc)
				})
			}
		})
	}
	dws := st.dwn[:per]
	for n := 1; n < q.n; n++ {
		for i, v := range st.dwn[n*per : (n+1)*per] {
			dws[i] += v
		}
	}
	if st.split == nil {
		copy(dw, dws)
		return true
	}
	// Row (c·s + r, m) of the split weights is tap m·s + r of channel c.
	s, k := q.sw, g.kw
	for o := 0; o < q.o; o++ {
		for c := 0; c < q.c; c++ {
			dst := dw[(o*q.c+c)*q.kw:][:q.kw]
			for r := 0; r < s; r++ {
				src := dws[o*cols+(c*s+r)*k:][:k]
				for m, v := range src {
					dst[m*s+r] = v
				}
			}
		}
	}
	return true
}

// convDB builds db = Σ over batch and positions of dy, summed as
// BatchNorm sums (float32 partials, float64 total).
func convDB(name string, st *convState, gy *G.Node) (*G.Node, error) {
	q := &st.q
	op := newCoreOp(name+".db", tensor.Shape{q.o}, gy.Dims())
	op.fwd = func(db []float32, in [][]float32) error {
		p := q.cols()
		coreParallel(q.o, q.n*p, func(lo, hi int) {
			for o := lo; o < hi; o++ {
				var d float64
				for n := 0; n < q.n; n++ {
					d += bnSum(in[0][(n*q.o+o)*p:(n*q.o+o+1)*p], 0, false)
				}
				db[o] = float32(d)
			}
		})
		return nil
	}
	return op.apply(gy)
}
