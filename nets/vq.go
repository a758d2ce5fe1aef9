package nets

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"math/rand"

	"github.com/chewxy/hm"
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
	K, D   int
	Beta   float64
	Weight *Param // "<name>.embedding.weight" [K, D]

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
	if beta < 0 || math.IsNaN(beta) {
		return nil, fmt.Errorf("nets: VQ %q: beta %v must be ≥ 0", name, beta)
	}
	w := NewParam(seqJoin(name, "embedding.weight"), k, d)
	for i := range w.Data {
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
}

// Codes returns the code indices of the last run.
func (o *VQOutput) Codes() ([]int, error) {
	v := o.Indices.Value()
	if v == nil {
		return nil, fmt.Errorf("nets: VQ: graph has not been run")
	}
	return seqIndices(v, o.k)
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
	flat := G.Must(G.Reshape(x, tensor.Shape{m, v.D}))
	w := g.Param(v.Weight)
	idx := G.Must(G.ApplyOp(&vqNearestOp{m: m, k: v.K, d: v.D}, flat, w))
	oh := G.Must(OneHot(idx, v.K))
	q := G.Must(G.Reshape(G.Must(G.Mul(oh, w)), s.Clone())) // gradient reaches the chosen rows only
	sx := G.Must(StopGradient(x))
	sq := G.Must(StopGradient(q))
	cb := G.Must(MSELoss(q, sx))
	cm := G.Must(MSELoss(x, sq))
	loss := G.Must(G.Add(cb, G.Must(G.Mul(cm, G.NewConstant(float32(v.Beta))))))
	st := G.Must(G.Add(x, G.Must(StopGradient(G.Must(G.Sub(q, x))))))
	g.AfterRun(func() error {
		val := idx.Value()
		if val == nil {
			return nil
		}
		codes, err := seqIndices(val, v.K)
		if err != nil {
			return err
		}
		for _, c := range codes {
			v.Usage[c]++
		}
		return nil
	})
	return &VQOutput{Quantized: st, Indices: idx, CodebookLoss: cb, CommitmentLoss: cm, Loss: loss, k: v.K}, nil
}

// vqNearestOp returns, for each row of x [M, D], the index of the nearest
// row of the codebook [K, D], as Float32. It has no gradient.
type vqNearestOp struct{ m, k, d int }

func (op *vqNearestOp) Arity() int { return 2 }
func (op *vqNearestOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: tensor.Float32}
	return hm.NewFnType(t, t, G.TensorType{Dims: 1, Of: tensor.Float32})
}
func (op *vqNearestOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.m}, nil
}
func (op *vqNearestOp) Do(vals ...G.Value) (G.Value, error) {
	x, ok1 := vals[0].Data().([]float32)
	e, ok2 := vals[1].Data().([]float32)
	if !ok1 || !ok2 || len(x) != op.m*op.d || len(e) != op.k*op.d {
		return nil, fmt.Errorf("nets: VQ nearest code: unexpected inputs")
	}
	out := make([]float32, op.m)
	for i := 0; i < op.m; i++ {
		xi := x[i*op.d : (i+1)*op.d]
		best, bestD := 0, math.Inf(1)
		for k := 0; k < op.k; k++ {
			ek := e[k*op.d : (k+1)*op.d]
			dist := 0.0
			for j, xv := range xi {
				t := float64(xv) - float64(ek[j])
				dist += t * t
			}
			if dist < bestD {
				best, bestD = k, dist
			}
		}
		out[i] = float32(best)
	}
	return tensor.New(tensor.WithShape(op.m), tensor.WithBacking(out)), nil
}
func (op *vqNearestOp) ReturnsPtr() bool     { return false }
func (op *vqNearestOp) CallsExtern() bool    { return false }
func (op *vqNearestOp) OverwritesInput() int { return -1 }
func (op *vqNearestOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "avlearnVQNearest{%d,%d,%d}", op.m, op.k, op.d)
}
func (op *vqNearestOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *vqNearestOp) String() string       { return "VQNearest" }
func (op *vqNearestOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op *vqNearestOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: VQ nearest code is not differentiable")
}

// StopGradient returns a node with x's value through which no gradient
// flows (PyTorch's x.detach() inside a graph).
func StopGradient(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(vqStopGradOp{shape: x.Shape().Clone(), dims: x.Dims()}, x)
}

// vqStopGradOp copies its input and declares itself non-differentiable, so
// Gorgonia's backward analysis treats its output like a constant.
type vqStopGradOp struct {
	shape tensor.Shape
	dims  int
}

func (op vqStopGradOp) Arity() int { return 1 }
func (op vqStopGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op vqStopGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return op.shape.Clone(), nil
}
func (op vqStopGradOp) Do(vals ...G.Value) (G.Value, error) { return G.CloneValue(vals[0]) }
func (op vqStopGradOp) ReturnsPtr() bool                    { return false }
func (op vqStopGradOp) CallsExtern() bool                   { return false }
func (op vqStopGradOp) OverwritesInput() int                { return -1 }
func (op vqStopGradOp) WriteHash(h hash.Hash)               { fmt.Fprintf(h, "avlearnStopGradient%v", op.shape) }
func (op vqStopGradOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op vqStopGradOp) String() string       { return "StopGradient" }
func (op vqStopGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op vqStopGradOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: StopGradient is not differentiable")
}
