package nets

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fusionCase is one masked fusion block under test: build makes it on a
// graph from the streams and the mask; ref computes the same output in
// float64 from the streams and the block's parameters (in Params order).
type fusionCase struct {
	name   string
	dims   []int
	params []*Param
	build  func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error)
	ref    func(xs [][]float64, ps [][]float64, mask []float64, n int) []float64
}

// refWeights is mask ⊙ softmax over the present streams, in float64.
func refWeights(scores, mask []float64, n, s int) []float64 {
	w := make([]float64, n*s)
	for i := 0; i < n; i++ {
		mx := math.Inf(-1)
		for j := 0; j < s; j++ {
			if mask[i*s+j] > 0 {
				mx = math.Max(mx, scores[i*s+j])
			}
		}
		var sum float64
		for j := 0; j < s; j++ {
			if mask[i*s+j] > 0 {
				w[i*s+j] = math.Exp(scores[i*s+j] - mx)
				sum += w[i*s+j]
			}
		}
		for j := 0; j < s; j++ {
			if sum > 0 {
				w[i*s+j] /= sum
			}
		}
	}
	return w
}

func refWeighted(w []float64, xs [][]float64, n, d int) []float64 {
	s := len(xs)
	out := make([]float64, n*d)
	for i := 0; i < n; i++ {
		for j := 0; j < s; j++ {
			for k := 0; k < d; k++ {
				out[i*d+k] += w[i*s+j] * xs[j][i*d+k]
			}
		}
	}
	return out
}

func to64(p *Param) []float64 {
	out := make([]float64, len(p.Data))
	for i, v := range p.Data {
		out[i] = float64(v)
	}
	return out
}

// checkFusion runs c on random streams under mask, compares the output
// with c.ref and the gradients of L = Σ out ⊙ R (R fixed, random) with
// respect to the streams and the parameters with central differences of
// the float64 reference.
func checkFusion(t *testing.T, c fusionCase, n int, mask []float64) {
	t.Helper()
	rng := rand.New(rand.NewSource(3))
	s := len(c.dims)
	var xs []*Param
	for j, d := range c.dims {
		p := NewParam(fmt.Sprintf("x%d", j), n, d)
		for i := range p.Data {
			p.Data[i] = float32(rng.NormFloat64())
		}
		xs = append(xs, p)
	}
	m32 := make([]float32, len(mask))
	for i, v := range mask {
		m32[i] = float32(v)
	}
	g := NewGraph(Train, 1)
	var nodes []*G.Node
	for _, p := range xs {
		nodes = append(nodes, g.Param(p))
	}
	mn := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(n, s), G.WithName("mask"),
		G.WithValue(tensor.New(tensor.WithShape(n, s), tensor.WithBacking(m32))))
	out, err := c.build(g, mn, nodes)
	if err != nil {
		t.Fatal(err)
	}
	size := out.Shape().TotalSize()
	r := make([]float32, size)
	r64 := make([]float64, size)
	for i := range r {
		r[i] = float32(rng.NormFloat64())
		r64[i] = float64(r[i])
	}
	rn := G.NewConstant(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(r)))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(out, rn))))
	mach, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer mach.Close()
	if err := mach.Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := Value(out)
	x64 := make([][]float64, s)
	for j, p := range xs {
		x64[j] = to64(p)
	}
	p64 := make([][]float64, len(c.params))
	for j, p := range c.params {
		p64[j] = to64(p)
	}
	want := c.ref(x64, p64, mask, n)
	if len(want) != len(got) {
		t.Fatalf("%s: %d outputs, reference %d", c.name, len(got), len(want))
	}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
			t.Fatalf("%s: out[%d] = %v, float64 reference %v", c.name, i, got[i], want[i])
		}
	}
	lossOf := func() float64 {
		o := c.ref(x64, p64, mask, n)
		var l float64
		for i := range o {
			l += o[i] * r64[i]
		}
		return l
	}
	check := func(what string, v []float64, grad []float32) {
		for i := range v {
			old := v[i]
			v[i] = old + 1e-6
			hi := lossOf()
			v[i] = old - 1e-6
			lo := lossOf()
			v[i] = old
			fd := (hi - lo) / 2e-6
			if math.Abs(float64(grad[i])-fd) > 1e-3*(1+math.Abs(fd)) {
				t.Fatalf("%s: gradient of %s[%d] = %v, finite differences %v", c.name, what, i, grad[i], fd)
			}
		}
	}
	for j, p := range xs {
		check(p.Name, x64[j], p.Grad)
	}
	for j, p := range c.params {
		check(p.Name, p64[j], p.Grad)
	}
}

// Every masked fusion block against a float64 computation, forward and
// gradients, with a stream missing in some rows and all missing in one.
func TestMaskedFusionBlocks(t *testing.T) {
	const n, d = 4, 3
	// rows: all present; stream 1 missing; only stream 2; none
	mask := []float64{1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0}
	rng := rand.New(rand.NewSource(1))
	late, _ := NewLateFusion("late", 3, true)
	copy(late.Weight.Data, []float32{0.3, -0.5, 0.9})
	avg, _ := NewLateFusion("avg", 3, false)
	gated, err := NewGatedFusion("fuse", d, 3, rng)
	if err != nil {
		t.Fatal(err)
	}
	att, err := NewAttentionFusion("att", d, 5, rng)
	if err != nil {
		t.Fatal(err)
	}
	cases := []fusionCase{
		{
			name: "early", dims: []int{2, 3, 1},
			build: func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error) { return EarlyFusion(mask, xs...) },
			ref: func(xs, _ [][]float64, mask []float64, n int) []float64 {
				var out []float64
				for i := 0; i < n; i++ {
					for j, x := range xs {
						w := len(x) / n
						for k := 0; k < w; k++ {
							out = append(out, mask[i*3+j]*x[i*w+k])
						}
					}
					out = append(out, mask[i*3:i*3+3]...)
				}
				return out
			},
		},
		{
			name: "late learned", dims: []int{d, d, d}, params: late.Params(),
			build: func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error) {
				out, _, err := late.Forward(g, mask, xs...)
				return out, err
			},
			ref: func(xs, ps [][]float64, mask []float64, n int) []float64 {
				scores := make([]float64, n*3)
				for i := range scores {
					scores[i] = ps[0][i%3]
				}
				return refWeighted(refWeights(scores, mask, n, 3), xs, n, d)
			},
		},
		{
			name: "late average", dims: []int{d, d, d},
			build: func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error) {
				out, _, err := avg.Forward(g, mask, xs...)
				return out, err
			},
			ref: func(xs, _ [][]float64, mask []float64, n int) []float64 {
				return refWeighted(refWeights(make([]float64, n*3), mask, n, 3), xs, n, d)
			},
		},
		{
			name: "gated", dims: []int{d, d, d}, params: gated.Params(),
			build: func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error) {
				out, _, err := gated.Forward(g, mask, xs...)
				return out, err
			},
			ref: func(xs, ps [][]float64, mask []float64, n int) []float64 {
				w, b := ps[0], ps[1] // [3, 3d], [3]
				scores := make([]float64, n*3)
				for i := 0; i < n; i++ {
					for o := 0; o < 3; o++ {
						z := b[o]
						for j := 0; j < 3; j++ {
							for k := 0; k < d; k++ {
								z += w[o*3*d+j*d+k] * mask[i*3+j] * xs[j][i*d+k]
							}
						}
						scores[i*3+o] = z
					}
				}
				return refWeighted(refWeights(scores, mask, n, 3), xs, n, d)
			},
		},
		{
			name: "attention", dims: []int{d, d, d}, params: att.Params(),
			build: func(g *Graph, mask *G.Node, xs []*G.Node) (*G.Node, error) {
				out, _, err := att.Forward(g, mask, xs...)
				return out, err
			},
			ref: func(xs, ps [][]float64, mask []float64, n int) []float64 {
				w, b, v := ps[0], ps[1], ps[2] // [5, d], [5], [1, 5]
				scores := make([]float64, n*3)
				for i := 0; i < n; i++ {
					for j := 0; j < 3; j++ {
						var sc float64
						for a := 0; a < 5; a++ {
							z := b[a]
							for k := 0; k < d; k++ {
								z += w[a*d+k] * xs[j][i*d+k]
							}
							sc += v[a] * math.Tanh(z)
						}
						scores[i*3+j] = sc
					}
				}
				return refWeighted(refWeights(scores, mask, n, 3), xs, n, d)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkFusion(t, c, n, mask)
			checkFusion(t, c, 1, mask[3:6]) // a batch of one
		})
	}
}

// A missing stream weighs exactly 0 and the present ones sum to 1,
// whatever the missing stream holds.
func TestMaskedSoftmaxWeights(t *testing.T) {
	g := NewGraph(Eval, 1)
	scores := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 3), G.WithName("s"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{50, 1, 2, 1e6, 0, 0}))))
	mask := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 3), G.WithName("m"),
		G.WithValue(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{0, 1, 1, 0, 1, 0}))))
	w, err := MaskedSoftmax(scores, mask)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := Value(w)
	e := 1 / (1 + math.E)
	want := []float64{0, e, 1 - e, 0, 1, 0}
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > 1e-6 {
			t.Fatalf("weights %v, want %v", got, want)
		}
	}
	bad := G.NewTensor(g.ExprGraph, tensor.Float32, 2, G.WithShape(2, 2), G.WithName("bad"))
	if _, err := MaskedSoftmax(scores, bad); err == nil {
		t.Fatal("mask of the wrong shape accepted")
	}
	if _, err := EarlyFusion(bad, scores); err == nil {
		t.Fatal("EarlyFusion: mask of the wrong shape accepted")
	}
}
