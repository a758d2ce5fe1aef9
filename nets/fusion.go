package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
)

// Concat joins the feature vectors of several modalities along the last
// axis: [N, D1], [N, D2] … → [N, D1+D2+…] (torch.cat(xs, dim=-1)). All
// other dimensions must agree.
func Concat(xs ...*G.Node) (out *G.Node, err error) {
	defer seqRecover("Concat", &err)
	if len(xs) == 0 {
		return nil, fmt.Errorf("nets: Concat: no inputs")
	}
	s0 := xs[0].Shape()
	if s0.Dims() == 0 {
		return nil, fmt.Errorf("nets: Concat: scalar input")
	}
	for i, x := range xs[1:] {
		s := x.Shape()
		if s.Dims() != s0.Dims() || !s[:s.Dims()-1].Eq(s0[:s0.Dims()-1]) {
			return nil, fmt.Errorf("nets: Concat: input %d has shape %v, incompatible with %v", i+1, s, s0)
		}
	}
	if len(xs) == 1 {
		return xs[0], nil
	}
	return G.Concat(s0.Dims()-1, append([]*G.Node(nil), xs...)...) // Gorgonia keeps the slice
}

// GatedSum fuses N ≥ 2 modality streams of the same size D with learned,
// per-feature gates computed from all streams:
//
//	N = 2:  z = σ(W [a; b] + c),  out = z ⊙ a + (1 − z) ⊙ b        (param `gate.weight` [D, 2D], `gate.bias`)
//	N > 2:  out = Σ_i σ(W_i [x_1; …; x_N] + c_i) ⊙ x_i           (params `gates.{i}.weight` [D, N·D], `gates.{i}.bias`)
//
// matching the PyTorch modules GatedSum2 and GatedSumN of
// testdata/nets/gen_seq.py. Inputs are [batch, D].
type GatedSum struct {
	Dim, Streams int      // feature size D and number of streams N
	W, B         []*Param // gate weights and biases: one gate for two streams, one per stream otherwise
}

// NewGatedSum returns a gated fusion of streams inputs of size dim, its
// gates initialised as nn.Linear from rng.
func NewGatedSum(name string, dim, streams int, rng *rand.Rand) (*GatedSum, error) {
	if dim <= 0 || streams < 2 {
		return nil, fmt.Errorf("nets: GatedSum %q: dim %d must be positive and streams %d at least 2", name, dim, streams)
	}
	if err := paramSizes("GatedSum", name, []int{streams, dim, dim}); err != nil {
		return nil, err
	}
	f := &GatedSum{Dim: dim, Streams: streams}
	bound := 1 / math.Sqrt(float64(streams*dim))
	gates := 1
	if streams > 2 {
		gates = streams
	}
	for i := 0; i < gates; i++ {
		prefix := seqJoin(name, "gate")
		if streams > 2 {
			prefix = seqJoin(name, fmt.Sprintf("gates.%d", i))
		}
		w := NewParam(prefix+".weight", dim, streams*dim)
		b := NewParam(prefix+".bias", dim)
		Uniform(w, bound, rng)
		Uniform(b, bound, rng)
		f.W, f.B = append(f.W, w), append(f.B, b)
	}
	return f, nil
}

// Params implements Module, in state_dict order.
func (f *GatedSum) Params() []*Param {
	var ps []*Param
	for i := range f.W {
		ps = append(ps, f.W[i], f.B[i])
	}
	return ps
}

// Forward fuses xs, Streams nodes of shape [batch, Dim].
func (f *GatedSum) Forward(g *Graph, xs ...*G.Node) (out *G.Node, err error) {
	defer seqRecover("GatedSum "+f.W[0].Name, &err)
	if len(xs) != f.Streams {
		return nil, fmt.Errorf("nets: GatedSum %s: %d inputs, want %d", f.W[0].Name, len(xs), f.Streams)
	}
	for i, x := range xs {
		if s := x.Shape(); s.Dims() != 2 || s[1] != f.Dim || s[0] != xs[0].Shape()[0] {
			return nil, shapeErr(fmt.Sprintf("GatedSum %s input %d", f.W[0].Name, i), fmt.Sprintf("[%d, %d]", xs[0].Shape()[0], f.Dim), s)
		}
	}
	cat := G.Must(G.Concat(1, append([]*G.Node(nil), xs...)...)) // Gorgonia keeps the slice
	gate := func(i int) *G.Node {
		z := G.Must(G.Mul(cat, G.Must(G.Transpose(g.Param(f.W[i])))))
		return G.Must(G.Sigmoid(G.Must(G.BroadcastAdd(z, g.Param(f.B[i]), nil, []byte{0}))))
	}
	if f.Streams == 2 {
		// z⊙a + (1−z)⊙b = b + z⊙(a − b)
		z := gate(0)
		return G.Add(xs[1], G.Must(G.HadamardProd(z, G.Must(G.Sub(xs[0], xs[1])))))
	}
	for i, x := range xs {
		term := G.Must(G.HadamardProd(gate(i), x))
		if out == nil {
			out = term
		} else {
			out = G.Must(G.Add(out, term))
		}
	}
	return out, nil
}
