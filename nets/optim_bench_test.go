package nets

import (
	"math/rand"
	"testing"
)

// BenchmarkAdamStep times one Adam step over 1M float32 parameters (the
// peer figure comes from testdata/nets/bench_optim_torch.py).
func BenchmarkAdamStep(b *testing.B) {
	p := NewParam("w", 1000, 1000)
	r := rand.New(rand.NewSource(1))
	for i := range p.Data {
		p.Data[i] = float32(r.NormFloat64())
		p.Grad[i] = float32(r.NormFloat64())
	}
	o := &Adam{Rate: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2}
	ps := []*Param{p}
	b.SetBytes(4 * int64(len(p.Data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := o.Step(ps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSGDMomentumStep times one SGD step with momentum over 1M params.
func BenchmarkSGDMomentumStep(b *testing.B) {
	p := NewParam("w", 1000, 1000)
	for i := range p.Data {
		p.Grad[i] = float32(i%7) - 3
	}
	o := &SGD{Rate: 1e-3, Momentum: 0.9}
	ps := []*Param{p}
	b.SetBytes(4 * int64(len(p.Data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := o.Step(ps); err != nil {
			b.Fatal(err)
		}
	}
}
