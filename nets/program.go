package nets

import (
	"fmt"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Feed is one named input of a Program run: row-major values and their
// shape. The values are used without copying until the run returns.
type Feed struct {
	Name  string
	Shape []int
	Data  []float32
}

// ProgramOptions configures NewProgram.
type ProgramOptions struct {
	// Mode is Eval (inference, running statistics) or Train.
	Mode Mode
	// Seed seeds the random draws (Dropout) of every compiled shape.
	Seed int64
	// MaxShapes bounds the compiled graphs kept, one per set of input
	// shapes; the least recently used is released beyond it. 0 means 8.
	MaxShapes int
}

// Program is a model's computation compiled once per set of input shapes
// and run for every batch, the way a torch.nn.Module takes any batch size
// or length. It owns its graphs and machines; Close releases them.
//
// The define function declares the computation of one pass: it reads the
// fed inputs with Pass.Input, builds the layers' Forward on Pass.Graph,
// and names what the caller reads back (Pass.Output) and, in Train mode,
// the loss whose gradients Run leaves in Param.Grad (Pass.Minimize). It is
// called again for every new combination of input shapes.
//
// A Program is not safe for concurrent use; make one per goroutine (they
// can share the model's Params).
type Program struct {
	define func(p *Pass) error
	o      ProgramOptions
	passes map[string]*Pass
	recent []string // keys, least recently used first
}

// NewProgram returns a program whose passes are declared by define.
func NewProgram(define func(p *Pass) error, o ProgramOptions) *Program {
	if o.MaxShapes <= 0 {
		o.MaxShapes = 8
	}
	return &Program{define: define, o: o, passes: map[string]*Pass{}}
}

// Pass is the graph of a Program for one set of input shapes: declared by
// the define function, then compiled and run. After Run it holds the
// values of the outputs until the next Run of the same Program.
type Pass struct {
	g       *Graph
	feeds   map[string][]int
	inputs  map[string]*G.Node
	outputs map[string]*Watch
	loss    *G.Node
	mach    *Machine
}

// Graph is the pass's graph, to build layers on.
func (p *Pass) Graph() *Graph { return p.g }

// Mode is the program's mode.
func (p *Pass) Mode() Mode { return p.g.Mode }

// Has reports whether the input name is fed in this pass (a loss's
// targets, say, that only training feeds).
func (p *Pass) Has(name string) bool { _, ok := p.feeds[name]; return ok }

// Shape is the shape fed to the input name, or nil if it is not fed.
func (p *Pass) Shape(name string) []int { return append([]int(nil), p.feeds[name]...) }

// Input returns the node of the fed input name, declaring it on first use.
func (p *Pass) Input(name string) (*G.Node, error) {
	if n, ok := p.inputs[name]; ok {
		return n, nil
	}
	s, ok := p.feeds[name]
	if !ok {
		return nil, fmt.Errorf("nets: input %q is not fed (fed: %s)", name, strings.Join(p.names(), ", "))
	}
	n := p.g.Input(name, s...)
	p.inputs[name] = n
	return n, nil
}

// Output names a node whose value the caller reads after Run with Value.
func (p *Pass) Output(name string, n *G.Node) error {
	if _, dup := p.outputs[name]; dup {
		return fmt.Errorf("nets: output %q declared twice", name)
	}
	w, err := NewWatch(n)
	if err != nil {
		return fmt.Errorf("nets: output %q: %w", name, err)
	}
	p.outputs[name] = w
	return nil
}

// Minimize makes loss, a scalar, the pass's loss: Run computes it and, in
// Train mode, the gradients of every learnable Param it depends on. In
// Eval mode the loss is only computed (a validation loss).
func (p *Pass) Minimize(loss *G.Node) error {
	if p.loss != nil {
		return fmt.Errorf("nets: loss declared twice")
	}
	if loss == nil || !loss.IsScalar() {
		return fmt.Errorf("nets: the loss must be a scalar node")
	}
	p.loss = loss
	return nil
}

// MinimizeCrossEntropy makes the cross-entropy of logits [N, C] against
// the class indices fed as labels [N] the pass's loss, in passes that feed
// labels; passes that do not (inference) get no loss.
func (p *Pass) MinimizeCrossEntropy(logits *G.Node, labels string) error {
	if !p.Has(labels) {
		return nil
	}
	y, err := p.Input(labels)
	if err != nil {
		return err
	}
	loss, err := CrossEntropyLoss(logits, y)
	if err != nil {
		return err
	}
	return p.Minimize(loss)
}

// Value returns a copy of the output name computed by the last Run, and
// its shape.
func (p *Pass) Value(name string) ([]float32, []int, error) {
	w, ok := p.outputs[name]
	if !ok {
		return nil, nil, fmt.Errorf("nets: no output %q", name)
	}
	v, err := w.Value()
	return v, w.Shape(), err
}

// Loss returns the loss computed by the last Run.
func (p *Pass) Loss() (float64, error) {
	if p.loss == nil {
		return 0, fmt.Errorf("nets: the program declares no loss")
	}
	v, err := Scalar(p.loss)
	return float64(v), err
}

func (p *Pass) names() []string {
	var s []string
	for k := range p.feeds {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Run feeds the inputs, compiling the pass for their shapes on first use,
// runs it (forward, and backward in Train mode with a loss) and returns the
// pass, whose outputs and loss stay readable until the next Run.
func (pr *Program) Run(feeds ...Feed) (*Pass, error) {
	if pr.define == nil {
		return nil, fmt.Errorf("nets: Program has no define function")
	}
	key, err := feedKey(feeds)
	if err != nil {
		return nil, err
	}
	p, ok := pr.passes[key]
	if !ok {
		if p, err = pr.compile(feeds); err != nil {
			return nil, err
		}
		pr.passes[key] = p
	}
	pr.touch(key)
	for _, f := range feeds {
		if err := Let(p.inputs[f.Name], f.Data, f.Shape...); err != nil {
			return nil, err
		}
	}
	if err := p.mach.Run(); err != nil {
		return nil, err
	}
	return p, nil
}

// compile declares and compiles the pass for the shapes of feeds.
func (pr *Program) compile(feeds []Feed) (*Pass, error) {
	p := &Pass{g: NewGraph(pr.o.Mode, pr.o.Seed), feeds: map[string][]int{}, inputs: map[string]*G.Node{}, outputs: map[string]*Watch{}}
	for _, f := range feeds {
		p.feeds[f.Name] = append([]int(nil), f.Shape...)
	}
	if err := pr.define(p); err != nil {
		return nil, err
	}
	for _, name := range p.names() {
		if _, ok := p.inputs[name]; !ok {
			return nil, fmt.Errorf("nets: input %q is fed but the program does not read it", name)
		}
	}
	var loss *G.Node
	if pr.o.Mode == Train {
		loss = p.loss
	}
	m, err := NewMachine(p.g, loss)
	if err != nil {
		return nil, err
	}
	p.mach = m
	return p, nil
}

// touch marks key as the most recently used and releases the least
// recently used passes beyond MaxShapes.
func (pr *Program) touch(key string) {
	for i, k := range pr.recent {
		if k == key {
			pr.recent = append(pr.recent[:i], pr.recent[i+1:]...)
			break
		}
	}
	pr.recent = append(pr.recent, key)
	for len(pr.recent) > pr.o.MaxShapes {
		old := pr.recent[0]
		pr.recent = pr.recent[1:]
		pr.passes[old].mach.Close()
		delete(pr.passes, old)
	}
}

// Shapes is the number of compiled passes kept.
func (pr *Program) Shapes() int { return len(pr.passes) }

// Close releases every compiled pass; the program stays usable and
// compiles again on the next Run. It is safe to call more than once.
func (pr *Program) Close() {
	for k, p := range pr.passes {
		p.mach.Close()
		delete(pr.passes, k)
	}
	pr.recent = nil
}

// feedKey checks feeds and returns the key of their names and shapes.
func feedKey(feeds []Feed) (string, error) {
	fs := append([]Feed(nil), feeds...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	var b strings.Builder
	for i, f := range fs {
		if f.Name == "" {
			return "", fmt.Errorf("nets: a fed input has no name")
		}
		if i > 0 && fs[i-1].Name == f.Name {
			return "", fmt.Errorf("nets: input %q fed twice", f.Name)
		}
		n := 1
		for _, d := range f.Shape {
			if d <= 0 {
				return "", fmt.Errorf("nets: input %q: shape %v has a dimension ≤ 0", f.Name, f.Shape)
			}
			n *= d
		}
		if n != len(f.Data) {
			return "", fmt.Errorf("nets: input %q: %d values for shape %v (%d)", f.Name, len(f.Data), f.Shape, n)
		}
		fmt.Fprintf(&b, "%s%v;", f.Name, f.Shape)
	}
	return b.String(), nil
}

// Input adds a named float32 input of the given shape to g, to be fed with
// Let before each run (a Program declares its inputs with Pass.Input).
func (g *Graph) Input(name string, shape ...int) *G.Node {
	if len(shape) == 0 {
		return G.NewScalar(g.ExprGraph, tensor.Float32, G.WithName(name))
	}
	return G.NewTensor(g.ExprGraph, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name))
}
