package nets

import (
	"math"
	"math/rand"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func gemmNaive(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			c[i*ldc+j] += float32(s)
		}
	}
}

func TestConvGemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	sizes := [][3]int{{1, 1, 1}, {6, 16, 3}, {7, 17, 5}, {13, 40, 300}, {130, 33, 9}, {16, 2100, 64}, {5, 3, 600}}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for _, s := range sizes {
			m, n, k := s[0], s[1], s[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, acc := range []bool{false, true} {
						a := make([]float32, m*k)
						b := make([]float32, k*n)
						for i := range a {
							a[i] = float32(rng.NormFloat64())
						}
						for i := range b {
							b[i] = float32(rng.NormFloat64())
						}
						lda, ldb := k, n
						if ta {
							lda = m
						}
						if tb {
							ldb = k
						}
						ldc := n + 3 // a wider C checks the stride is honoured
						c := make([]float32, m*ldc)
						want := make([]float32, m*ldc)
						for i := range c {
							c[i] = float32(rng.NormFloat64())
							want[i] = c[i]
						}
						if !acc {
							for i := 0; i < m; i++ {
								for j := 0; j < n; j++ {
									want[i*ldc+j] = 0
								}
							}
						}
						gemmNaive(ta, tb, m, n, k, a, lda, b, ldb, want, ldc)
						convGemm(ta, tb, m, n, k, a, lda, b, ldb, acc, c, ldc)
						for i := range c {
							if d := math.Abs(float64(c[i] - want[i])); d > 1e-4*math.Sqrt(float64(k))+1e-5 {
								t.Fatalf("m%d n%d k%d ta%v tb%v acc%v procs%d: c[%d]=%v want %v", m, n, k, ta, tb, acc, procs, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}

func TestConvGemmKernelGoMatchesAsm(t *testing.T) {
	k := 37
	a := make([]float32, k*gemmMR)
	b := make([]float32, k*gemmNR)
	for i := range a {
		a[i] = float32(i%11) - 5
	}
	for i := range b {
		b[i] = float32(i%7) - 3
	}
	c1 := make([]float32, gemmMR*20)
	c2 := make([]float32, gemmMR*20)
	gemmKernel(k, a, b, c1, 20)
	gemmKernelGo(k, a, b, c2, 20)
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("c[%d]: %v vs %v", i, c1[i], c2[i])
		}
	}
}

// BenchmarkConvGemm times the GEMM on SoundNet's conv2 shapes (forward,
// weight and input gradients) and conv1's forward, next to gonum's Sgemm:
//
//	go test ./nets -run XXX -bench ConvGemm -cpu 1
func BenchmarkConvGemm(b *testing.B) {
	for _, s := range []struct {
		name    string
		ta, tb  bool
		m, n, k int
	}{
		{"conv2fwd", false, false, 32, 13782, 512},
		{"conv2dW", false, true, 32, 512, 13782},
		{"conv2dX", true, false, 512, 13782, 32},
		{"conv1fwd", false, false, 16, 20000, 64},
	} {
		b.Run(s.name, func(b *testing.B) {
			x, y, c := gemmBenchData(s.m, s.n, s.k)
			lda, ldb := s.k, s.n
			if s.ta {
				lda = s.m
			}
			if s.tb {
				ldb = s.k
			}
			for i := 0; i < b.N; i++ {
				convGemm(s.ta, s.tb, s.m, s.n, s.k, x, lda, y, ldb, false, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
		// The same product with gonum's pure-Go Sgemm, for comparison.
		b.Run(s.name+"/gonum", func(b *testing.B) {
			x, y, c := gemmBenchData(s.m, s.n, s.k)
			lda, ldb := s.k, s.n
			ta, tb := blas.NoTrans, blas.NoTrans
			if s.ta {
				lda, ta = s.m, blas.Trans
			}
			if s.tb {
				ldb, tb = s.k, blas.Trans
			}
			var impl gonum.Implementation
			for i := 0; i < b.N; i++ {
				impl.Sgemm(ta, tb, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
		})
	}
}

// im2col writes the explicit [C·kh·kw, OH·OW] patch matrix of one sample
// x [C, H, W], the reference for the implicit packing of patchRow.
func (q *convGeom) im2col(x, col []float32) {
	p := q.cols()
	r := 0
	for c := 0; c < q.c; c++ {
		xc := x[c*q.h*q.w : (c+1)*q.h*q.w]
		for i := 0; i < q.kh; i++ {
			for j := 0; j < q.kw; j++ {
				row := col[r*p : (r+1)*p]
				r++
				off := j*q.dw - q.pw
				lo, hi := convRowRange(q.ow, q.sw, off, q.w)
				for oh := 0; oh < q.oh; oh++ {
					dst := row[oh*q.ow : (oh+1)*q.ow]
					ih := oh*q.sh - q.ph + i*q.dh
					if ih < 0 || ih >= q.h {
						clear(dst)
						continue
					}
					src := xc[ih*q.w : (ih+1)*q.w]
					clear(dst[:lo])
					clear(dst[hi:])
					if hi == lo {
						continue
					}
					if q.sw == 1 {
						copy(dst[lo:hi], src[lo+off:hi+off])
						continue
					}
					s := lo*q.sw + off
					for k := lo; k < hi; k++ {
						dst[k] = src[s]
						s += q.sw
					}
				}
			}
		}
	}
}

// TestConvPatchRowMatchesIm2col checks the implicit im2col used by the
// packers against the explicit patch matrix over random geometries.
func TestConvPatchRowMatchesIm2col(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for trial := 0; trial < 200; trial++ {
		q := convGeom{n: 1, c: 1 + rng.Intn(3), h: 1 + rng.Intn(6), w: 1 + rng.Intn(12), o: 1,
			kh: 1 + rng.Intn(3), kw: 1 + rng.Intn(4), sh: 1 + rng.Intn(3), sw: 1 + rng.Intn(3),
			dh: 1 + rng.Intn(2), dw: 1 + rng.Intn(3)}
		q.ph, q.pw = rng.Intn(q.kh), rng.Intn(q.kw+1)
		q.oh = convOut(q.h, q.kh, q.sh, q.ph, q.dh)
		q.ow = convOut(q.w, q.kw, q.sw, q.pw, q.dw)
		if q.oh < 1 || q.ow < 1 {
			continue
		}
		x := make([]float32, q.c*q.h*q.w)
		for i := range x {
			x[i] = float32(i + 1)
		}
		col := make([]float32, q.rows()*q.cols())
		q.im2col(x, col)
		p := q.cols()
		for r := 0; r < q.rows(); r++ {
			pos0 := rng.Intn(p)
			cnt := 1 + rng.Intn(p-pos0)
			stride := 1 + rng.Intn(3)
			dst := make([]float32, cnt*stride)
			q.patchRow(x, r, pos0, cnt, dst, stride)
			for k := 0; k < cnt; k++ {
				if dst[k*stride] != col[r*p+pos0+k] {
					t.Fatalf("%+v row %d pos %d: %v want %v", q, r, pos0+k, dst[k*stride], col[r*p+pos0+k])
				}
			}
		}
	}
}

// gemmBenchData returns random operands (gonum skips zero multipliers, so
// zeros would flatter it) and an output buffer.
func gemmBenchData(m, n, k int) (a, b, c []float32) {
	rng := rand.New(rand.NewSource(1))
	a, b, c = make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	for i := range b {
		b[i] = float32(rng.NormFloat64())
	}
	return a, b, c
}

// For stride-1 convolutions the input gradient is computed as a
// convolution with flipped, transposed weights; it must equal the
// col2im path for every padding, dilation and kernel shape, batched or not.
func TestConvTransposedInputGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	geoms := []convGeom{
		{n: 2, c: 3, h: 7, w: 9, o: 4, kh: 3, kw: 3, ph: 1, pw: 1, dh: 1, dw: 1},
		{n: 3, c: 2, h: 11, w: 13, o: 5, kh: 3, kw: 5, ph: 2, pw: 1, dh: 2, dw: 3},
		{n: 1, c: 4, h: 1, w: 40, o: 3, kh: 1, kw: 5, ph: 0, pw: 0, dh: 1, dw: 2},
		{n: 2, c: 3, h: 9, w: 8, o: 2, kh: 2, kw: 3, ph: 0, pw: 2, dh: 3, dw: 1},
		{n: 4, c: 5, h: 40, w: 40, o: 6, kh: 3, kw: 3, ph: 4, pw: 4, dh: 4, dw: 4},
	}
	for gi, q := range geoms {
		q.sh, q.sw = 1, 1
		q.oh, q.ow = convOut(q.h, q.kh, 1, q.ph, q.dh), convOut(q.w, q.kw, 1, q.pw, q.dw)
		w := make([]float32, q.o*q.rows())
		gy := make([]float32, q.n*q.o*q.cols())
		for i := range w {
			w[i] = float32(rng.NormFloat64())
		}
		for i := range gy {
			gy[i] = float32(rng.NormFloat64())
		}
		// reference: dcol = wᵀ·dy per sample, then col2im
		want := make([]float32, q.n*q.c*q.h*q.w)
		dcol := make([]float32, q.rows()*q.cols())
		for n := 0; n < q.n; n++ {
			clear(dcol)
			gemmNaive(true, false, q.rows(), q.cols(), q.o, w, q.rows(), gy[n*q.o*q.cols():], q.cols(), dcol, q.cols())
			q.col2im(dcol, q.cols(), want[n*q.c*q.h*q.w:(n+1)*q.c*q.h*q.w])
		}
		for _, maxP := range []int{1 << 30, 0} {
			old := convBatchMaxP
			convBatchMaxP = maxP
			st := q.transposedConv()
			if st == nil {
				t.Fatalf("geometry %d: no transposed convolution", gi)
			}
			wt := make([]float32, len(w))
			q.flipWeights(w, wt)
			got := make([]float32, len(want))
			st.forward(gy, wt, got)
			convBatchMaxP = old
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-4*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("geometry %d, batchMaxP %d: dx[%d] = %g, col2im gives %g", gi, maxP, i, got[i], want[i])
				}
			}
		}
	}
	if (&convGeom{sh: 2, sw: 1, kh: 3, kw: 3, dh: 1, dw: 1}).transposedConv() != nil {
		t.Fatal("strided convolution took the stride-1 shortcut")
	}
}
