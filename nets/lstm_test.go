package nets

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestLSTMGoldens(t *testing.T) {
	cases := []struct {
		name string
		cfg  LSTMConfig
		h0   bool
	}{
		{"lstm", LSTMConfig{Input: 3, Hidden: 4, Layers: 2}, false},
		{"bilstm", LSTMConfig{Input: 3, Hidden: 4, Layers: 2, Bidirectional: true, BatchFirst: true}, true},
	}
	for _, c := range cases {
		for _, unrolled := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/unrolled=%v", c.name, unrolled), func(t *testing.T) {
				l, err := NewLSTM("", c.cfg, rand.New(rand.NewSource(1)))
				if err != nil {
					t.Fatal(err)
				}
				l.unrolled = unrolled
				r := newSeqRun(t, c.name)
				r.load(l.Params())
				var h0, c0 *G.Node
				wrt := []string{"x"}
				if c.h0 {
					h0, c0 = r.input("h0"), r.input("c0")
					wrt = append(wrt, "h0", "c0")
				}
				out, h, cn, err := l.ForwardState(r.g, r.input("x"), h0, c0)
				if err != nil {
					t.Fatal(err)
				}
				r.check(map[string]*G.Node{"out": out, "h": h, "c": cn}, l.Params(), wrt...)
			})
		}
	}
}

func TestLSTMParamNames(t *testing.T) {
	l, err := NewLSTM("enc", LSTMConfig{Input: 2, Hidden: 3, Layers: 2, Bidirectional: true}, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
		"weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
		"weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
		"weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"}
	ps := l.Params()
	if len(ps) != len(want) {
		t.Fatalf("%d params, want %d", len(ps), len(want))
	}
	for i, p := range ps {
		if p.Name != "enc."+want[i] {
			t.Errorf("param %d: %q, want %q", i, p.Name, "enc."+want[i])
		}
		for _, v := range p.Data {
			if v < -1/1.7320508 || v > 1/1.7320508 {
				t.Fatalf("%s: %v outside ±1/√H", p.Name, v)
			}
		}
	}
	if s := ps[8].Shape; s[0] != 12 || s[1] != 6 {
		t.Errorf("weight_ih_l1 shape %v, want [12 6]", s)
	}
}

func TestLSTMBadInput(t *testing.T) {
	l, _ := NewLSTM("", LSTMConfig{Input: 3, Hidden: 4, Layers: 1}, rand.New(rand.NewSource(1)))
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(5, 2, 4), G.WithName("x"))
	if _, err := l.Forward(g, x); err == nil {
		t.Fatal("want an error for input size 4")
	}
	if _, err := NewLSTM("", LSTMConfig{Input: 3}, nil); err == nil {
		t.Fatal("want an error for hidden 0")
	}
}

// ExampleLSTM shows the shapes of a two-layer bidirectional, batch-first LSTM.
func ExampleLSTM() {
	rng := rand.New(rand.NewSource(1))
	lstm, err := NewLSTM("rnn", LSTMConfig{Input: 40, Hidden: 64, Layers: 2, Bidirectional: true, BatchFirst: true}, rng)
	if err != nil {
		panic(err)
	}
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(8, 50, 40), G.WithName("x")) // [N, T, features]
	out, h, c, err := lstm.ForwardState(g, x, nil, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("output", out.Shape(), "h", h.Shape(), "c", c.Shape())
	fmt.Println(lstm.Params()[0].Name, lstm.Params()[0].Shape)
	// Output:
	// output (8, 50, 128) h (4, 8, 64) c (4, 8, 64)
	// rnn.weight_ih_l0 [256 40]
}

// TestLSTMFusedMatchesUnrolled compares the fused op with the unrolled
// Gorgonia-op reference on sizes the goldens do not cover (T = 1, N = 1,
// wider inputs), outputs and all gradients.
func TestLSTMFusedMatchesUnrolled(t *testing.T) {
	for _, c := range []struct {
		cfg  LSTMConfig
		n, T int
	}{
		{LSTMConfig{Input: 7, Hidden: 5, Layers: 3, Bidirectional: true}, 1, 6},
		{LSTMConfig{Input: 2, Hidden: 3, Layers: 1, BatchFirst: true}, 4, 1},
	} {
		var ref [][]float32
		for _, unrolled := range []bool{true, false} {
			rng := rand.New(rand.NewSource(3))
			l, err := NewLSTM("", c.cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			l.unrolled = unrolled
			shape := []int{c.T, c.n, c.cfg.Input}
			if c.cfg.BatchFirst {
				shape[0], shape[1] = c.n, c.T
			}
			data := make([]float32, c.T*c.n*c.cfg.Input)
			for i := range data {
				data[i] = float32(rng.NormFloat64())
			}
			g := NewGraph(Train, 1)
			x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(shape...), G.WithName("x"),
				G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))))
			out, h, cn, err := l.ForwardState(g, x, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			wo, _ := NewWatch(out)
			// a loss that weighs every output element differently
			wts := make([]float32, out.Shape().TotalSize())
			for i := range wts {
				wts[i] = float32(math.Sin(float64(i)))
			}
			wn := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(out.Shape()...), G.WithName("w"),
				G.WithValue(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(wts))))
			loss := G.Must(G.Add(G.Must(G.Sum(G.Must(G.HadamardProd(out, wn)))),
				G.Must(G.Add(G.Must(G.Sum(h)), G.Must(G.Sum(G.Must(G.Square(cn))))))))
			m, err := NewMachine(g, loss, x)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			got := [][]float32{}
			v, _ := wo.Value()
			gx, _ := m.Grad(x)
			got = append(got, v, gx)
			for _, p := range l.Params() {
				got = append(got, append([]float32(nil), p.Grad...))
			}
			m.Close()
			if ref == nil {
				ref = got
				continue
			}
			for i := range ref {
				seqCompare(t, fmt.Sprintf("%+v tensor %d", c.cfg, i), got[i], ref[i])
			}
		}
	}
}
