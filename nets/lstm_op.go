package nets

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// One direction of one LSTM layer over a whole sequence as a single graph
// node, with a hand-written backward pass (BPTT). Unrolling the recurrence
// into Gorgonia ops makes ~200 nodes per time step, and Gorgonia's compiler
// is quadratic in the node count (a 2-layer BiLSTM over 50 frames took 3.4 s
// to compile); the fused op keeps the graph a few nodes per layer.
//
// Inputs: x [T·N, In] (time-major rows), weight_ih [4H, In], weight_hh
// [4H, H], bias_ih [4H], bias_hh [4H], h0 [N, H], c0 [N, H].
// Output: [(T+2)·N·H] packed as h_t for t = 0…T−1 (time order), then the
// final h and c of the pass (for the reverse direction the state after
// t = 0). lstmPickOp extracts the pieces.

// lstmState is shared by a forward op and its backward op: the forward pass
// saves what BPTT needs.
type lstmState struct {
	T, N, In, H int
	reverse     bool
	x, wih, whh []float32 // copies of the inputs of the last forward pass
	acts        []float32 // [T][N][4H] gate activations i, f, g, o (processing order)
	cs          []float32 // [T][N][H] cell state after each step (processing order)
	hprev       []float32 // [T][N][H] hidden state before each step
	cprev       []float32 // [T][N][H] cell state before each step
}

type lstmSeqOp struct{ st *lstmState }

func lstmTT(d int) G.TensorType { return G.TensorType{Dims: d, Of: tensor.Float32} }

func (op lstmSeqOp) Arity() int { return 7 }
func (op lstmSeqOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(2), lstmTT(2), lstmTT(2), lstmTT(1), lstmTT(1), lstmTT(2), lstmTT(2), lstmTT(1))
}
func (op lstmSeqOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	s := op.st
	return tensor.Shape{(s.T + 2) * s.N * s.H}, nil
}
func (op lstmSeqOp) ReturnsPtr() bool      { return false }
func (op lstmSeqOp) CallsExtern() bool     { return false }
func (op lstmSeqOp) OverwritesInput() int  { return -1 }
func (op lstmSeqOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "avlearnLSTMSeq%p", op.st) }
func (op lstmSeqOp) Hashcode() uint32      { return lstmHash(op) }
func (op lstmSeqOp) String() string        { return fmt.Sprintf("LSTMSeq{T=%d,H=%d}", op.st.T, op.st.H) }

func lstmHash(op G.Op) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// lstmF32 returns the float32 data of a value, materialising views.
func lstmF32(v G.Value, want int) ([]float32, error) {
	if d, ok := v.(*tensor.Dense); ok && d.IsView() {
		v = d.Materialize().(*tensor.Dense)
	}
	data, ok := v.Data().([]float32)
	if !ok || len(data) != want {
		return nil, fmt.Errorf("nets: LSTM: input of %T with %d values, want %d float32", v.Data(), len(data), want)
	}
	return data, nil
}

func lstmSigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// lstmGemm: c = op(a)·op(b) + beta·c for row-major a (m×k), b (k×n).
func lstmGemm(ta, tb bool, m, n, k int, a, b []float32, beta float32, c []float32) {
	tA, tB := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n
	if ta {
		tA, lda = blas.Trans, m
	}
	if tb {
		tB, ldb = blas.Trans, k
	}
	gemmBLAS{}.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, n)
}

func (op lstmSeqOp) Do(vals ...G.Value) (G.Value, error) {
	s := op.st
	T, N, In, H := s.T, s.N, s.In, s.H
	var in [7][]float32
	sizes := [7]int{T * N * In, 4 * H * In, 4 * H * H, 4 * H, 4 * H, N * H, N * H}
	for i := range in {
		d, err := lstmF32(vals[i], sizes[i])
		if err != nil {
			return nil, err
		}
		in[i] = d
	}
	s.x = append(s.x[:0], in[0]...)
	s.wih = append(s.wih[:0], in[1]...)
	s.whh = append(s.whh[:0], in[2]...)
	G4 := 4 * H
	// input projections of all steps with both biases: xw [T·N, 4H]
	xw := make([]float32, T*N*G4)
	for r := 0; r < T*N; r++ {
		row := xw[r*G4 : (r+1)*G4]
		for j := range row {
			row[j] = in[3][j] + in[4][j]
		}
	}
	lstmGemm(false, true, T*N, G4, In, s.x, s.wih, 1, xw)
	if len(s.acts) != T*N*G4 {
		s.acts = make([]float32, T*N*G4)
		s.cs = make([]float32, T*N*H)
		s.hprev = make([]float32, T*N*H)
		s.cprev = make([]float32, T*N*H)
	}
	out := make([]float32, (T+2)*N*H)
	h := append([]float32(nil), in[5]...)
	c := append([]float32(nil), in[6]...)
	for step := 0; step < T; step++ {
		t := step
		if s.reverse {
			t = T - 1 - step
		}
		a := s.acts[step*N*G4 : (step+1)*N*G4]
		copy(a, xw[t*N*G4:(t+1)*N*G4])
		lstmGemm(false, true, N, G4, H, h, s.whh, 1, a)
		copy(s.hprev[step*N*H:], h)
		copy(s.cprev[step*N*H:], c)
		for n := 0; n < N; n++ {
			g := a[n*G4 : (n+1)*G4]
			for j := 0; j < H; j++ {
				i, f := lstmSigmoid(g[j]), lstmSigmoid(g[H+j])
				gg, o := float32(math.Tanh(float64(g[2*H+j]))), lstmSigmoid(g[3*H+j])
				g[j], g[H+j], g[2*H+j], g[3*H+j] = i, f, gg, o
				cn := f*c[n*H+j] + i*gg
				c[n*H+j] = cn
				h[n*H+j] = o * float32(math.Tanh(float64(cn)))
			}
		}
		copy(s.cs[step*N*H:], c)
		copy(out[t*N*H:], h)
	}
	copy(out[T*N*H:], h)
	copy(out[(T+1)*N*H:], c)
	return tensor.New(tensor.WithShape(len(out)), tensor.WithBacking(out)), nil
}

func (op lstmSeqOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff adds one backward node computing every input gradient (packed)
// and one pick per input. The backward node takes the forward output as an
// extra child so that it is scheduled after the forward pass.
func (op lstmSeqOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	s := op.st
	bwd, err := G.ApplyOp(lstmBackOp{st: s}, output, grad)
	if err != nil {
		return nil, err
	}
	shapes := []tensor.Shape{{s.T * s.N, s.In}, {4 * s.H, s.In}, {4 * s.H, s.H}, {4 * s.H}, {4 * s.H}, {s.N, s.H}, {s.N, s.H}}
	total := lstmBackSize(s)
	out := make(G.Nodes, len(inputs))
	off := 0
	for i, sh := range shapes {
		if out[i], err = lstmPick(bwd, off, sh, total); err != nil {
			return nil, err
		}
		off += sh.TotalSize()
	}
	return out, nil
}

func lstmBackSize(s *lstmState) int {
	return s.T*s.N*s.In + 4*s.H*s.In + 4*s.H*s.H + 8*s.H + 2*s.N*s.H
}

// lstmBackOp computes, from the saved forward state and the gradient of
// the packed output, [dx, dW_ih, dW_hh, db_ih, db_hh, dh0, dc0] packed.
type lstmBackOp struct{ st *lstmState }

func (op lstmBackOp) Arity() int { return 2 }
func (op lstmBackOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(1), lstmTT(1), lstmTT(1))
}
func (op lstmBackOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{lstmBackSize(op.st)}, nil
}
func (op lstmBackOp) ReturnsPtr() bool      { return false }
func (op lstmBackOp) CallsExtern() bool     { return false }
func (op lstmBackOp) OverwritesInput() int  { return -1 }
func (op lstmBackOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "avlearnLSTMBack%p", op.st) }
func (op lstmBackOp) Hashcode() uint32      { return lstmHash(op) }
func (op lstmBackOp) String() string        { return "LSTMSeqBackward" }
func (op lstmBackOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op lstmBackOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: LSTM: second derivatives are not supported")
}

func (op lstmBackOp) Do(vals ...G.Value) (G.Value, error) {
	s := op.st
	T, N, In, H := s.T, s.N, s.In, s.H
	G4 := 4 * H
	if len(s.acts) != T*N*G4 {
		return nil, fmt.Errorf("nets: LSTM backward ran before forward")
	}
	dout, err := lstmF32(vals[1], (T+2)*N*H)
	if err != nil {
		return nil, err
	}
	res := make([]float32, lstmBackSize(s))
	dx := res[:T*N*In]
	dwih := res[T*N*In : T*N*In+G4*In]
	dwhh := res[T*N*In+G4*In : T*N*In+G4*In+G4*H]
	dbih := res[T*N*In+G4*In+G4*H : T*N*In+G4*In+G4*H+G4]
	dbhh := res[T*N*In+G4*In+G4*H+G4 : T*N*In+G4*In+G4*H+2*G4]
	dh0 := res[len(res)-2*N*H : len(res)-N*H]
	dc0 := res[len(res)-N*H:]
	dxw := make([]float32, T*N*G4) // gradient of the gate pre-activations, time order
	dh := append([]float32(nil), dout[T*N*H:(T+1)*N*H]...)
	dc := append([]float32(nil), dout[(T+1)*N*H:]...)
	for step := T - 1; step >= 0; step-- {
		t := step
		if s.reverse {
			t = T - 1 - step
		}
		a := s.acts[step*N*G4 : (step+1)*N*G4]
		cs := s.cs[step*N*H : (step+1)*N*H]
		cp := s.cprev[step*N*H : (step+1)*N*H]
		da := dxw[t*N*G4 : (t+1)*N*G4]
		dht := dout[t*N*H : (t+1)*N*H]
		for n := 0; n < N; n++ {
			g := a[n*G4 : (n+1)*G4]
			d := da[n*G4 : (n+1)*G4]
			for j := 0; j < H; j++ {
				k := n*H + j
				i, f, gg, o := g[j], g[H+j], g[2*H+j], g[3*H+j]
				tc := float32(math.Tanh(float64(cs[k])))
				dhk := dh[k] + dht[k]
				dck := dc[k] + dhk*o*(1-tc*tc)
				d[j] = dck * gg * i * (1 - i)
				d[H+j] = dck * cp[k] * f * (1 - f)
				d[2*H+j] = dck * i * (1 - gg*gg)
				d[3*H+j] = dhk * tc * o * (1 - o)
				dc[k] = dck * f
			}
		}
		// dW_hh += daᵀ·h_prev; dh = da·W_hh
		lstmGemm(true, false, G4, H, N, da, s.hprev[step*N*H:(step+1)*N*H], 1, dwhh)
		lstmGemm(false, false, N, H, G4, da, s.whh, 0, dh)
	}
	copy(dh0, dh)
	copy(dc0, dc)
	lstmGemm(true, false, G4, In, T*N, dxw, s.x, 0, dwih)
	lstmGemm(false, false, T*N, In, G4, dxw, s.wih, 0, dx)
	for r := 0; r < T*N; r++ {
		for j, v := range dxw[r*G4 : (r+1)*G4] {
			dbih[j] += v
		}
	}
	copy(dbhh, dbih)
	return tensor.New(tensor.WithShape(len(res)), tensor.WithBacking(res)), nil
}

// lstmPick returns the piece [off, off+shape.TotalSize()) of the flat node
// src (of size total) with the given shape; its gradient places the
// incoming gradient back at that offset.
func lstmPick(src *G.Node, off int, shape tensor.Shape, total int) (*G.Node, error) {
	return G.ApplyOp(lstmPickOp{off: off, shape: shape.Clone(), total: total}, src)
}

type lstmPickOp struct {
	off, total int
	shape      tensor.Shape
}

func (op lstmPickOp) Arity() int { return 1 }
func (op lstmPickOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(1), lstmTT(op.shape.Dims()))
}
func (op lstmPickOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op lstmPickOp) Do(vals ...G.Value) (G.Value, error) {
	src, err := lstmF32(vals[0], op.total)
	if err != nil {
		return nil, err
	}
	out := append([]float32(nil), src[op.off:op.off+op.shape.TotalSize()]...)
	return tensor.New(tensor.WithShape(op.shape.Clone()...), tensor.WithBacking(out)), nil
}
func (op lstmPickOp) ReturnsPtr() bool     { return false }
func (op lstmPickOp) CallsExtern() bool    { return false }
func (op lstmPickOp) OverwritesInput() int { return -1 }
func (op lstmPickOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "avlearnLSTMPick{%d,%d,%v}", op.off, op.total, op.shape)
}
func (op lstmPickOp) Hashcode() uint32     { return lstmHash(op) }
func (op lstmPickOp) String() string       { return fmt.Sprintf("Pick{%d:%v}", op.off, op.shape) }
func (op lstmPickOp) DiffWRT(n int) []bool { return []bool{true} }
func (op lstmPickOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, err := G.ApplyOp(lstmPlaceOp{lstmPickOp: op}, grad)
	return G.Nodes{n}, err
}

// lstmPlaceOp is the adjoint of lstmPickOp: zeros of size total with its
// input at the offset.
type lstmPlaceOp struct{ lstmPickOp }

func (op lstmPlaceOp) Type() hm.Type {
	return hm.NewFnType(lstmTT(op.shape.Dims()), lstmTT(1))
}
func (op lstmPlaceOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.total}, nil
}
func (op lstmPlaceOp) Do(vals ...G.Value) (G.Value, error) {
	src, err := lstmF32(vals[0], op.shape.TotalSize())
	if err != nil {
		return nil, err
	}
	out := make([]float32, op.total)
	copy(out[op.off:], src)
	return tensor.New(tensor.WithShape(op.total), tensor.WithBacking(out)), nil
}
func (op lstmPlaceOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "avlearnLSTMPlace{%d,%d,%v}", op.off, op.total, op.shape)
}
func (op lstmPlaceOp) Hashcode() uint32     { return lstmHash(op) }
func (op lstmPlaceOp) String() string       { return fmt.Sprintf("Place{%d:%v}", op.off, op.shape) }
func (op lstmPlaceOp) DiffWRT(n int) []bool { return []bool{true} }
func (op lstmPlaceOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	n, err := lstmPick(grad, op.off, op.shape, op.total)
	return G.Nodes{n}, err
}
