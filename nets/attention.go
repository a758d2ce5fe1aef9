package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// AdditiveAttention is Bahdanau-style attention for sequence decoders:
//
//	score_t = vᵀ tanh(W_q q + W_k k_t + b_k),  α = softmax_t(score),  context = Σ_t α_t k_t
//
// for a query q [N, Dq] (the decoder state) and keys k [N, T, Dk] (the
// encoder outputs, which also serve as values). Parameters follow the
// PyTorch module AdditiveAttention in testdata/nets/gen_seq.py, built from
// nn.Linear layers: `query.weight` [A, Dq] (no bias), `key.weight` [A, Dk],
// `key.bias` [A], `v.weight` [1, A] (no bias). ForwardMasked leaves padded
// key positions out of the softmax.
type AdditiveAttention struct {
	Query, Key, Attn int    // sizes Dq, Dk and A
	QueryW, KeyW     *Param // "query.weight" [A, Dq], "key.weight" [A, Dk]
	KeyB, V          *Param // "key.bias" [A], "v.weight" [1, A]
}

// NewAdditiveAttention returns attention from queries of size dq over keys
// of size dk through a hidden size da, initialised as nn.Linear
// (U(±1/√fan_in) for weights and biases) from rng.
func NewAdditiveAttention(name string, dq, dk, da int, rng *rand.Rand) (*AdditiveAttention, error) {
	if dq <= 0 || dk <= 0 || da <= 0 {
		return nil, fmt.Errorf("nets: AdditiveAttention %q: sizes %d, %d, %d must be positive", name, dq, dk, da)
	}
	if err := paramSizes("AdditiveAttention", name, []int{da, dq}, []int{da, dk}); err != nil {
		return nil, err
	}
	a := &AdditiveAttention{
		Query: dq, Key: dk, Attn: da,
		QueryW: NewParam(seqJoin(name, "query.weight"), da, dq),
		KeyW:   NewParam(seqJoin(name, "key.weight"), da, dk),
		KeyB:   NewParam(seqJoin(name, "key.bias"), da),
		V:      NewParam(seqJoin(name, "v.weight"), 1, da),
	}
	Uniform(a.QueryW, 1/math.Sqrt(float64(dq)), rng)
	Uniform(a.KeyW, 1/math.Sqrt(float64(dk)), rng)
	Uniform(a.KeyB, 1/math.Sqrt(float64(dk)), rng)
	Uniform(a.V, 1/math.Sqrt(float64(da)), rng)
	return a, nil
}

// Params implements Module, in state_dict order.
func (a *AdditiveAttention) Params() []*Param {
	return []*Param{a.QueryW, a.KeyW, a.KeyB, a.V}
}

// Forward returns the context [N, Dk] and the attention weights α [N, T]
// for query q [N, Dq] and keys k [N, T, Dk]. To read α after a training
// pass, watch it (NewWatch) before making the machine.
func (a *AdditiveAttention) Forward(g *Graph, q, k *G.Node) (context, weights *G.Node, err error) {
	return a.ForwardMasked(g, q, k, nil)
}

// ForwardMasked is Forward with a padding mask [N, T] (Float32, 1 = key
// present, 0 = padding): padded positions get weight exactly 0, as
// scores.masked_fill(mask == 0, −inf) does in PyTorch. Every row needs at
// least one 1. A nil mask attends to all keys.
func (a *AdditiveAttention) ForwardMasked(g *Graph, q, k, mask *G.Node) (context, weights *G.Node, err error) {
	kp, err := a.ProjectKeys(g, k)
	if err != nil {
		return nil, nil, err
	}
	return a.ForwardProjected(g, q, k, kp, mask)
}

// ProjectKeys returns W_k k_t + b_k [N, T, A] for keys k [N, T, Dk]: the
// part of the scores that does not depend on the query, which a decoder
// attending to the same keys at every step computes once
// (ForwardProjected).
func (a *AdditiveAttention) ProjectKeys(g *Graph, k *G.Node) (kp *G.Node, err error) {
	defer seqRecover("AdditiveAttention "+a.QueryW.Name, &err)
	ks := k.Shape()
	if ks.Dims() != 3 || ks[2] != a.Key {
		return nil, shapeErr("AdditiveAttention keys", fmt.Sprintf("[N, T, %d]", a.Key), ks)
	}
	n, t := ks[0], ks[1]
	kp = G.Must(G.Mul(G.Must(Reshape(k, tensor.Shape{n * t, a.Key})), G.Must(G.Transpose(g.Param(a.KeyW)))))
	kp = G.Must(G.BroadcastAdd(kp, g.Param(a.KeyB), nil, []byte{0}))
	return G.Must(Reshape(kp, tensor.Shape{n, t, a.Attn})), nil
}

// ForwardProjected is ForwardMasked with the keys' projection kp
// (ProjectKeys of k) given.
func (a *AdditiveAttention) ForwardProjected(g *Graph, q, k, kp, mask *G.Node) (context, weights *G.Node, err error) {
	defer seqRecover("AdditiveAttention "+a.QueryW.Name, &err)
	qs, ks := q.Shape(), k.Shape()
	if qs.Dims() != 2 || qs[1] != a.Query {
		return nil, nil, shapeErr("AdditiveAttention query", fmt.Sprintf("[N, %d]", a.Query), qs)
	}
	if ks.Dims() != 3 || ks[0] != qs[0] || ks[2] != a.Key {
		return nil, nil, shapeErr("AdditiveAttention keys", fmt.Sprintf("[%d, T, %d]", qs[0], a.Key), ks)
	}
	n, t := ks[0], ks[1]
	if !kp.Shape().Eq(tensor.Shape{n, t, a.Attn}) {
		return nil, nil, shapeErr("AdditiveAttention projected keys", fmt.Sprintf("[%d, %d, %d]", n, t, a.Attn), kp.Shape())
	}
	qp := G.Must(G.Mul(q, G.Must(G.Transpose(g.Param(a.QueryW))))) // [N, A]
	e := G.Must(G.Tanh(G.Must(G.BroadcastAdd(kp, qp, nil, []byte{1}))))
	score := G.Must(G.Mul(G.Must(Reshape(e, tensor.Shape{n * t, a.Attn})), G.Must(G.Transpose(g.Param(a.V)))))
	score = G.Must(Reshape(score, tensor.Shape{n, t}))
	if mask != nil {
		if !mask.Shape().Eq(tensor.Shape{n, t}) {
			return nil, nil, shapeErr("AdditiveAttention mask", fmt.Sprintf("[%d, %d]", n, t), mask.Shape())
		}
		// (mask − 1)·1e9 is 0 where present and −1e9 at padding, whose
		// exp underflows to exactly 0 after the max is subtracted.
		pen := G.Must(G.Mul(G.Must(G.Sub(mask, G.NewConstant(float32(1)))), G.NewConstant(float32(1e9))))
		score = G.Must(G.Add(score, pen))
	}
	weights = G.Must(Softmax(score))
	ctx := G.Must(G.BroadcastHadamardProd(k, weights, nil, []byte{2}))
	return G.Must(G.Sum(ctx, 1)), weights, nil
}
