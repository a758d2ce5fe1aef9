package nets

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Goldens written by testdata/nets/gen_seq.py (PyTorch 1.13): seq.json maps
// case → tensor name → {shape, offset}, offsets counting float32 elements
// of seq.bin.

type seqEntry struct {
	Shape  []int `json:"shape"`
	Offset int   `json:"offset"`
}

var (
	seqOnce  sync.Once
	seqIndex map[string]map[string]json.RawMessage
	seqData  []float32
	seqErr   error
)

func seqLoadGoldens() {
	js, err := os.ReadFile("../testdata/nets/seq.json")
	if err != nil {
		seqErr = err
		return
	}
	if seqErr = json.Unmarshal(js, &seqIndex); seqErr != nil {
		return
	}
	raw, err := os.ReadFile("../testdata/nets/seq.bin")
	if err != nil {
		seqErr = err
		return
	}
	seqData = make([]float32, len(raw)/4)
	for i := range seqData {
		seqData[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
}

// seqGolden returns the data and shape of one golden tensor.
func seqGolden(t testing.TB, c, name string) ([]float32, []int) {
	t.Helper()
	seqOnce.Do(seqLoadGoldens)
	if seqErr != nil {
		t.Fatalf("goldens: %v", seqErr)
	}
	raw, ok := seqIndex[c][name]
	if !ok {
		t.Fatalf("golden %s/%s missing", c, name)
	}
	var e seqEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("golden %s/%s: %v", c, name, err)
	}
	n := 1
	for _, d := range e.Shape {
		n *= d
	}
	if e.Offset < 0 || e.Offset+n > len(seqData) {
		t.Fatalf("golden %s/%s: out of range", c, name)
	}
	return seqData[e.Offset : e.Offset+n], e.Shape
}

// seqCompare checks max|got−want| ≤ 1e-4·max|want| + 1e-6 and returns the
// relative error max|got−want| / max|want|.
func seqCompare(t testing.TB, what string, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return math.Inf(1)
	}
	var maxRef, maxDiff float64
	for i := range want {
		maxRef = math.Max(maxRef, math.Abs(float64(want[i])))
		maxDiff = math.Max(maxDiff, math.Abs(float64(got[i])-float64(want[i])))
	}
	if !(maxDiff <= 1e-4*maxRef+1e-6) {
		t.Errorf("%s: max|diff| %.3g with max|ref| %.3g (rel %.3g)", what, maxDiff, maxRef, maxDiff/maxRef)
	}
	if maxRef == 0 {
		return maxDiff
	}
	return maxDiff / maxRef
}

// seqRun builds a graph for one golden case and checks outputs and the
// gradients of L = Σ sum(out ⊙ R.out) (+ scalar outputs) against it.
type seqRun struct {
	t      *testing.T
	c      string
	g      *Graph
	inputs map[string]*G.Node
	maxRel float64
}

func newSeqRun(t *testing.T, c string) *seqRun {
	return &seqRun{t: t, c: c, g: NewGraph(Train, 1), inputs: map[string]*G.Node{}}
}

// input makes an input node holding the golden tensor name.
func (r *seqRun) input(name string) *G.Node {
	data, shape := seqGolden(r.t, r.c, name)
	n := G.NewTensor(r.g.ExprGraph, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), data...)))))
	r.inputs[name] = n
	return n
}

// load copies the golden values of ps (by name) into their Data.
func (r *seqRun) load(ps []*Param) {
	for _, p := range ps {
		data, shape := seqGolden(r.t, r.c, p.Name)
		if !tensor.Shape(shape).Eq(tensor.Shape(p.Shape)) {
			r.t.Fatalf("%s: shape %v, golden %v", p.Name, p.Shape, shape)
		}
		copy(p.Data, data)
	}
}

// check runs the graph and compares outs, the gradients of ps and of the
// named inputs.
func (r *seqRun) check(outs map[string]*G.Node, ps []*Param, gradInputs ...string) {
	t := r.t
	t.Helper()
	var loss *G.Node
	names := make([]string, 0, len(outs))
	for n := range outs {
		names = append(names, n)
	}
	sort.Strings(names)
	watches := map[string]*Watch{}
	for _, n := range names {
		w, err := NewWatch(outs[n])
		if err != nil {
			t.Fatal(err)
		}
		watches[n] = w
	}
	for _, n := range names {
		o := outs[n]
		var term *G.Node
		if o.IsScalar() {
			term = o
		} else {
			term = G.Must(G.Sum(G.Must(G.HadamardProd(o, r.input("R."+n)))))
		}
		if loss == nil {
			loss = term
		} else {
			loss = G.Must(G.Add(loss, term))
		}
	}
	var wrt []*G.Node
	for _, n := range gradInputs {
		wrt = append(wrt, r.inputs[n])
	}
	m, err := NewMachine(r.g, loss, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	rel := func(what string, got, want []float32) {
		e := seqCompare(t, r.c+" "+what, got, want)
		r.maxRel = math.Max(r.maxRel, e)
	}
	for _, n := range names {
		got, err := watches[n].Value()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := seqGolden(t, r.c, n)
		rel(n, got, want)
	}
	for _, p := range ps {
		want, _ := seqGolden(t, r.c, "grad."+p.Name)
		rel("grad."+p.Name, p.Grad, want)
	}
	for i, n := range gradInputs {
		got, err := m.Grad(wrt[i])
		if err != nil {
			t.Fatal(err)
		}
		want, _ := seqGolden(t, r.c, "grad."+n)
		rel("grad."+n, got, want)
	}
	t.Logf("%s: max relative error %.3g over outputs and gradients (%s)", r.c, r.maxRel, strings.Join(names, ", "))
}

func TestLossGoldens(t *testing.T) {
	for _, c := range []string{"mse", "l1", "ce", "kldiv", "cosine"} {
		t.Run(c, func(t *testing.T) {
			r := newSeqRun(t, c)
			var loss *G.Node
			var err error
			var wrt []string
			switch c {
			case "mse":
				loss, err = MSELoss(r.input("x"), r.input("y"))
				wrt = []string{"x", "y"}
			case "l1":
				loss, err = L1Loss(r.input("x"), r.input("y"))
				wrt = []string{"x", "y"}
			case "ce":
				loss, err = CrossEntropyLoss(r.input("logits"), r.input("target"))
				wrt = []string{"logits"}
			case "kldiv":
				loss, err = KLDivLoss(r.input("s"), r.input("t"))
				wrt = []string{"s"} // torch gives NaN for d/dt at t = 0
			case "cosine":
				loss, err = CosineLoss(r.input("a"), r.input("b"))
				wrt = []string{"a", "b"}
			}
			if err != nil {
				t.Fatal(err)
			}
			r.check(map[string]*G.Node{"loss": loss}, nil, wrt...)
		})
	}
}

func TestLossBadInput(t *testing.T) {
	g := NewGraph(Train, 1)
	a := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 3), G.WithName("a"))
	b := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(3, 2), G.WithName("b"))
	for name, f := range map[string]func(x, y *G.Node) (*G.Node, error){
		"mse": MSELoss, "l1": L1Loss, "kl": KLDivLoss, "cos": CosineLoss,
	} {
		if _, err := f(a, b); err == nil {
			t.Errorf("%s: want a shape error", name)
		}
	}
	// A class index out of range fails the run, naming the range.
	g = NewGraph(Train, 1)
	tgt := G.NewTensor(g.ExprGraph, tensor.Float32, 1, G.WithShape(2), G.WithName("target"),
		G.WithValue(tensor.New(tensor.WithBacking([]float32{1, 3}))))
	logits := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 3), G.WithName("logits"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float32))))
	loss, err := CrossEntropyLoss(logits, tgt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err == nil || !strings.Contains(err.Error(), "[0, 3)") {
		t.Fatalf("want an index range error, got %v", err)
	}
}
