//go:build unix

package nets

import (
	"math/rand"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time, less disturbed than
// wall time by other load on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAdamStep times one step of Adam (L2 weight decay 1e-2) and of
// AdamW (decoupled, 1e-2) over 1M and 10M float32 parameters in one
// tensor. Peer: testdata/nets/bench_optim_torch.py (same sizes and
// settings).
func BenchmarkAdamStep(b *testing.B) {
	for _, c := range []struct {
		name      string
		n         int
		decoupled bool
	}{{"Adam1M", 1 << 20, false}, {"Adam10M", 10_000_000, false}, {"AdamW10M", 10_000_000, true}} {
		b.Run(c.name, func(b *testing.B) {
			p := NewParam("w", c.n)
			r := rand.New(rand.NewSource(1))
			for i := range p.Data {
				p.Data[i] = float32(r.NormFloat64())
				p.Grad[i] = float32(r.NormFloat64())
			}
			o := &Adam{Rate: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-2, Decoupled: c.decoupled}
			ps := []*Param{p}
			if err := o.Step(ps); err != nil { // allocate the moments
				b.Fatal(err)
			}
			b.SetBytes(4 * int64(len(p.Data)))
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if err := o.Step(ps); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu_ms/op")
		})
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
