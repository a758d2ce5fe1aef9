package nets

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Machine runs one Graph on one reused Gorgonia TapeMachine: a forward
// pass, and a backward pass when the machine was made with a loss.
//
// Build the graph once, make one Machine for it, and call Run once per
// batch; the compiled program is reused. The machine never binds dual
// values (that path grows a closure queue on every pass in Gorgonia
// v0.9.18), and the layers of this package avoid Gorgonia's stateful
// BatchNorm and Dropout ops, which reset their state for each new machine
// and seed from the clock.
//
// The layers' ops keep their output and scratch buffers from pass to pass,
// so one Graph must not be run by two machines at the same time; build one
// graph per goroutine (they can share the Params).
type Machine struct {
	g      *Graph
	vm     G.VM
	loss   *G.Node
	params []*Param  // learnable params that reach the loss
	pgrads []*G.Node // their gradient nodes, same order
	wrt    []*G.Node // extra nodes whose gradients the caller asked for
	wgrads []*G.Node // their gradient nodes
	inputs []*G.Node // nodes fed by Let, for shape checks
	closed bool
}

// NewMachine compiles g. With loss nil the machine only runs forward
// (inference). Otherwise loss must be a scalar; the gradients of every
// learnable Param of g that the loss depends on are computed on each Run
// and stored in Param.Grad, and wrt names extra nodes (inputs, say) whose
// gradients the caller wants to read with Grad.
func NewMachine(g *Graph, loss *G.Node, wrt ...*G.Node) (m *Machine, err error) {
	if g == nil {
		return nil, fmt.Errorf("nets: NewMachine: nil graph")
	}
	m = &Machine{g: g, loss: loss}
	defer func() {
		// Gorgonia panics on some malformed graphs while compiling.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("nets: NewMachine: %v", r)
		}
	}()
	if loss != nil {
		if !loss.IsScalar() {
			return nil, fmt.Errorf("nets: NewMachine: loss %q has shape %v, want a scalar", loss.Name(), loss.Shape())
		}
		reach := machineReachable(g, loss)
		ns, ps := g.LearnableNodes()
		var nodes []*G.Node
		for i, n := range ns {
			if reach[n.ID()] {
				nodes = append(nodes, n)
				m.params = append(m.params, ps[i])
			}
		}
		for _, n := range wrt {
			if n == nil || !reach[n.ID()] {
				return nil, fmt.Errorf("nets: NewMachine: loss does not depend on wrt node %v", n)
			}
		}
		m.wrt = wrt
		nodes = append(nodes, wrt...)
		if len(nodes) > 0 {
			if g.wanted == nil {
				g.wanted = map[*G.Node]bool{}
			}
			for _, n := range wrt {
				g.wanted[n] = true
			}
			grads, err := G.Grad(loss, nodes...)
			if err != nil {
				return nil, fmt.Errorf("nets: NewMachine: gradients: %w", err)
			}
			m.pgrads = grads[:len(m.params)]
			m.wgrads = grads[len(m.params):]
		}
	} else if len(wrt) > 0 {
		return nil, fmt.Errorf("nets: NewMachine: gradients requested without a loss")
	}
	m.vm = G.NewTapeMachine(g.ExprGraph)
	return m, nil
}

// machineReachable returns the IDs of every node the given node depends on.
func machineReachable(g *Graph, from *G.Node) map[int64]bool {
	seen := map[int64]bool{from.ID(): true}
	stack := []int64{from.ID()}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it := g.From(id)
		for it.Next() {
			c := it.Node().ID()
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}

// Graph returns the graph the machine runs.
func (m *Machine) Graph() *Graph { return m.g }

// Params returns the learnable params whose gradients Run computes, in
// binding order.
func (m *Machine) Params() []*Param { return m.params }

// Run performs one pass: the graph's before-run hooks, the forward (and
// backward) computation, then it SETS each Param.Grad to the gradient of
// this pass (it does not accumulate across passes; sum them yourself to
// accumulate), then the after-run hooks (running statistics and the like).
// Node values stay readable until the next Run.
func (m *Machine) Run() (err error) {
	if m.closed {
		return fmt.Errorf("nets: Machine.Run: machine is closed")
	}
	if err := m.g.RunBefore(); err != nil {
		return err
	}
	defer m.vm.Reset()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("nets: Machine.Run: %v", r)
		}
	}()
	if err := m.vm.RunAll(); err != nil {
		return fmt.Errorf("nets: Machine.Run: %w", err)
	}
	for i, p := range m.params {
		v := m.pgrads[i].Value()
		if v == nil {
			return fmt.Errorf("nets: Machine.Run: no gradient computed for %q", p.Name)
		}
		if len(p.Grad) != len(p.Data) {
			p.Grad = make([]float32, len(p.Data))
		}
		if err := machineCopy(p.Grad, v); err != nil {
			return fmt.Errorf("nets: Machine.Run: gradient of %q: %w", p.Name, err)
		}
	}
	return m.g.RunAfter()
}

// Grad returns a copy of the gradient of the loss with respect to n, one of
// the wrt nodes given to NewMachine, as computed by the last Run.
func (m *Machine) Grad(n *G.Node) ([]float32, error) {
	for i, w := range m.wrt {
		if w == n {
			v := m.wgrads[i].Value()
			if v == nil {
				return nil, fmt.Errorf("nets: Machine.Grad: %v: no gradient yet (call Run first)", n)
			}
			out := make([]float32, n.Shape().TotalSize())
			if err := machineCopy(out, v); err != nil {
				return nil, fmt.Errorf("nets: Machine.Grad: %v: %w", n, err)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("nets: Machine.Grad: %v was not given to NewMachine as a wrt node", n)
}

// Close releases the machine. It is safe to call more than once.
func (m *Machine) Close() {
	if !m.closed {
		m.vm.Close()
		m.closed = true
	}
}

// Let feeds data, in row-major order, into the input node n. The shape, if
// given, must equal the node's shape; data is used without copying, so do
// not change it until the next Run has finished.
func Let(n *G.Node, data []float32, shape ...int) error {
	want := n.Shape()
	if len(shape) == 0 {
		shape = want
	}
	if !tensor.Shape(shape).Eq(want) {
		return fmt.Errorf("nets: Let %s: shape %v, want %v", n.Name(), shape, want)
	}
	size := tensor.Shape(shape).TotalSize()
	if want.IsScalar() {
		if len(data) != 1 {
			return fmt.Errorf("nets: Let %s: %d values for a scalar", n.Name(), len(data))
		}
		return G.Let(n, data[0])
	}
	if len(data) != size {
		return fmt.Errorf("nets: Let %s: %d values, want %d for shape %v", n.Name(), len(data), size, want)
	}
	return G.Let(n, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data)))
}

// Value returns a copy of the value of n computed by the last Run.
func Value(n *G.Node) ([]float32, error) {
	v := n.Value()
	if v == nil {
		return nil, fmt.Errorf("nets: Value %s: no value yet (call Run first)", n.Name())
	}
	out := make([]float32, v.Shape().TotalSize())
	if v.Shape().IsScalar() {
		out = make([]float32, 1)
	}
	if err := machineCopy(out, v); err != nil {
		return nil, fmt.Errorf("nets: Value %s: %w", n.Name(), err)
	}
	return out, nil
}

// Scalar returns the value of a scalar node (a loss, say) after Run.
func Scalar(n *G.Node) (float32, error) {
	v, err := Value(n)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("nets: Scalar %s: node has %d values", n.Name(), len(v))
	}
	return v[0], nil
}

// machineCopy copies a float32 Gorgonia value (scalar or tensor) into dst.
func machineCopy(dst []float32, v G.Value) error {
	switch x := v.(type) {
	case *G.F32:
		if len(dst) != 1 {
			return fmt.Errorf("scalar value for %d elements", len(dst))
		}
		dst[0] = float32(*x)
		return nil
	case tensor.Tensor:
		if x.Dtype() != tensor.Float32 {
			return fmt.Errorf("dtype %v, want float32", x.Dtype())
		}
		if x.RequiresIterator() {
			// Views (transposes, slices) must be materialised first.
			if v, ok := x.(tensor.View); ok {
				x = v.Materialize()
			}
		}
		src, ok := x.Data().([]float32)
		if !ok {
			if f, ok := x.Data().(float32); ok && len(dst) == 1 {
				dst[0] = f
				return nil
			}
			return fmt.Errorf("value of type %T", x.Data())
		}
		if len(src) != len(dst) {
			return fmt.Errorf("%d values, want %d", len(src), len(dst))
		}
		coreParallel(len(dst), 1, func(lo, hi int) { copy(dst[lo:hi], src[lo:hi]) })
		return nil
	default:
		if f, ok := v.Data().(float32); ok && len(dst) == 1 {
			dst[0] = f
			return nil
		}
		return fmt.Errorf("value of type %T", v)
	}
}
