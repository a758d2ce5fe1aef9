package nets

import (
	"math"
	"math/rand"
	"runtime"
	"testing"
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

// withGemmKernel runs f with every product using kernel k.
func withGemmKernel(k gemmKernel, f func()) {
	old := gemmKernels
	gemmKernels = []gemmKernel{k}
	defer func() { gemmKernels = old }()
	f()
}

// gemmTestKernels is every kernel this CPU runs and the pure-Go one.
func gemmTestKernels() []gemmKernel {
	ks := append([]gemmKernel(nil), gemmKernels...)
	if ks[len(ks)-1].name != gemmGo.name {
		ks = append(ks, gemmGo)
	}
	return ks
}

func randFloats(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func TestSgemmMatchesNaive(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {6, 16, 3}, {7, 17, 5}, {14, 16, 9}, {29, 31, 257}, {13, 40, 300}, {130, 33, 9}, {300, 20, 7}, {16, 2100, 64}, {5, 3, 600}}
	for _, kern := range gemmTestKernels() {
		rng := rand.New(rand.NewSource(1))
		withGemmKernel(kern, func() {
			for _, procs := range []int{1, 2} {
				old := runtime.GOMAXPROCS(procs)
				for _, s := range sizes {
					m, n, k := s[0], s[1], s[2]
					for _, ta := range []bool{false, true} {
						for _, tb := range []bool{false, true} {
							for _, acc := range []bool{false, true} {
								// Row strides wider than the rows check they are honoured.
								lda, ldb := k+1, n+2
								if ta {
									lda = m + 1
								}
								if tb {
									ldb = k + 2
								}
								a := randFloats(rng, lda*max(m, k))
								b := randFloats(rng, ldb*max(n, k))
								ldc := n + 3
								c := randFloats(rng, m*ldc)
								want := append([]float32(nil), c...)
								if !acc {
									for i := 0; i < m; i++ {
										clear(want[i*ldc : i*ldc+n])
									}
								}
								gemmNaive(ta, tb, m, n, k, a, lda, b, ldb, want, ldc)
								sgemm(ta, tb, m, n, k, a, lda, b, ldb, acc, c, ldc)
								for i := range c {
									if d := math.Abs(float64(c[i] - want[i])); d > 1e-4*math.Sqrt(float64(k))+1e-5 {
										t.Fatalf("%s m%d n%d k%d ta%v tb%v acc%v procs%d: c[%d]=%v want %v", kern.name, m, n, k, ta, tb, acc, procs, i, c[i], want[i])
									}
								}
							}
						}
					}
				}
				runtime.GOMAXPROCS(old)
			}
		})
	}
}

// The assembly kernels must compute what the Go kernel of the same height
// does: exactly on small integers (no rounding), closely on random values.
func TestGemmKernelsMatchGo(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, kern := range gemmKernels {
		for _, exact := range []bool{true, false} {
			k, mr, ldc := 37, kern.mr, 20
			a := make([]float32, k*mr)
			b := make([]float32, k*gemmNR)
			for i := range a {
				a[i] = float32(i%11) - 5
				if !exact {
					a[i] = float32(rng.NormFloat64())
				}
			}
			for i := range b {
				b[i] = float32(i%7) - 3
				if !exact {
					b[i] = float32(rng.NormFloat64())
				}
			}
			// ldb 1 reads B in place, as sgemmHankel does.
			for _, ldb := range []int{gemmNR, 1} {
				for _, store := range []bool{false, true} {
					c0 := randFloats(rng, mr*ldc)
					c1 := append([]float32(nil), c0...)
					c2 := append([]float32(nil), c0...)
					kern.fn(k, a, b, c1, ldb, ldc, store)
					gemmKernelGo(mr, k, a, b, c2, ldb, ldc, store)
					for i := range c1 {
						if exact && c1[i] != c2[i] || math.Abs(float64(c1[i]-c2[i])) > 1e-4 {
							t.Fatalf("%s exact %v ldb %d store %v: c[%d]: %v vs Go %v", kern.name, exact, ldb, store, i, c1[i], c2[i])
						}
						if i%ldc >= gemmNR && c1[i] != c0[i] {
							t.Fatalf("%s store %v wrote c[%d] outside its 16 columns", kern.name, store, i)
						}
					}
				}
			}
		}
	}
}

// The FMA kernels round alike, so a product gives the same bits whichever
// of them runs and however many goroutines share it.
func TestSgemmBitIdentical(t *testing.T) {
	// Wide products are split by columns, narrow ones by rows.
	for _, sz := range [][3]int{{45, 700, 300}, {1000, 12, 300}} {
		testSgemmBitIdentical(t, sz[0], sz[1], sz[2])
	}
}

func testSgemmBitIdentical(t *testing.T, m, n, k int) {
	rng := rand.New(rand.NewSource(3))
	a, b := randFloats(rng, m*k), randFloats(rng, k*n)
	var ref []float32
	var refName string
	for _, kern := range gemmKernels {
		withGemmKernel(kern, func() {
			for _, procs := range []int{1, 2, 3} {
				old := runtime.GOMAXPROCS(procs)
				c := make([]float32, m*n)
				sgemm(false, false, m, n, k, a, k, b, n, false, c, n)
				runtime.GOMAXPROCS(old)
				if ref == nil {
					ref, refName = c, kern.name
					continue
				}
				for i := range c {
					if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%d×%d×%d: %s with GOMAXPROCS %d: c[%d] = %v, %s with 1: %v", m, n, k, kern.name, procs, i, c[i], refName, ref[i])
					}
				}
			}
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

func TestGemmPick(t *testing.T) {
	old := gemmKernels
	defer func() { gemmKernels = old }()
	gemmKernels = []gemmKernel{{name: "big", mr: 14, rowCost: 8}, {name: "small", mr: 6, rowCost: 7}}
	for m, want := range map[int]string{1: "small", 6: "small", 13: "big", 14: "big", 16: "small", 28: "small", 42: "small", 1024: "small"} {
		if got := gemmPick(m).name; got != want {
			t.Errorf("m = %d: %s kernel, want %s", m, got, want)
		}
	}
}
