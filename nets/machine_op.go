package nets

import (
	"fmt"
	"hash"
	"hash/fnv"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// coreOp is the one Gorgonia Op type behind this package's fast layers
// (convolution, pooling, batch norm, linear, activations). Shapes are fixed
// when the graph is built, so the op keeps its output tensor and reuses it
// on every pass instead of allocating: Gorgonia's TapeMachine forgets all
// values on Reset, and without reuse every training step would allocate
// (and the GC would have to reclaim) every activation and gradient.
//
// Each instance is used by one node of one graph; an instance counter in
// the hash keeps Gorgonia from merging two instances with equal inputs.
type coreOp struct {
	name    string
	id      uint64
	inDims  []int        // rank of each input
	out     tensor.Shape // output shape
	diffWRT []bool       // which inputs are differentiable; nil: none
	// fwd writes every element of out from the inputs' data.
	fwd func(out []float32, in [][]float32) error
	// diff builds the gradient nodes of the inputs (SymDiff).
	diff func(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error)

	val *tensor.Dense // reused output
	// inPlace ≥ 0: the output is written over input inPlace's tensor
	// (fwd must allow out and in[inPlace] to be the same slice), so
	// that the op holds no buffer of its own.
	inPlace int
}

var coreOpCount atomic.Uint64

func newCoreOp(name string, out tensor.Shape, inDims ...int) *coreOp {
	return &coreOp{name: name, id: coreOpCount.Add(1), inDims: inDims, out: out.Clone(), inPlace: -1}
}

// apply adds the op to the graph of its inputs.
func (op *coreOp) apply(inputs ...*G.Node) (*G.Node, error) {
	n, err := G.ApplyOp(op, inputs...)
	if err != nil {
		return nil, fmt.Errorf("nets: %s: %w", op.name, err)
	}
	return n, nil
}

func coreType(dims int) hm.Type {
	if dims == 0 {
		return tensor.Float32
	}
	return G.TensorType{Dims: dims, Of: tensor.Float32}
}

// Arity implements G.Op.
func (op *coreOp) Arity() int { return len(op.inDims) }

// Type implements G.Op.
func (op *coreOp) Type() hm.Type {
	ts := make([]hm.Type, 0, len(op.inDims)+1)
	for _, d := range op.inDims {
		ts = append(ts, coreType(d))
	}
	ts = append(ts, coreType(len(op.out)))
	return hm.NewFnType(ts...)
}

// InferShape implements G.Op.
func (op *coreOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.out.Clone(), nil }

// Do implements G.Op.
func (op *coreOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != len(op.inDims) {
		return nil, fmt.Errorf("nets: %s: %d inputs, want %d", op.name, len(vals), len(op.inDims))
	}
	in := make([][]float32, len(vals))
	for i, v := range vals {
		d, err := coreData(v)
		if err != nil {
			return nil, fmt.Errorf("nets: %s: input %d: %w", op.name, i, err)
		}
		in[i] = d
	}
	val := op.val
	if op.inPlace >= 0 {
		d, ok := vals[op.inPlace].(*tensor.Dense)
		if !ok || d.RequiresIterator() || len(in[op.inPlace]) != op.out.TotalSize() {
			return nil, fmt.Errorf("nets: %s: input %d cannot be overwritten", op.name, op.inPlace)
		}
		val = d
	} else if val == nil {
		op.val = tensor.New(tensor.WithShape(op.out...), tensor.Of(tensor.Float32))
		val = op.val
	}
	if err := op.fwd(val.Data().([]float32), in); err != nil {
		return nil, fmt.Errorf("nets: %s: %w", op.name, err)
	}
	return val, nil
}

// coreData returns the float32 data of a value in row-major order.
func coreData(v G.Value) ([]float32, error) {
	switch x := v.(type) {
	case *G.F32:
		return []float32{float32(*x)}, nil
	case tensor.Tensor:
		if x.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("dtype %v, want float32", x.Dtype())
		}
		if x.RequiresIterator() {
			if vw, ok := x.(tensor.View); ok {
				x = vw.Materialize()
			}
		}
		d, ok := x.Data().([]float32)
		if !ok {
			if f, ok := x.Data().(float32); ok {
				return []float32{f}, nil
			}
			return nil, fmt.Errorf("value of type %T", x.Data())
		}
		return d, nil
	}
	return nil, fmt.Errorf("value of type %T", v)
}

// ReturnsPtr implements G.Op.
func (op *coreOp) ReturnsPtr() bool { return true }

// CallsExtern implements G.Op.
func (op *coreOp) CallsExtern() bool { return false }

// OverwritesInput implements G.Op.
func (op *coreOp) OverwritesInput() int { return -1 }

// WriteHash implements G.Op.
func (op *coreOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "nets.%s#%d", op.name, op.id) }

// Hashcode implements G.Op.
func (op *coreOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// String implements G.Op.
func (op *coreOp) String() string { return op.name }

// DiffWRT implements G.SDOp.
func (op *coreOp) DiffWRT(n int) []bool {
	out := make([]bool, n)
	copy(out, op.diffWRT)
	return out
}

// SymDiff implements G.SDOp.
func (op *coreOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if op.diff == nil {
		return nil, fmt.Errorf("nets: %s is not differentiable", op.name)
	}
	return op.diff(inputs, output, grad)
}

// coreZeroGrad returns a node standing for the gradient of x that nobody
// reads (an input that is neither a learnable param nor asked for by the
// machine): a constant zero tensor made once, so that the expensive
// gradient of, say, the first convolution w.r.t. the audio is never
// computed.
func coreZeroGrad(x *G.Node) (*G.Node, error) {
	sh := x.Shape()
	return G.NewTensor(x.Graph(), tensor.Float32, sh.Dims(), G.WithShape(sh...),
		G.WithName("zero-grad("+x.Name()+")"), G.WithInit(G.Zeroes())), nil
}

// coreNeedsGrad reports whether the gradient of child must really be
// computed: false only for plain input nodes that g does not ask for.
func coreNeedsGrad(g *Graph, child *G.Node) bool {
	if child.Op() != nil {
		return true
	}
	return g.wantsGrad(child)
}

// coreParallel runs f over [0, n) in up to GOMAXPROCS contiguous chunks
// when the work (n items of about cost elements each) pays for the
// goroutines; otherwise it calls f(0, n).
func coreParallel(n, cost int, f func(lo, hi int)) {
	w := min(runtime.GOMAXPROCS(0), n)
	if w < 2 || n*cost < 1<<15 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		lo, hi := i*n/w, (i+1)*n/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
