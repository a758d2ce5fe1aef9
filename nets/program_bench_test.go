package nets

import (
	"math/rand"
	"testing"
)

// BenchmarkProgramOverhead runs the same small training step (Linear,
// ReLU, Linear, MSE on 64 rows) through a Program and through a Machine
// fed by hand: the difference is the Program's bookkeeping (shape key,
// feeding by name, reading the loss).
func BenchmarkProgramOverhead(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	l1, _ := NewLinear("l1", 32, 64, true, rng)
	l2, _ := NewLinear("l2", 64, 8, true, rng)
	net := Sequential{l1, NewReLU(), l2}
	x, y := make([]float32, 64*32), make([]float32, 64*8)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	b.Run("program", func(b *testing.B) {
		prog := NewProgram(func(p *Pass) error {
			xn, _ := p.Input("x")
			yn, _ := p.Input("y")
			out, err := net.Forward(p.Graph(), xn)
			if err != nil {
				return err
			}
			loss, err := MSELoss(out, yn)
			if err != nil {
				return err
			}
			return p.Minimize(loss)
		}, ProgramOptions{Mode: Train})
		defer prog.Close()
		for b.Loop() {
			pass, err := prog.Run(Feed{"x", []int{64, 32}, x}, Feed{"y", []int{64, 8}, y})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pass.Loss(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("machine", func(b *testing.B) {
		g := NewGraph(Train, 0)
		xn, yn := g.Input("x", 64, 32), g.Input("y", 64, 8)
		out, err := net.Forward(g, xn)
		if err != nil {
			b.Fatal(err)
		}
		loss, err := MSELoss(out, yn)
		if err != nil {
			b.Fatal(err)
		}
		m, err := NewMachine(g, loss)
		if err != nil {
			b.Fatal(err)
		}
		defer m.Close()
		for b.Loop() {
			if err := Let(xn, x); err != nil {
				b.Fatal(err)
			}
			if err := Let(yn, y); err != nil {
				b.Fatal(err)
			}
			if err := m.Run(); err != nil {
				b.Fatal(err)
			}
			if _, err := Scalar(loss); err != nil {
				b.Fatal(err)
			}
		}
	})
}
