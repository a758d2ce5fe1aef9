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

// Embedding is torch.nn.Embedding: a lookup table `weight` [Num, Dim] whose
// rows are selected by integer indices.
//
// The lookup is computed as onehot(indices) × weight, so the gradient with
// respect to weight comes from Gorgonia's matrix product (rows that were not
// selected get zero, repeated rows accumulate, as in PyTorch). The cost is
// O(len(indices)·Num·Dim), which is fine for the vocabularies of discrete
// speech units and labels used in avlearn (hundreds to a few thousand rows).
type Embedding struct {
	Num, Dim int    // table rows (vocabulary size) and row size
	Weight   *Param // "<name>.weight" [Num, Dim]
}

// NewEmbedding returns an embedding table of num rows of size dim with
// PyTorch's default initialisation, N(0, 1), drawn from rng.
func NewEmbedding(name string, num, dim int, rng *rand.Rand) (*Embedding, error) {
	if num <= 0 || dim <= 0 {
		return nil, fmt.Errorf("nets: embedding %q: num %d and dim %d must be positive", name, num, dim)
	}
	if err := paramSizes("embedding", name, []int{num, dim}); err != nil {
		return nil, err
	}
	w := NewParam(seqJoin(name, "weight"), num, dim)
	for i := range w.Data {
		if rng == nil {
			break // weights to be loaded
		}
		w.Data[i] = float32(rng.NormFloat64())
	}
	return &Embedding{Num: num, Dim: dim, Weight: w}, nil
}

// Params implements Module.
func (e *Embedding) Params() []*Param { return []*Param{e.Weight} }

// Forward looks up idx, a node of any shape holding integer indices in
// [0, Num) as Float32 (integral values) or Int; the result has idx's shape
// followed by Dim. An index out of range or not integral makes the run fail
// with an error.
func (e *Embedding) Forward(g *Graph, idx *G.Node) (*G.Node, error) {
	shp := idx.Shape()
	if shp.Dims() == 0 {
		return nil, fmt.Errorf("nets: embedding %s: indices must have at least one dimension", e.Weight.Name)
	}
	oh, err := OneHot(idx, e.Num)
	if err != nil {
		return nil, err
	}
	out, err := G.Mul(oh, g.Param(e.Weight))
	if err != nil {
		return nil, fmt.Errorf("nets: embedding %s: %w", e.Weight.Name, err)
	}
	return Reshape(out, append(append(tensor.Shape(nil), shp...), e.Dim))
}

// OneHot returns a [len(idx), classes] Float32 node whose row r is the unit
// vector of the r-th index of idx (read in row-major order). idx holds
// integer values as Float32 or Int. No gradient flows back to idx.
func OneHot(idx *G.Node, classes int) (*G.Node, error) {
	if classes <= 0 {
		return nil, fmt.Errorf("nets: one-hot: classes %d must be positive", classes)
	}
	return G.ApplyOp(embOneHotOp{classes: classes, n: idx.Shape().TotalSize()}, idx)
}

// embOneHotOp turns integer indices into one-hot rows.
type embOneHotOp struct{ classes, n int }

func (op embOneHotOp) Arity() int { return 1 }
func (op embOneHotOp) Type() hm.Type {
	return hm.NewFnType(hm.TypeVariable('a'), G.TensorType{Dims: 2, Of: tensor.Float32})
}
func (op embOneHotOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.n, op.classes}, nil
}
func (op embOneHotOp) Do(vals ...G.Value) (G.Value, error) {
	idx, err := seqIndices(vals[0], op.classes)
	if err != nil {
		return nil, fmt.Errorf("nets: one-hot: %w", err)
	}
	if len(idx) != op.n {
		return nil, fmt.Errorf("nets: one-hot: %d indices, graph built for %d", len(idx), op.n)
	}
	out := make([]float32, op.n*op.classes)
	for r, k := range idx {
		out[r*op.classes+k] = 1
	}
	return tensor.New(tensor.WithShape(op.n, op.classes), tensor.WithBacking(out)), nil
}
func (op embOneHotOp) ReturnsPtr() bool     { return false }
func (op embOneHotOp) CallsExtern() bool    { return false }
func (op embOneHotOp) OverwritesInput() int { return -1 }
func (op embOneHotOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "avlearnOneHot{%d,%d}", op.n, op.classes)
}
func (op embOneHotOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op embOneHotOp) String() string { return fmt.Sprintf("OneHot{%d}", op.classes) }

// DiffWRT marks the indices as non-differentiable, so that Gorgonia's
// symbolic differentiation skips this node instead of failing.
func (op embOneHotOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op embOneHotOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: one-hot is not differentiable")
}

// seqIndices reads integer indices from a Float32, Float64 or Int value and
// checks them against [0, classes).
func seqIndices(v G.Value, classes int) ([]int, error) {
	var out []int
	check := func(i int, f float64) error {
		if f != math.Trunc(f) || f < 0 || f >= float64(classes) {
			return fmt.Errorf("index %d is %v, want an integer in [0, %d)", i, f, classes)
		}
		out = append(out, int(f))
		return nil
	}
	switch d := v.Data().(type) {
	case []float32:
		for i, f := range d {
			if err := check(i, float64(f)); err != nil {
				return nil, err
			}
		}
	case []float64:
		for i, f := range d {
			if err := check(i, f); err != nil {
				return nil, err
			}
		}
	case []int:
		for i, f := range d {
			if err := check(i, float64(f)); err != nil {
				return nil, err
			}
		}
	case float32:
		return out, check(0, float64(d))
	case int:
		return out, check(0, float64(d))
	default:
		return nil, fmt.Errorf("indices of type %T, want float32 or int", d)
	}
	return out, nil
}
