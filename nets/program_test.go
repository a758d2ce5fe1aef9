package nets

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// linearProgram is an Eval program y = fc(x) reading input "x".
func linearProgram(t *testing.T, o ProgramOptions) (*Linear, *Program) {
	t.Helper()
	fc, err := NewLinear("fc", 3, 2, true, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	return fc, NewProgram(func(p *Pass) error {
		x, err := p.Input("x")
		if err != nil {
			return err
		}
		y, err := fc.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		return p.Output("y", y)
	}, o)
}

func TestProgramShapes(t *testing.T) {
	fc, prog := linearProgram(t, ProgramOptions{MaxShapes: 2})
	defer prog.Close()
	for _, n := range []int{2, 3, 2, 5, 3} {
		x := make([]float32, n*3)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		p, err := prog.Run(Feed{"x", []int{n, 3}, x})
		if err != nil {
			t.Fatal(err)
		}
		y, shape, err := p.Value("y")
		if err != nil {
			t.Fatal(err)
		}
		if len(shape) != 2 || shape[0] != n || shape[1] != 2 {
			t.Fatalf("batch %d: output shape %v", n, shape)
		}
		for r := 0; r < n; r++ {
			for o := 0; o < 2; o++ {
				want := float64(fc.Bias.Data[o])
				for i := 0; i < 3; i++ {
					want += float64(fc.Weight.Data[o*3+i]) * float64(x[r*3+i])
				}
				if math.Abs(float64(y[r*2+o])-want) > 1e-5 {
					t.Fatalf("batch %d y[%d,%d] = %v, want %v", n, r, o, y[r*2+o], want)
				}
			}
		}
		if prog.Shapes() > 2 {
			t.Fatalf("%d compiled shapes kept, MaxShapes 2", prog.Shapes())
		}
	}
	prog.Close()
	if prog.Shapes() != 0 {
		t.Fatalf("%d shapes after Close", prog.Shapes())
	}
	if _, err := prog.Run(Feed{"x", []int{1, 3}, make([]float32, 3)}); err != nil {
		t.Fatalf("run after Close: %v", err)
	}
}

func TestProgramErrors(t *testing.T) {
	_, prog := linearProgram(t, ProgramOptions{})
	defer prog.Close()
	x := make([]float32, 6)
	for _, c := range []struct {
		feeds []Feed
		want  string
	}{
		{[]Feed{{"x", []int{2, 3}, x[:5]}}, `input "x": 5 values for shape [2 3]`},
		{[]Feed{{"x", []int{2, 3}, x}, {"x", []int{2, 3}, x}}, `input "x" fed twice`},
		{[]Feed{{"x", []int{0, 3}, nil}}, "dimension ≤ 0"},
		{[]Feed{{"z", []int{2, 3}, x}}, `input "x" is not fed (fed: z)`},
		{[]Feed{{"x", []int{2, 3}, x}, {"z", []int{6}, x}}, `input "z" is fed but the program does not read it`},
		{[]Feed{{"x", []int{3, 2}, x}}, "Linear fc.weight: input shape (3, 2)"},
	} {
		if _, err := prog.Run(c.feeds...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("feeds %v: error %v, want %q", c.feeds, err, c.want)
		}
	}
}

// TestProgramTrain checks that a Train program with a loss leaves the
// loss's gradient in Param.Grad: for y = x·wᵀ + b and the mean squared
// error against t, dL/db = 2/N Σ (y − t).
func TestProgramTrain(t *testing.T) {
	fc, err := NewLinear("fc", 3, 1, true, rand.New(rand.NewSource(2)))
	if err != nil {
		t.Fatal(err)
	}
	prog := NewProgram(func(p *Pass) error {
		x, err := p.Input("x")
		if err != nil {
			return err
		}
		target, err := p.Input("t")
		if err != nil {
			return err
		}
		y, err := fc.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		if err := p.Output("y", y); err != nil {
			return err
		}
		loss, err := MSELoss(y, target)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}, ProgramOptions{Mode: Train, Seed: 1})
	defer prog.Close()
	x := []float32{1, 2, 3, -1, 0, 2}
	tg := []float32{0.5, -1}
	p, err := prog.Run(Feed{"x", []int{2, 3}, x}, Feed{"t", []int{2, 1}, tg})
	if err != nil {
		t.Fatal(err)
	}
	y, _, err := p.Value("y")
	if err != nil {
		t.Fatal(err)
	}
	loss, err := p.Loss()
	if err != nil {
		t.Fatal(err)
	}
	var wantLoss, wantGrad float64
	for i := range y {
		d := float64(y[i]) - float64(tg[i])
		wantLoss += d * d / 2
		wantGrad += 2 * d / 2
	}
	if math.Abs(loss-wantLoss) > 1e-5 || math.Abs(float64(fc.Bias.Grad[0])-wantGrad) > 1e-5 {
		t.Fatalf("loss %v grad %v, want %v %v", loss, fc.Bias.Grad[0], wantLoss, wantGrad)
	}
}

func TestFlatten(t *testing.T) {
	for _, c := range []struct {
		f    Flatten
		in   []int
		want []int
	}{
		{NewFlatten(), []int{2, 3, 4}, []int{2, 12}},
		{Flatten{0, -1}, []int{2, 3, 4}, []int{24}},
		{Flatten{1, 2}, []int{2, 3, 4, 5}, []int{2, 12, 5}},
	} {
		g := NewGraph(Eval, 0)
		y, err := c.f.Forward(g, g.Input("x", c.in...))
		if err != nil {
			t.Fatal(err)
		}
		if got := []int(y.Shape()); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Flatten%v of %v: %v, want %v", c.f, c.in, got, c.want)
		}
	}
	g := NewGraph(Eval, 0)
	if _, err := (Flatten{2, 1}).Forward(g, g.Input("x", 2, 3, 4)); err == nil {
		t.Error("Flatten{2, 1}: no error")
	}
}

func TestNilRandLeavesZeros(t *testing.T) {
	fc, err := NewLinear("fc", 4, 3, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	lstm, err := NewLSTM("rnn", LSTMConfig{Input: 2, Hidden: 3, Layers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(fc.Params(), lstm.Params()...) {
		for _, v := range p.Data {
			if v != 0 {
				t.Fatalf("%s has %v with a nil rng", p.Name, v)
			}
		}
	}
}

// MinimizeCrossEntropy adds the loss only in passes that feed labels:
// −log softmax(logits)[label], averaged over rows.
func TestMinimizeCrossEntropy(t *testing.T) {
	prog := NewProgram(func(p *Pass) error {
		x, err := p.Input("x")
		if err != nil {
			return err
		}
		return p.MinimizeCrossEntropy(x, "y")
	}, ProgramOptions{})
	defer prog.Close()
	x := []float32{1, 2, 0, -1}
	pass, err := prog.Run(Feed{"x", []int{2, 2}, x})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pass.Loss(); err == nil {
		t.Fatal("a pass without labels has a loss")
	}
	if pass, err = prog.Run(Feed{"x", []int{2, 2}, x}, Feed{"y", []int{2}, []float32{1, 0}}); err != nil {
		t.Fatal(err)
	}
	got, err := pass.Loss()
	want := (math.Log(math.Exp(1)+math.Exp(2)) - 2 + math.Log(1+math.Exp(-1)) - 0) / 2
	if err != nil || math.Abs(got-want) > 1e-5 {
		t.Fatalf("loss %v (%v), want %v", got, err, want)
	}
}
