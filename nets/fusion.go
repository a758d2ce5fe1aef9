package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
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

// Fusion over a variable set of streams. The blocks below take the
// streams together with a stream mask [N, S] (Float32, 1 = the stream is
// present in that example, 0 = missing): a missing stream gets weight
// exactly 0 and the weights of the others are renormalised, so a caller
// never fills a missing stream by hand. An example with every stream
// missing fuses to zeros.

// maskPenalty is added to the scores of missing streams: exp underflows
// to exactly 0 once softmax subtracts the row's maximum.
const maskPenalty = 1e9

// MaskedSoftmax returns the weights of S streams from their scores
// [N, S] and the stream mask [N, S]: mask ⊙ softmax(scores + (mask − 1)·1e9),
// so a missing stream weighs 0, the present ones sum to 1, and a row with
// no stream present is all zeros.
func MaskedSoftmax(scores, mask *G.Node) (w *G.Node, err error) {
	defer seqRecover("MaskedSoftmax", &err)
	if s := scores.Shape(); s.Dims() != 2 || !mask.Shape().Eq(s) {
		return nil, shapeErr("MaskedSoftmax mask", fmt.Sprint(scores.Shape()), mask.Shape())
	}
	pen := G.Must(G.Mul(G.Must(G.Sub(mask, G.NewConstant(float32(1)))), G.NewConstant(float32(maskPenalty))))
	sm := G.Must(Softmax(G.Must(G.Add(scores, pen))))
	return G.HadamardProd(sm, mask)
}

// checkStreams checks that mask is [N, len(xs)] and every stream [N, dim]
// (any width when dim is 0).
func checkStreams(layer string, mask *G.Node, dim int, xs []*G.Node) error {
	if len(xs) == 0 {
		return fmt.Errorf("nets: %s: no streams", layer)
	}
	n := xs[0].Shape()[0]
	if ms := mask.Shape(); ms.Dims() != 2 || ms[0] != n || ms[1] != len(xs) {
		return shapeErr(layer+" mask", fmt.Sprintf("[%d, %d]", n, len(xs)), ms)
	}
	for i, x := range xs {
		s := x.Shape()
		if s.Dims() != 2 || s[0] != n || (dim > 0 && s[1] != dim) {
			want := fmt.Sprintf("[%d, D]", n)
			if dim > 0 {
				want = fmt.Sprintf("[%d, %d]", n, dim)
			}
			return shapeErr(fmt.Sprintf("%s stream %d", layer, i), want, s)
		}
	}
	return nil
}

// maskColumn returns column s of mask [N, S] as [N, 1], as mask times a
// one-hot column (Gorgonia's slicing fails at run time on a batch of one).
func maskColumn(mask *G.Node, s int) *G.Node {
	k := mask.Shape()[1]
	e := make([]float32, k)
	e[s] = 1
	return G.Must(G.Mul(mask, G.NewConstant(tensor.New(tensor.WithShape(k, 1), tensor.WithBacking(e)))))
}

// weightedSum returns Σ_s w[:, s] ⊙ x_s for streams [N, D] and weights [N, S].
func weightedSum(w *G.Node, xs []*G.Node) *G.Node {
	n, d := xs[0].Shape()[0], xs[0].Shape()[1]
	stack := xs[0]
	if len(xs) > 1 {
		stack = G.Must(G.Concat(1, append([]*G.Node(nil), xs...)...))
	}
	stack = G.Must(Reshape(stack, tensor.Shape{n, len(xs), d}))
	return G.Must(G.Sum(G.Must(G.BroadcastHadamardProd(stack, w, nil, []byte{2})), 1))
}

// EarlyFusion concatenates the streams xs ([N, D_s] each) with each one
// multiplied by its mask column, followed by the mask itself:
// [m_1 x_1; …; m_S x_S; m] of width ΣD_s + S, so the layer after it sees
// which streams are missing rather than mistaking zeros for a signal.
func EarlyFusion(mask *G.Node, xs ...*G.Node) (out *G.Node, err error) {
	defer seqRecover("EarlyFusion", &err)
	if err := checkStreams("EarlyFusion", mask, 0, xs); err != nil {
		return nil, err
	}
	parts := make([]*G.Node, 0, len(xs)+1)
	for s, x := range xs {
		parts = append(parts, G.Must(G.BroadcastHadamardProd(x, maskColumn(mask, s), nil, []byte{1})))
	}
	return G.Concat(1, append(parts, mask)...)
}

// LateFusion fuses the logits [N, C] of S per-stream classifiers into one
// [N, C]: a weighted average Σ_s α_s logits_s with α = MaskedSoftmax(w, mask)
// for one weight per stream. With learned weights, "weight" [S] is a
// parameter (initialised to 0, the plain average); without, w = 0 and the
// block is the average over the present streams.
type LateFusion struct {
	Streams int
	Weight  *Param // "<name>.weight" [S]; nil for the plain average
}

// NewLateFusion returns late fusion of streams classifiers' logits, with
// learned stream weights when learned is set.
func NewLateFusion(name string, streams int, learned bool) (*LateFusion, error) {
	if streams < 1 {
		return nil, fmt.Errorf("nets: LateFusion %q: streams %d, want at least 1", name, streams)
	}
	f := &LateFusion{Streams: streams}
	if learned {
		f.Weight = NewParam(seqJoin(name, "weight"), streams)
	}
	return f, nil
}

// Params implements Module.
func (f *LateFusion) Params() []*Param {
	if f.Weight == nil {
		return nil
	}
	return []*Param{f.Weight}
}

// Forward fuses logits (Streams nodes [N, C]) under mask [N, Streams] and
// returns the fused logits and the stream weights α [N, Streams].
func (f *LateFusion) Forward(g *Graph, mask *G.Node, logits ...*G.Node) (out, weights *G.Node, err error) {
	defer seqRecover("LateFusion", &err)
	if len(logits) != f.Streams {
		return nil, nil, fmt.Errorf("nets: LateFusion: %d streams, want %d", len(logits), f.Streams)
	}
	if err := checkStreams("LateFusion", mask, logits[0].Shape()[1], logits); err != nil {
		return nil, nil, err
	}
	scores := G.Must(G.Mul(mask, G.NewConstant(float32(0)))) // zeros [N, S] on mask's graph
	if f.Weight != nil {
		w := G.Must(Reshape(g.Param(f.Weight), tensor.Shape{1, f.Streams}))
		scores = G.Must(G.BroadcastAdd(scores, w, nil, []byte{0}))
	}
	weights = G.Must(MaskedSoftmax(scores, mask))
	return weightedSum(weights, logits), weights, nil
}

// GatedFusion fuses S streams of size D with weights computed from all of
// them: z = gate([m_1 x_1; …; m_S x_S]) (a Linear "gate" [S, S·D]),
// α = MaskedSoftmax(z, mask), out = Σ_s α_s x_s. A missing stream reaches
// neither the gate nor the sum. (GatedSum is the per-feature gate without
// a mask.)
type GatedFusion struct {
	Dim, Streams int
	Gate         *Linear // "<name>.gate"
}

// NewGatedFusion returns gated fusion of streams inputs of size dim, its
// gate initialised as nn.Linear from rng.
func NewGatedFusion(name string, dim, streams int, rng *rand.Rand) (*GatedFusion, error) {
	if dim <= 0 || streams < 1 {
		return nil, fmt.Errorf("nets: GatedFusion %q: dim %d and streams %d must be positive", name, dim, streams)
	}
	gate, err := NewLinear(seqJoin(name, "gate"), streams*dim, streams, true, rng)
	if err != nil {
		return nil, err
	}
	return &GatedFusion{Dim: dim, Streams: streams, Gate: gate}, nil
}

// Params implements Module.
func (f *GatedFusion) Params() []*Param { return f.Gate.Params() }

// Forward fuses xs (Streams nodes [N, Dim]) under mask [N, Streams] and
// returns the fused [N, Dim] and the stream weights α [N, Streams].
func (f *GatedFusion) Forward(g *Graph, mask *G.Node, xs ...*G.Node) (out, weights *G.Node, err error) {
	defer seqRecover("GatedFusion "+f.Gate.Weight.Name, &err)
	if len(xs) != f.Streams {
		return nil, nil, fmt.Errorf("nets: GatedFusion %s: %d streams, want %d", f.Gate.Weight.Name, len(xs), f.Streams)
	}
	if err := checkStreams("GatedFusion", mask, f.Dim, xs); err != nil {
		return nil, nil, err
	}
	masked := make([]*G.Node, len(xs))
	for s, x := range xs {
		masked[s] = G.Must(G.BroadcastHadamardProd(x, maskColumn(mask, s), nil, []byte{1}))
	}
	in := masked[0]
	if len(xs) > 1 {
		in = G.Must(G.Concat(1, masked...))
	}
	z, err := f.Gate.Forward(g, in)
	if err != nil {
		return nil, nil, err
	}
	weights = G.Must(MaskedSoftmax(z, mask))
	return weightedSum(weights, xs), weights, nil
}

// AttentionFusion fuses any number of streams of size D by attention:
// each stream scores itself, score_s = vᵀ tanh(W x_s + b) ("key" Linear
// [A, D], "v.weight" [1, A], shared by all streams), α =
// MaskedSoftmax(score, mask), out = Σ_s α_s x_s. The weights are shared,
// so one block takes any number of streams.
type AttentionFusion struct {
	Dim, Attn int
	Key       *Linear // "<name>.key"
	V         *Param  // "<name>.v.weight" [1, A]
}

// NewAttentionFusion returns attention fusion of streams of size dim
// through a hidden size attn, initialised as nn.Linear from rng.
func NewAttentionFusion(name string, dim, attn int, rng *rand.Rand) (*AttentionFusion, error) {
	if dim <= 0 || attn <= 0 {
		return nil, fmt.Errorf("nets: AttentionFusion %q: sizes %d and %d must be positive", name, dim, attn)
	}
	key, err := NewLinear(seqJoin(name, "key"), dim, attn, true, rng)
	if err != nil {
		return nil, err
	}
	v := NewParam(seqJoin(name, "v.weight"), 1, attn)
	Uniform(v, 1/math.Sqrt(float64(attn)), rng)
	return &AttentionFusion{Dim: dim, Attn: attn, Key: key, V: v}, nil
}

// Params implements Module, in state_dict order.
func (f *AttentionFusion) Params() []*Param { return append(f.Key.Params(), f.V) }

// Forward fuses xs (S nodes [N, Dim]) under mask [N, S] and returns the
// fused [N, Dim] and the stream weights α [N, S].
func (f *AttentionFusion) Forward(g *Graph, mask *G.Node, xs ...*G.Node) (out, weights *G.Node, err error) {
	defer seqRecover("AttentionFusion "+f.Key.Weight.Name, &err)
	if err := checkStreams("AttentionFusion", mask, f.Dim, xs); err != nil {
		return nil, nil, err
	}
	v := G.Must(G.Transpose(g.Param(f.V))) // [A, 1]
	scores := make([]*G.Node, len(xs))
	for s, x := range xs {
		k, err := f.Key.Forward(g, x)
		if err != nil {
			return nil, nil, err
		}
		scores[s] = G.Must(G.Mul(G.Must(Tanh(k)), v)) // [N, 1]
	}
	score := scores[0]
	if len(xs) > 1 {
		score = G.Must(G.Concat(1, scores...))
	}
	weights = G.Must(MaskedSoftmax(score, mask))
	return weightedSum(weights, xs), weights, nil
}
