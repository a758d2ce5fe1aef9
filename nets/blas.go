package nets

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	G "gorgonia.org/gorgonia"
)

// Gorgonia's tensor engine multiplies float32 matrices (MatMul, and so
// G.Mul of two matrices) through a BLAS, gonum's pure-Go one by default;
// importing nets makes it use this package's GEMM for that.
func init() { G.Use(gemmBLAS{}) }

// gemmBLAS is gonum's BLAS with Sgemm replaced by sgemm.
type gemmBLAS struct{ gonum.Implementation }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C with the BLAS contract
// (row-major, op(A) m×k, op(B) k×n; C is not read when beta is 0) and
// panics on bad arguments as gonum's does.
func (gemmBLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := blasTrans(tA), blasTrans(tB)
	if m < 0 || n < 0 || k < 0 {
		panic("blas: negative matrix size")
	}
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) {
		panic("blas: leading dimension too small")
	}
	if m == 0 || n == 0 {
		return
	}
	if (ar > 0 && len(a) < lda*(ar-1)+ac) || (br > 0 && len(b) < ldb*(br-1)+bc) || len(c) < ldc*(m-1)+n {
		panic("blas: matrix slice too short")
	}
	if beta != 1 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if alpha == 0 || k == 0 {
		return
	}
	if alpha == 1 {
		sgemmPacked(ta, m, n, k, a, lda, gemmPackerB(tb, b, ldb), true, c, ldc)
		return
	}
	// C += alpha·(op(A)·op(B)), the product rounded first as BLAS does.
	t := make([]float32, m*n)
	sgemmPacked(ta, m, n, k, a, lda, gemmPackerB(tb, b, ldb), false, t, n)
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j, v := range t[i*n : i*n+n] {
			row[j] += alpha * v
		}
	}
}

// blasTrans reports whether t transposes (real matrices: ConjTrans is Trans).
func blasTrans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("blas: bad transpose")
}
