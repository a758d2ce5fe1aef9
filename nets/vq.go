package nets

import (
	"fmt"
	"math"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// VQ is the vector quantiser of VQ-VAE (van den Oord et al., 2017) that
// turns continuous features into discrete units: each D-dimensional input
// vector is replaced by its nearest (L2) row of the codebook
// `embedding.weight` [K, D].
//
// The PyTorch reference is the usual VQ-VAE module (see
// testdata/nets/gen_seq.py): quantised = x + stopgrad(q − x) passes the
// gradient straight through to x; the codebook loss mean((q − stopgrad(x))²)
// trains the codebook, the commitment loss mean((x − stopgrad(q))²) keeps the
// encoder close to its codes, and Loss = codebook + Beta·commitment.
type VQ struct {
	K, D   int     // number of codes and code dimension
	Beta   float64 // commitment-loss weight
	Weight *Param  // "<name>.embedding.weight" [K, D]

	// Usage counts how often each code was chosen over all runs of graphs
	// built by Forward since the last ResetUsage.
	Usage []int64
}

// NewVQ returns a quantiser with k codes of dimension d and commitment
// weight beta (0.25 in the paper), its codebook drawn uniformly from
// [−1/k, 1/k] as in the reference implementation.
func NewVQ(name string, k, d int, beta float64, rng *rand.Rand) (*VQ, error) {
	if k <= 0 || d <= 0 {
		return nil, fmt.Errorf("nets: VQ %q: codes %d and dim %d must be positive", name, k, d)
	}
	if err := paramSizes("VQ", name, []int{k, d}); err != nil {
		return nil, err
	}
	if beta < 0 || math.IsNaN(beta) {
		return nil, fmt.Errorf("nets: VQ %q: beta %v must be ≥ 0", name, beta)
	}
	w := NewParam(seqJoin(name, "embedding.weight"), k, d)
	for i := range w.Data {
		if rng == nil {
			break // weights to be loaded
		}
		w.Data[i] = float32((2*rng.Float64() - 1) / float64(k))
	}
	return &VQ{K: k, D: d, Beta: beta, Weight: w, Usage: make([]int64, k)}, nil
}

// Params implements Module.
func (v *VQ) Params() []*Param { return []*Param{v.Weight} }

// ResetUsage clears Usage.
func (v *VQ) ResetUsage() {
	for i := range v.Usage {
		v.Usage[i] = 0
	}
}

// VQOutput holds the nodes made by VQ.Forward.
type VQOutput struct {
	Quantized      *G.Node // x's shape; forward value q, gradient straight through to x
	Indices        *G.Node // [M] code index per input vector (Float32 holding integers)
	CodebookLoss   *G.Node // mean((q − stopgrad(x))²)
	CommitmentLoss *G.Node // mean((x − stopgrad(q))²)
	Loss           *G.Node // CodebookLoss + Beta·CommitmentLoss
	k              int
	codes          *Watch
}

// Codes returns the code indices of the last run (read through a Watch,
// since Indices' own memory may be reused by later ops of the pass).
func (o *VQOutput) Codes() ([]int, error) {
	d, err := o.codes.Value()
	if err != nil {
		return nil, fmt.Errorf("nets: VQ: %w", err)
	}
	return seqIndices(tensor.New(tensor.WithBacking(d)), o.k)
}

// Perplexity is exp(−Σ p log p) of the code frequencies p of the last run:
// K when all codes are used equally, 1 when a single code is used.
func (o *VQOutput) Perplexity() (float64, error) {
	codes, err := o.Codes()
	if err != nil {
		return 0, err
	}
	return CodePerplexity(codes, o.k), nil
}

// CodePerplexity is exp(−Σ p log p) of the frequencies of codes in [0, k).
func CodePerplexity(codes []int, k int) float64 {
	if len(codes) == 0 {
		return 0
	}
	counts := make([]float64, k)
	for _, c := range codes {
		counts[c]++
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := c / float64(len(codes))
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h)
}

// Forward quantises x [..., D] (channel-last: permute [N, C, H, W] feature
// maps to [N, H, W, C] first, as the reference does). The nearest code is
// found in float64 arithmetic; ties go to the lowest index, as torch.argmin.
func (v *VQ) Forward(g *Graph, x *G.Node) (out *VQOutput, err error) {
	defer seqRecover("VQ "+v.Weight.Name, &err)
	s := x.Shape()
	if s.Dims() < 1 || s[s.Dims()-1] != v.D {
		return nil, shapeErr("VQ "+v.Weight.Name, fmt.Sprintf("[..., %d]", v.D), s)
	}
	m := s.TotalSize() / v.D
	flat := G.Must(Reshape(x, tensor.Shape{m, v.D}))
	w := g.Param(v.Weight)
	idx := G.Must(G.ApplyOp(&vqNearestOp{m: m, k: v.K, d: v.D}, flat, w))
	oh := G.Must(OneHot(idx, v.K))
	q := G.Must(Reshape(G.Must(G.Mul(oh, w)), s.Clone())) // gradient reaches the chosen rows only
	sx := G.Must(StopGradient(x))
	sq := G.Must(StopGradient(q))
	cb := G.Must(MSELoss(q, sx))
	cm := G.Must(MSELoss(x, sq))
	loss := G.Must(G.Add(cb, G.Must(G.Mul(cm, G.NewConstant(float32(v.Beta))))))
	st := G.Must(G.Add(x, G.Must(StopGradient(G.Must(G.Sub(q, x))))))
	watch, err := NewWatch(idx)
	if err != nil {
		return nil, err
	}
	out = &VQOutput{Quantized: st, Indices: idx, CodebookLoss: cb, CommitmentLoss: cm, Loss: loss, k: v.K, codes: watch}
	g.AfterRun(func() error {
		codes, err := out.Codes()
		if err != nil {
			return err
		}
		for _, c := range codes {
			v.Usage[c]++
		}
		return nil
	})
	return out, nil
}
