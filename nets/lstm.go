package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LSTMConfig describes an LSTM as torch.nn.LSTM's constructor arguments.
type LSTMConfig struct {
	Input, Hidden int  // feature sizes of x and h
	Layers        int  // stacked layers (≥ 1)
	Bidirectional bool // add a reverse-time direction per layer
	BatchFirst    bool // x and output are [N, T, ·] instead of [T, N, ·]
}

// LSTM is torch.nn.LSTM with PyTorch's parameter names, layouts and gate
// order (input, forget, cell, output):
//
//	i = σ(W_ii x + b_ii + W_hi h + b_hi)   rows [0, H) of weight_ih_l{k} …
//	f = σ(…)  rows [H, 2H);  g = tanh(…)  rows [2H, 3H);  o = σ(…)  rows [3H, 4H)
//	c' = f⊙c + i⊙g,  h' = o⊙tanh(c')
//
// Each layer and direction is one graph node that runs the whole sequence
// (float32 GEMMs on this package's kernels) with a hand-written backward pass
// through time, so graphs stay small and compile fast. A graph is built for
// a fixed sequence length T (the T of x's shape); build one graph per
// length, or pad sequences to one length. Dropout between layers is not
// implemented (PyTorch's default 0).
type LSTM struct {
	Config LSTMConfig // sizes and options, as given to NewLSTM
	params []*Param
	// w[layer][dir] = {weight_ih, weight_hh, bias_ih, bias_hh}
	w [][][4]*Param
	// unrolled selects the reference implementation made of Gorgonia ops
	// (tests compare it with the fused op).
	unrolled bool
}

// NewLSTM returns an LSTM whose parameters are named "<name>.weight_ih_l0" …
// (no prefix when name is empty) and initialised as PyTorch does, uniformly
// in [−1/√H, 1/√H], from rng.
func NewLSTM(name string, cfg LSTMConfig, rng *rand.Rand) (*LSTM, error) {
	if cfg.Input <= 0 || cfg.Hidden <= 0 || cfg.Layers <= 0 {
		return nil, fmt.Errorf("nets: LSTM %q: input %d, hidden %d and layers %d must be positive", name, cfg.Input, cfg.Hidden, cfg.Layers)
	}
	if cfg.Hidden > maxParamValues/4 {
		return nil, fmt.Errorf("nets: LSTM %q: hidden %d too large", name, cfg.Hidden)
	}
	if err := paramSizes("LSTM", name, []int{4 * cfg.Hidden, cfg.Input}, []int{4 * cfg.Hidden, cfg.Hidden, lstmDirs(cfg)}); err != nil {
		return nil, err
	}
	l := &LSTM{Config: cfg}
	h := cfg.Hidden
	bound := 1 / math.Sqrt(float64(h))
	dirs := lstmDirs(cfg)
	for k := 0; k < cfg.Layers; k++ {
		in := cfg.Input
		if k > 0 {
			in = h * dirs
		}
		var layer [][4]*Param
		for d := 0; d < dirs; d++ {
			sfx := fmt.Sprintf("_l%d", k)
			if d == 1 {
				sfx += "_reverse"
			}
			ps := [4]*Param{
				NewParam(seqJoin(name, "weight_ih"+sfx), 4*h, in),
				NewParam(seqJoin(name, "weight_hh"+sfx), 4*h, h),
				NewParam(seqJoin(name, "bias_ih"+sfx), 4*h),
				NewParam(seqJoin(name, "bias_hh"+sfx), 4*h),
			}
			for _, p := range ps {
				Uniform(p, bound, rng)
				l.params = append(l.params, p)
			}
			layer = append(layer, ps)
		}
		l.w = append(l.w, layer)
	}
	return l, nil
}

// Params implements Module, in PyTorch's state_dict order.
func (l *LSTM) Params() []*Param { return l.params }

// Forward implements Layer: it runs the LSTM from a zero state and returns
// the output sequence, [N, T, D·H] if BatchFirst else [T, N, D·H] (D = 2
// when bidirectional, forward features first).
func (l *LSTM) Forward(g *Graph, x *G.Node) (*G.Node, error) {
	out, _, _, err := l.ForwardState(g, x, nil, nil)
	return out, err
}

// ForwardState runs the LSTM from the initial state (h0, c0), each
// [Layers·D, N, H] as in PyTorch, or from zeros when both are nil. It
// returns the output sequence and the final states h and c, each
// [Layers·D, N, H].
func (l *LSTM) ForwardState(g *Graph, x, h0, c0 *G.Node) (out, hn, cn *G.Node, err error) {
	defer seqRecover("LSTM", &err)
	cfg := l.Config
	s := x.Shape()
	want := "[T, N, input]"
	if cfg.BatchFirst {
		want = "[N, T, input]"
	}
	if s.Dims() != 3 || s[2] != cfg.Input {
		return nil, nil, nil, shapeErr("LSTM", want, s)
	}
	T, N := s[0], s[1]
	if cfg.BatchFirst {
		T, N = s[1], s[0]
		x = G.Must(G.Transpose(x, 1, 0, 2)) // time-major inside: time steps are contiguous rows
	}
	dirs, H := lstmDirs(cfg), cfg.Hidden
	if (h0 == nil) != (c0 == nil) {
		return nil, nil, nil, fmt.Errorf("nets: LSTM: give both h0 and c0 or neither")
	}
	for _, st := range []*G.Node{h0, c0} {
		if st != nil && !st.Shape().Eq(tensor.Shape{cfg.Layers * dirs, N, H}) {
			return nil, nil, nil, shapeErr("LSTM initial state", fmt.Sprintf("[%d, %d, %d]", cfg.Layers*dirs, N, H), st.Shape())
		}
	}
	inp := G.Must(Reshape(x, tensor.Shape{T * N, cfg.Input})) // [T·N, in]
	var hs, cs []*G.Node
	for k := 0; k < cfg.Layers; k++ {
		seqs := make([]*G.Node, dirs) // [T·N, H] per direction, time-major rows
		for d := 0; d < dirs; d++ {
			var h, c *G.Node
			if h0 != nil {
				h = G.Must(G.Slice(h0, G.S(k*dirs+d)))
				c = G.Must(G.Slice(c0, G.S(k*dirs+d)))
			}
			if l.unrolled {
				var outs []*G.Node
				outs, h, c = l.lstmRun(g, l.w[k][d], inp, T, N, d == 1, h, c)
				seqs[d] = G.Must(G.Concat(0, outs...))
			} else {
				seqs[d], h, c = l.lstmFused(g, l.w[k][d], inp, T, N, d == 1, h, c)
			}
			hs, cs = append(hs, h), append(cs, c)
		}
		if dirs == 1 {
			inp = seqs[0]
		} else {
			inp = G.Must(G.Concat(1, seqs...)) // [T·N, 2H], forward features first
		}
	}
	out = G.Must(Reshape(inp, tensor.Shape{T, N, dirs * H}))
	if cfg.BatchFirst {
		out = G.Must(G.Transpose(out, 1, 0, 2))
	}
	hn = G.Must(Reshape(G.Must(G.Concat(0, hs...)), tensor.Shape{cfg.Layers * dirs, N, H}))
	cn = G.Must(Reshape(G.Must(G.Concat(0, cs...)), tensor.Shape{cfg.Layers * dirs, N, H}))
	return out, hn, cn, nil
}

// lstmFused runs one direction of one layer over inp [T·N, in] as one
// lstmSeqOp node and returns the hidden sequence [T·N, H] (time-major rows)
// and the final (h, c). h and c start from the given nodes, or from zero.
func (l *LSTM) lstmFused(g *Graph, w [4]*Param, inp *G.Node, T, N int, reverse bool, h, c *G.Node) (seq, hn, cn *G.Node) {
	H := l.Config.Hidden
	st := &lstmState{T: T, N: N, In: inp.Shape()[1], H: H, reverse: reverse}
	if h == nil {
		h, c = lstmZeros(g, N, H), lstmZeros(g, N, H)
	}
	packed := G.Must(G.ApplyOp(lstmSeqOp{st: st}, inp, g.Param(w[0]), g.Param(w[1]), g.Param(w[2]), g.Param(w[3]), h, c))
	total := (T + 2) * N * H
	seq = G.Must(lstmPick(packed, 0, tensor.Shape{T * N, H}, total))
	hn = G.Must(lstmPick(packed, T*N*H, tensor.Shape{N, H}, total))
	cn = G.Must(lstmPick(packed, (T+1)*N*H, tensor.Shape{N, H}, total))
	return seq, hn, cn
}

// lstmZeros is a constant zero input node [n, h].
func lstmZeros(g *Graph, n, h int) *G.Node {
	return G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(n, h), G.WithName(fmt.Sprintf("lstm_zeros_%d", len(g.AllNodes()))),
		G.WithValue(tensor.New(tensor.WithShape(n, h), tensor.Of(tensor.Float32))))
}

// lstmRun unrolls one direction of one layer over inp [T·N, in] and returns
// h_t for every t (in time order) and the final (h, c). h and c start from
// the given nodes, or from zero when nil.
func (l *LSTM) lstmRun(g *Graph, w [4]*Param, inp *G.Node, T, N int, reverse bool, h, c *G.Node) ([]*G.Node, *G.Node, *G.Node) {
	H := l.Config.Hidden
	wih, whh := g.Param(w[0]), g.Param(w[1])
	bias := G.Must(G.Add(g.Param(w[2]), g.Param(w[3])))
	// input projections of all time steps in one product: [T·N, 4H]
	xw := G.Must(G.BroadcastAdd(G.Must(G.Mul(inp, G.Must(G.Transpose(wih)))), bias, nil, []byte{0}))
	whhT := G.Must(G.Transpose(whh))
	outs := make([]*G.Node, T)
	for s := 0; s < T; s++ {
		t := s
		if reverse {
			t = T - 1 - s
		}
		gates := G.Must(G.Slice(xw, G.S(t*N, (t+1)*N))) // [N, 4H]
		// Gorgonia drops an axis sliced to length 1
		if N == 1 {
			gates = G.Must(Reshape(gates, tensor.Shape{1, 4 * H}))
		}
		if h != nil {
			gates = G.Must(G.Add(gates, G.Must(G.Mul(h, whhT))))
		}
		i := G.Must(G.Sigmoid(lstmGate(gates, 0, H)))
		f := G.Must(G.Sigmoid(lstmGate(gates, 1, H)))
		gg := G.Must(G.Tanh(lstmGate(gates, 2, H)))
		o := G.Must(G.Sigmoid(lstmGate(gates, 3, H)))
		ig := G.Must(G.HadamardProd(i, gg))
		if c != nil {
			c = G.Must(G.Add(G.Must(G.HadamardProd(f, c)), ig))
		} else {
			c = ig
		}
		h = G.Must(G.HadamardProd(o, G.Must(G.Tanh(c))))
		outs[t] = h
	}
	return outs, h, c
}

// lstmGate returns columns [k·H, (k+1)·H) of gates [N, 4H].
func lstmGate(gates *G.Node, k, h int) *G.Node {
	n := gates.Shape()[0]
	return G.Must(Reshape(G.Must(G.Slice(gates, nil, G.S(k*h, (k+1)*h))), tensor.Shape{n, h}))
}

func lstmDirs(cfg LSTMConfig) int {
	if cfg.Bidirectional {
		return 2
	}
	return 1
}

// maxParamValues bounds the elements of one parameter tensor of a layer
// (8 GiB of float32): sizes from a configuration file
// beyond it are an error, not a wrapped or exhausted allocation.
const maxParamValues = min(1<<31, math.MaxInt/4)

// paramSizes checks that every shape has at most maxParamValues elements,
// without overflowing; dimensions are already known to be positive.
func paramSizes(layer, name string, shapes ...[]int) error {
	for _, s := range shapes {
		n := 1
		for _, d := range s {
			if d > maxParamValues/n {
				return fmt.Errorf("nets: %s %q: parameter shape %v has more than %d elements", layer, name, s, maxParamValues)
			}
			n *= d
		}
	}
	return nil
}

// seqJoin joins a module prefix and a parameter name with a dot.
func seqJoin(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
