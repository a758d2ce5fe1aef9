package nets

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

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

// Watch keeps a copy of a node's value as computed in each run.
//
// Gorgonia's tape machine reuses the memory of intermediate values once
// their last consumer has run, and element-wise ops of the backward pass
// may write their result over an input; so reading n.Value() after a
// training pass can return another node's numbers. A Watch copies the value
// while it is valid (the copy is one more consumer of n), so Value is
// always the forward value of the last run.
type Watch struct {
	op *watchOp
}

// NewWatch adds a watch on the Float32 node n to n's graph. Make watches
// before building the machine that runs the graph.
func NewWatch(n *G.Node) (*Watch, error) {
	if n.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("nets: Watch: node %v has dtype %v, want float32", n, n.Dtype())
	}
	op := &watchOp{shape: n.Shape().Clone()}
	if _, err := G.ApplyOp(op, n); err != nil {
		return nil, fmt.Errorf("nets: Watch: %w", err)
	}
	return &Watch{op: op}, nil
}

// Value returns a copy of the watched value from the last run.
func (w *Watch) Value() ([]float32, error) {
	if w.op.data == nil {
		return nil, fmt.Errorf("nets: Watch: graph has not been run")
	}
	return append([]float32(nil), w.op.data...), nil
}

// Shape is the watched node's shape.
func (w *Watch) Shape() tensor.Shape { return w.op.shape.Clone() }

// watchOp copies its input into data and outputs a scalar; it has no
// gradient and nothing consumes its output.
type watchOp struct {
	shape tensor.Shape
	data  []float32
}

func (op *watchOp) Arity() int { return 1 }
func (op *watchOp) Type() hm.Type {
	return hm.NewFnType(hm.TypeVariable('a'), tensor.Float32)
}
func (op *watchOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }
func (op *watchOp) Do(vals ...G.Value) (G.Value, error) {
	var src []float32
	switch d := vals[0].Data().(type) {
	case []float32:
		src = d
	case float32:
		src = []float32{d}
	default:
		return nil, fmt.Errorf("nets: Watch: value of type %T", d)
	}
	op.data = append(op.data[:0], src...)
	return G.NewF32(0), nil
}
func (op *watchOp) ReturnsPtr() bool     { return false }
func (op *watchOp) CallsExtern() bool    { return false }
func (op *watchOp) OverwritesInput() int { return -1 }

// WriteHash makes every watch distinct (it carries its own buffer), so
// Gorgonia never merges two of them.
func (op *watchOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "avlearnWatch%p", op) }
func (op *watchOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *watchOp) String() string       { return "Watch" }
func (op *watchOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op *watchOp) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("nets: Watch is not differentiable")
}
