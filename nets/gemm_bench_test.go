//go:build unix

package nets

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BenchmarkSgemm times the float32 GEMM with each kernel this CPU runs
// (avx512, avx2, go) and gonum's Sgemm (Gorgonia's default BLAS), on a
// 1024² square product and on SoundNet's conv2 shapes (forward, weight and
// input gradients) and conv1's forward. GFLOPS is from wall time,
// cpu-GFLOPS from the process's CPU time (steadier on a shared machine).
// Peer for square1024: testdata/nets/bench_mm_torch.py (torch.mm).
//
//	go test ./nets -run '^$' -bench 'Sgemm/square1024' -cpu 1 -count 5
func BenchmarkSgemm(b *testing.B) {
	for _, s := range []struct {
		name    string
		ta, tb  bool
		m, n, k int
	}{
		{"square1024", false, false, 1024, 1024, 1024},
		{"conv2fwd", false, false, 32, 13782, 512},
		{"conv2dW", false, true, 32, 512, 13782},
		{"conv2dX", true, false, 512, 13782, 32},
		{"conv1fwd", false, false, 16, 20000, 64},
	} {
		x, y, c := gemmBenchData(s.m, s.n, s.k)
		lda, ldb := s.k, s.n
		ta, tb := blas.NoTrans, blas.NoTrans
		if s.ta {
			lda, ta = s.m, blas.Trans
		}
		if s.tb {
			ldb, tb = s.k, blas.Trans
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		run := func(b *testing.B, f func()) {
			f()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f()
			}
			b.StopTimer()
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
			b.ReportMetric(flops*float64(b.N)/(cpuTime()-cpu0).Seconds()/1e9, "cpu-GFLOPS")
		}
		for _, kern := range gemmTestKernels() {
			b.Run(s.name+"/"+kern.name, func(b *testing.B) {
				withGemmKernel(kern, func() {
					run(b, func() { sgemm(s.ta, s.tb, s.m, s.n, s.k, x, lda, y, ldb, false, c, s.n) })
				})
			})
		}
		b.Run(s.name+"/gonum", func(b *testing.B) {
			var impl gonum.Implementation
			run(b, func() { impl.Sgemm(ta, tb, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n) })
		})
	}
}
