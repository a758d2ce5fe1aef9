package nets

import (
	"fmt"
	"math/rand"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Mode selects training or evaluation behaviour (BatchNorm statistics,
// Dropout).
type Mode int

const (
	Eval  Mode = iota // inference: BatchNorm uses running statistics, no Dropout
	Train             // training: batch statistics, Dropout active
)

// String returns "train" or "eval".
func (m Mode) String() string {
	if m == Train {
		return "train"
	}
	return "eval"
}

// Graph is one Gorgonia expression graph of a model in one mode, with the
// bookkeeping the layers need: each Param is bound once (sharing its Data),
// hooks run before and after every pass (Dropout masks drawn from a seeded
// source; BatchNorm running statistics updated), so that Gorgonia's own
// stateful ops, which misbehave across machines, are never used.
//
// Keep one Graph and one machine per model and mode, and reuse them.
type Graph struct {
	*G.ExprGraph
	Mode Mode
	Rand *rand.Rand // source for Dropout and other randomness in the pass

	nodes  map[*Param]*G.Node
	params []*Param
	before []func() error
	after  []func() error
	// wanted holds the input nodes whose gradients a Machine asked for;
	// layers skip gradients of other plain inputs (the raw audio, say).
	wanted map[*G.Node]bool
}

// NewGraph returns an empty graph in the given mode whose random draws come
// from seed.
func NewGraph(mode Mode, seed int64) *Graph {
	return &Graph{ExprGraph: G.NewGraph(), Mode: mode, Rand: rand.New(rand.NewSource(seed)), nodes: map[*Param]*G.Node{}}
}

// Param returns the node bound to p in this graph, creating it on first use.
func (g *Graph) Param(p *Param) *G.Node {
	if n, ok := g.nodes[p]; ok {
		return n
	}
	n := p.node(g.ExprGraph)
	g.nodes[p] = n
	g.params = append(g.params, p)
	return n
}

// Bound lists the params bound into this graph, in binding order.
func (g *Graph) Bound() []*Param { return g.params }

// LearnableNodes returns the nodes of the bound, non-buffer params and the
// params themselves, in the same order (for G.Grad and copying gradients).
func (g *Graph) LearnableNodes() ([]*G.Node, []*Param) {
	var ns []*G.Node
	var ps []*Param
	for _, p := range g.params {
		if !p.Buffer {
			ns = append(ns, g.nodes[p])
			ps = append(ps, p)
		}
	}
	return ns, ps
}

// wantsGrad reports whether the gradient of the input node n is needed:
// n is a bound learnable Param or was named by NewMachine.
func (g *Graph) wantsGrad(n *G.Node) bool {
	if g.wanted[n] {
		return true
	}
	for p, pn := range g.nodes {
		if pn == n {
			return !p.Buffer
		}
	}
	return false
}

// BeforeRun registers f to run before every pass (e.g. to draw a dropout mask).
func (g *Graph) BeforeRun(f func() error) { g.before = append(g.before, f) }

// AfterRun registers f to run after every pass (e.g. to update running stats).
func (g *Graph) AfterRun(f func() error) { g.after = append(g.after, f) }

// RunBefore calls the before-run hooks; Machine.Run does this for you.
func (g *Graph) RunBefore() error {
	for _, f := range g.before {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// RunAfter calls the after-run hooks; Machine.Run does this for you.
func (g *Graph) RunAfter() error {
	for _, f := range g.after {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// Layer is a Module that adds its computation to a graph.
type Layer interface {
	Module
	Forward(g *Graph, x *G.Node) (*G.Node, error)
}

// shapeErr formats a shape mismatch naming the layer.
func shapeErr(layer string, want string, got tensor.Shape) error {
	return fmt.Errorf("nets: %s: input shape %v, want %s", layer, got, want)
}
