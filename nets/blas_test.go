package nets

import (
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestGorgoniaUsesGemm(t *testing.T) {
	if _, ok := G.WhichBLAS().(gemmBLAS); !ok {
		t.Fatalf("Gorgonia's BLAS is %T", G.WhichBLAS())
	}
	if _, ok := tensor.WhichBLAS().(gemmBLAS); !ok {
		t.Fatalf("tensor's BLAS is %T", tensor.WhichBLAS())
	}
}

// Sgemm against the naive product for every transpose, alpha and beta
// (beta 0 must not read C, which holds NaN), with strided operands.
func TestGemmBLASSgemm(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	var impl gemmBLAS
	for _, kern := range gemmTestKernels() {
		withGemmKernel(kern, func() {
			for _, s := range [][3]int{{1, 1, 1}, {3, 5, 0}, {17, 19, 23}, {40, 33, 300}} {
				m, n, k := s[0], s[1], s[2]
				for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans} {
					for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
						for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {0, 0.5}, {2.5, 0}} {
							alpha, beta := ab[0], ab[1]
							ta, tb := tA != blas.NoTrans, tB != blas.NoTrans
							lda, ldb, ldc := k+2, n+1, n+4
							if ta {
								lda = m + 3
							}
							if tb {
								ldb = k + 1
							}
							a := randFloats(rng, lda*max(m, k, 1))
							b := randFloats(rng, ldb*max(n, k, 1))
							c := randFloats(rng, m*ldc)
							want := append([]float32(nil), c...)
							prod := make([]float32, m*ldc)
							gemmNaive(ta, tb, m, n, k, a, lda, b, ldb, prod, ldc)
							for i := 0; i < m; i++ {
								for j := 0; j < n; j++ {
									w := alpha * prod[i*ldc+j]
									if beta != 0 {
										w += beta * c[i*ldc+j]
									}
									want[i*ldc+j] = w
									if beta == 0 {
										c[i*ldc+j] = float32(math.NaN())
									}
								}
							}
							impl.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
							for i := range c {
								if d := math.Abs(float64(c[i] - want[i])); !(d <= 3e-4*math.Sqrt(float64(k+1))) {
									t.Fatalf("%s m%d n%d k%d %c%c alpha %v beta %v: c[%d] = %v, want %v", kern.name, m, n, k, tA, tB, alpha, beta, i, c[i], want[i])
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestGemmBLASPanicsOnBadArguments(t *testing.T) {
	var impl gemmBLAS
	x := make([]float32, 16)
	for name, f := range map[string]func(){
		"transpose": func() { impl.Sgemm('x', blas.NoTrans, 2, 2, 2, 1, x, 2, x, 2, 0, x, 2) },
		"negative":  func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, -1, 2, 2, 1, x, 2, x, 2, 0, x, 2) },
		"lda":       func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, x, 2, x, 2, 0, x, 2) },
		"ldc":       func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, 2, 3, 2, 1, x, 2, x, 3, 0, x, 2) },
		"short":     func() { impl.Sgemm(blas.NoTrans, blas.NoTrans, 4, 4, 4, 1, x, 4, x[:15], 4, 0, x, 4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// A matrix product through Gorgonia (G.Mul → tensor MatMul → gemmBLAS)
// matches the naive one.
func TestGorgoniaMatMul(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	const m, n, k = 9, 37, 21
	a, b := randFloats(rng, m*k), randFloats(rng, k*n)
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(m, k), G.WithValue(tensor.New(tensor.WithShape(m, k), tensor.WithBacking(a))))
	y := G.NewMatrix(g, tensor.Float32, G.WithShape(k, n), G.WithValue(tensor.New(tensor.WithShape(k, n), tensor.WithBacking(b))))
	z := G.Must(G.Mul(x, y))
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := z.Value().Data().([]float32)
	want := make([]float32, m*n)
	gemmNaive(false, false, m, n, k, a, k, b, n, want, n)
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-4 {
			t.Fatalf("z[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}
