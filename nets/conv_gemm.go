package nets

import (
	"runtime"
	"sync"
)

// A cache-blocked float32 matrix product in the style of GotoBLAS: panels
// of A and B are packed so that the innermost kernel reads both
// contiguously and keeps a 6×16 block of C in registers. On amd64 with
// AVX2 and FMA the kernel is assembly; elsewhere it is plain Go.

const (
	gemmMR = 6    // rows of C per kernel call
	gemmNR = 16   // columns of C per kernel call
	gemmKC = 256  // depth of a packed panel (B micro-panel 16 KB, fits L1)
	gemmMC = 120  // rows of a packed A block (120 KB, fits L2)
	gemmNC = 2048 // columns of a packed B block
)

// gemmWork is the packing space of one gemm worker, reused via a pool.
type gemmWork struct {
	a, b, row []float32
	c         [gemmMR * gemmNR]float32 // edge tiles
}

var gemmPool = sync.Pool{New: func() any {
	return &gemmWork{a: make([]float32, gemmMC*gemmKC), b: make([]float32, gemmKC*gemmNC), row: make([]float32, gemmNC)}
}}

// convGemm computes C = op(A)·op(B) (+ C when acc) for row-major matrices:
// op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored n×k when
// transB), C is m×n with row stride ldc. lda and ldb are the row strides
// of A and B as stored. Large products are split across GOMAXPROCS
// goroutines by columns of C.
func convGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, acc bool, c []float32, ldc int) {
	packB := func(p0, kc, j0, nc int, dst, _ []float32) { gemmPackB(transB, b, ldb, p0, kc, j0, nc, dst) }
	convGemmPacked(transA, m, n, k, a, lda, packB, acc, c, ldc)
}

// gemmPackFunc packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B)
// into panels of gemmNR columns as gemmPackB does. Convolutions pack
// straight from the input signal (implicit im2col).
// scratch holds gemmNC floats private to the calling worker.
type gemmPackFunc func(p0, kc, j0, nc int, dst, scratch []float32)

// convGemmPacked is convGemm with op(B) given by a packing function.
func convGemmPacked(transA bool, m, n, k int, a []float32, lda int, packB gemmPackFunc, acc bool, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if !acc {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	if k == 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if workers > 1 && int64(m)*int64(n)*int64(k) >= 1<<21 {
		// Split the columns of C in multiples of gemmNR.
		per := (n + workers - 1) / workers
		per = (per + gemmNR - 1) / gemmNR * gemmNR
		if per < n {
			var wg sync.WaitGroup
			for j0 := 0; j0 < n; j0 += per {
				j1 := min(j0+per, n)
				wg.Add(1)
				go func(j0, j1 int) {
					defer wg.Done()
					gemmSerial(transA, m, j0, j1, k, a, lda, packB, c, ldc)
				}(j0, j1)
			}
			wg.Wait()
			return
		}
	}
	gemmSerial(transA, m, 0, n, k, a, lda, packB, c, ldc)
}

// gemmSerial adds op(A)·op(B) into columns [j0, j1) of C.
func gemmSerial(transA bool, m, j0, j1, k int, a []float32, lda int, packB gemmPackFunc, c []float32, ldc int) {
	w := gemmPool.Get().(*gemmWork)
	defer gemmPool.Put(w)
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			packB(pc, kc, jc, nc, w.b, w.row)
			for ic := 0; ic < m; ic += gemmMC {
				mc := min(gemmMC, m-ic)
				gemmPackA(transA, a, lda, ic, mc, pc, kc, w.a)
				for jr := 0; jr < nc; jr += gemmNR {
					nr := min(gemmNR, nc-jr)
					bp := w.b[jr*kc:]
					for ir := 0; ir < mc; ir += gemmMR {
						mr := min(gemmMR, mc-ir)
						ap := w.a[ir*kc:]
						ci := (ic+ir)*ldc + jc + jr
						if mr == gemmMR && nr == gemmNR {
							gemmKernel(kc, ap, bp, c[ci:], ldc)
							continue
						}
						// Edge tile: compute into scratch, add the valid part.
						t := w.c[:]
						clear(t)
						gemmKernel(kc, ap, bp, t, gemmNR)
						for i := 0; i < mr; i++ {
							row := c[ci+i*ldc : ci+i*ldc+nr]
							for j := range row {
								row[j] += t[i*gemmNR+j]
							}
						}
					}
				}
			}
		}
	}
}

// gemmPackA packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into
// panels of gemmMR rows, depth-major, zero-padding the last panel.
func gemmPackA(trans bool, a []float32, lda, i0, mc, p0, kc int, dst []float32) {
	d := 0
	for ir := 0; ir < mc; ir += gemmMR {
		mr := min(gemmMR, mc-ir)
		if trans {
			// A stored k×m: A(i, p) = a[p*lda+i]; rows are contiguous.
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+i0+ir:]
				out := dst[d : d+gemmMR]
				if mr == gemmMR {
					*(*[gemmMR]float32)(out) = *(*[gemmMR]float32)(src)
				} else {
					for r := range out {
						out[r] = 0
						if r < mr {
							out[r] = src[r]
						}
					}
				}
				d += gemmMR
			}
			continue
		}
		if mr == gemmMR {
			r0 := a[(i0+ir)*lda+p0:][:kc]
			r1 := a[(i0+ir+1)*lda+p0:][:kc]
			r2 := a[(i0+ir+2)*lda+p0:][:kc]
			r3 := a[(i0+ir+3)*lda+p0:][:kc]
			r4 := a[(i0+ir+4)*lda+p0:][:kc]
			r5 := a[(i0+ir+5)*lda+p0:][:kc]
			out := dst[d : d+kc*gemmMR]
			for p := range r0 {
				o := (*[gemmMR]float32)(out[p*gemmMR:])
				o[0], o[1], o[2], o[3], o[4], o[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
			d += kc * gemmMR
			continue
		}
		var rows [gemmMR][]float32
		for r := 0; r < mr; r++ {
			base := (i0+ir+r)*lda + p0
			rows[r] = a[base : base+kc]
		}
		for p := 0; p < kc; p++ {
			out := dst[d : d+gemmMR]
			for r := 0; r < gemmMR; r++ {
				if r < mr {
					out[r] = rows[r][p]
				} else {
					out[r] = 0
				}
			}
			d += gemmMR
		}
	}
}

// gemmPackB packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into
// panels of gemmNR columns, depth-major, zero-padding the last panel.
func gemmPackB(trans bool, b []float32, ldb, p0, kc, j0, nc int, dst []float32) {
	if !trans {
		for p := 0; p < kc; p++ {
			gemmPackRow(b[(p0+p)*ldb+j0:][:nc], p, kc, dst)
		}
		return
	}
	d := 0
	for jr := 0; jr < nc; jr += gemmNR {
		nr := min(gemmNR, nc-jr)
		// B stored n×k: B(p, j) = b[j*ldb+p].
		for c := 0; c < gemmNR; c++ {
			if c >= nr {
				for p := 0; p < kc; p++ {
					dst[d+p*gemmNR+c] = 0
				}
				continue
			}
			src := b[(j0+jr+c)*ldb+p0 : (j0+jr+c)*ldb+p0+kc]
			for p, v := range src {
				dst[d+p*gemmNR+c] = v
			}
		}
		d += kc * gemmNR
	}
}

// gemmPackRow scatters row p of a k×n block (n = len(row)) into its
// gemmNR-column panels, zero-padding the last one. Reading a whole row at a
// time keeps the source access sequential.
func gemmPackRow(row []float32, p, kc int, dst []float32) {
	n := len(row)
	full := n / gemmNR * gemmNR
	for jr := 0; jr < full; jr += gemmNR {
		*(*[gemmNR]float32)(dst[jr*kc+p*gemmNR:]) = *(*[gemmNR]float32)(row[jr:])
	}
	if full < n {
		out := dst[full*kc+p*gemmNR:][:gemmNR]
		copy(out, row[full:])
		clear(out[n-full:])
	}
}

// gemmKernelGo adds the product of a packed 6×k A panel and a packed k×16
// B panel into the 6×16 block of c with row stride ldc.
func gemmKernelGo(k int, a, b, c []float32, ldc int) {
	var acc [gemmMR][gemmNR]float32
	a = a[:k*gemmMR]
	b = b[:k*gemmNR]
	for p := 0; p < k; p++ {
		bp := b[p*gemmNR : p*gemmNR+gemmNR]
		ap := a[p*gemmMR : p*gemmMR+gemmMR]
		for r := 0; r < gemmMR; r++ {
			av := ap[r]
			row := &acc[r]
			for j := 0; j < gemmNR; j++ {
				row[j] += av * bp[j]
			}
		}
	}
	for r := 0; r < gemmMR; r++ {
		row := c[r*ldc : r*ldc+gemmNR]
		for j := range row {
			row[j] += acc[r][j]
		}
	}
}
