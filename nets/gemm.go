package nets

import (
	"runtime"
	"sync"
)

// A cache-blocked float32 matrix product in the style of GotoBLAS: panels
// of A and B are packed so that the innermost kernel reads both
// contiguously and keeps an mr×16 block of C in registers. The kernels
// are chosen for the CPU (gemmKernels): on amd64 AVX-512 (14×16, one ZMM
// register per row) and AVX2+FMA (6×16) assembly, picked per product by
// gemmPick; plain Go (6×16) elsewhere. The FMA kernels round identically;
// the Go kernel multiplies and adds separately.

const (
	gemmNR    = 16   // columns of C per kernel call
	gemmMaxMR = 14   // most rows of C per kernel call
	gemmKC    = 256  // depth of a packed panel (B micro-panel 16 KB, fits L1)
	gemmMCs   = 20   // row panels per packed A block (120 or 280 rows, in L2)
	gemmNC    = 2048 // columns of a packed B block
)

// A gemmKernel adds the product of a packed mr×k A panel and a k×gemmNR
// B block (k > 0; row stride ldb, gemmNR when packed) into the mr×gemmNR
// block of c with row stride ldc, or with store writes the product there
// without reading c. Store saves clearing and re-reading C; the bits are
// those of adding into zeros except that a −0 sum stays −0.
type gemmKernel struct {
	name    string
	mr      int
	rowCost int // relative time per row of C, to compare kernels
	fn      func(k int, a, b, c []float32, ldb, ldc int, store bool)
}

// gemmGo is the pure-Go kernel, the reference the assembly is tested on.
var gemmGo = gemmKernel{"go", 6, 1, gemmKernelGo6}

// gemmKernels lists the kernels this CPU runs, biggest first.
var gemmKernels = cpuGemmKernels()

// gemmPick returns the kernel for a product with m rows: the one with the
// least padded rows (edge panels compute all mr rows) times its cost per
// row. The choice never changes the result's bits.
func gemmPick(m int) gemmKernel {
	cost := func(k gemmKernel) int { return (m + k.mr - 1) / k.mr * k.mr * k.rowCost }
	best := gemmKernels[0]
	for _, k := range gemmKernels[1:] {
		if cost(k) < cost(best) {
			best = k
		}
	}
	return best
}

// gemmWork is the packing space of one gemm worker, reused via a pool.
type gemmWork struct {
	a, b, row []float32
	c         [gemmMaxMR * gemmNR]float32 // edge tiles
}

var gemmPool = sync.Pool{New: func() any {
	return &gemmWork{a: make([]float32, gemmMCs*gemmMaxMR*gemmKC), b: make([]float32, gemmKC*gemmNC), row: make([]float32, gemmNC)}
}}

// sgemm computes C = op(A)·op(B) (+ C when acc) for row-major matrices:
// op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored n×k when
// transB), C is m×n with row stride ldc. lda and ldb are the row strides
// of A and B as stored. Large products are split across GOMAXPROCS
// goroutines by columns of C, which leaves every element's sum unchanged.
func sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, acc bool, c []float32, ldc int) {
	sgemmPacked(transA, m, n, k, a, lda, gemmPackerB(transB, b, ldb), acc, c, ldc)
}

// gemmPackerB returns the packing function of a stored matrix B.
func gemmPackerB(trans bool, b []float32, ldb int) gemmPackFunc {
	return func(p0, kc, j0, nc int, dst, _ []float32) { gemmPackB(trans, b, ldb, p0, kc, j0, nc, dst) }
}

// gemmHankelB gives op(B) in place, unpacked: element (p0+i, j0+j) of
// op(B) is b[i+j] of the returned slice, for j < gemmNR. A convolution's
// patch matrix read from a zero-padded signal has this form (row p+1 is
// row p moved by one sample), so the kernel reads it at row stride 1.
type gemmHankelB func(p0, j0 int) []float32

// gemmPackFunc packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B)
// into panels of gemmNR columns as gemmPackB does. Convolutions pack
// straight from the input signal (implicit im2col).
// scratch holds gemmNC floats private to the calling worker.
type gemmPackFunc func(p0, kc, j0, nc int, dst, scratch []float32)

// sgemmPacked is sgemm with op(B) given by a packing function.
func sgemmPacked(transA bool, m, n, k int, a []float32, lda int, packB gemmPackFunc, acc bool, c []float32, ldc int) {
	gemmRun(transA, m, n, k, a, lda, gemmB{pack: packB}, acc, c, ldc)
}

// sgemmHankel is sgemm with op(B) read in place; n must be a multiple of
// gemmNR. It computes the same bits as packing B would.
func sgemmHankel(m, n, k int, a []float32, lda int, b gemmHankelB, acc bool, c []float32, ldc int) {
	gemmRun(false, m, n, k, a, lda, gemmB{hankel: b}, acc, c, ldc)
}

// gemmB is where the product reads op(B): packed by pack, or in place.
type gemmB struct {
	pack   gemmPackFunc
	hankel gemmHankelB
}

// gemmRun is the product of sgemmPacked and sgemmHankel.
func gemmRun(transA bool, m, n, k int, a []float32, lda int, src gemmB, acc bool, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			gemmClear(0, m, 0, n, c, ldc)
		}
		return
	}
	kern := gemmPick(m)
	workers := runtime.GOMAXPROCS(0)
	if workers > 1 && int64(m)*int64(n)*int64(k) >= 1<<21 {
		// Split the columns of C in multiples of gemmNR or, when C is too
		// narrow for that, its rows in multiples of the kernel's rows.
		// Either way every element's sum is the one serial code computes.
		perN := gemmSplit(n, workers, gemmNR)
		perM := gemmSplit(m, workers, kern.mr)
		if perN < n || perM < m {
			var wg sync.WaitGroup
			run := func(i0, i1, j0, j1 int) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					gemmSerial(kern, transA, i0, i1, j0, j1, k, a, lda, src, acc, c, ldc)
				}()
			}
			if perN < n {
				for j0 := 0; j0 < n; j0 += perN {
					run(0, m, j0, min(j0+perN, n))
				}
			} else {
				for i0 := 0; i0 < m; i0 += perM {
					run(i0, min(i0+perM, m), 0, n)
				}
			}
			wg.Wait()
			return
		}
	}
	gemmSerial(kern, transA, 0, m, 0, n, k, a, lda, src, acc, c, ldc)
}

// gemmSplit returns the share of each of workers in n items, rounded up to
// a multiple of unit.
func gemmSplit(n, workers, unit int) int {
	per := (n + workers - 1) / workers
	return (per + unit - 1) / unit * unit
}

// gemmSerial computes rows [i0, i1) × columns [j0, j1) of
// C = op(A)·op(B) (+ C when acc) with kernel kern; k > 0. Without acc the
// first depth panel stores into C instead of adding, so C is never
// cleared.
func gemmSerial(kern gemmKernel, transA bool, i0, i1, j0, j1, k int, a []float32, lda int, src gemmB, acc bool, c []float32, ldc int) {
	w := gemmPool.Get().(*gemmWork)
	defer gemmPool.Put(w)
	mr := kern.mr
	mcMax := gemmMCs * mr
	for jc := j0; jc < j1; jc += gemmNC {
		nc := min(gemmNC, j1-jc)
		for pc := 0; pc < k; pc += gemmKC {
			kc := min(gemmKC, k-pc)
			store := !acc && pc == 0
			if src.hankel == nil {
				src.pack(pc, kc, jc, nc, w.b, w.row)
			}
			for ic := i0; ic < i1; ic += mcMax {
				mc := min(mcMax, i1-ic)
				gemmPackA(mr, transA, a, lda, ic, mc, pc, kc, w.a)
				for jr := 0; jr < nc; jr += gemmNR {
					nr := min(gemmNR, nc-jr)
					bp, ldb := w.b[jr*kc:], gemmNR
					if src.hankel != nil {
						bp, ldb = src.hankel(pc, jc+jr), 1
					}
					for ir := 0; ir < mc; ir += mr {
						rows := min(mr, mc-ir)
						ap := w.a[ir*kc:]
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && nr == gemmNR {
							kern.fn(kc, ap, bp, c[ci:], ldb, ldc, store)
							continue
						}
						// Edge tile: compute into scratch, keep the valid part.
						t := w.c[:mr*gemmNR]
						kern.fn(kc, ap, bp, t, ldb, gemmNR, true)
						for i := 0; i < rows; i++ {
							row := c[ci+i*ldc : ci+i*ldc+nr]
							if store {
								copy(row, t[i*gemmNR:])
								continue
							}
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

// gemmClear zeroes rows [i0, i1) × columns [j0, j1) of C.
func gemmClear(i0, i1, j0, j1 int, c []float32, ldc int) {
	for i := i0; i < i1; i++ {
		clear(c[i*ldc+j0 : i*ldc+j1])
	}
}

// gemmPackA packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into
// panels of mr rows, depth-major, zero-padding the last panel.
func gemmPackA(mr int, trans bool, a []float32, lda, i0, mc, p0, kc int, dst []float32) {
	d := 0
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		out := dst[d : d+kc*mr]
		d += kc * mr
		switch {
		case trans && rows == 6 && mr == 6:
			// A stored k×m: A(i, p) = a[p*lda+i]; rows are contiguous.
			for p := 0; p < kc; p++ {
				*(*[6]float32)(out[p*6:]) = *(*[6]float32)(a[(p0+p)*lda+i0+ir:])
			}
		case trans:
			for p := 0; p < kc; p++ {
				o := out[p*mr : p*mr+mr]
				copy(o, a[(p0+p)*lda+i0+ir:][:rows])
				clear(o[rows:])
			}
		case rows == 6 && mr == 6:
			// The common case, six rows read side by side.
			r0 := a[(i0+ir)*lda+p0:][:kc]
			r1 := a[(i0+ir+1)*lda+p0:][:kc]
			r2 := a[(i0+ir+2)*lda+p0:][:kc]
			r3 := a[(i0+ir+3)*lda+p0:][:kc]
			r4 := a[(i0+ir+4)*lda+p0:][:kc]
			r5 := a[(i0+ir+5)*lda+p0:][:kc]
			for p := range r0 {
				o := (*[6]float32)(out[p*6:])
				o[0], o[1], o[2], o[3], o[4], o[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
			}
		default:
			for r := 0; r < rows; r++ {
				for p, v := range a[(i0+ir+r)*lda+p0:][:kc] {
					out[p*mr+r] = v
				}
			}
			for r := rows; r < mr; r++ {
				for p := 0; p < kc; p++ {
					out[p*mr+r] = 0
				}
			}
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

// gemmKernelGo6 is gemmKernelGo with six rows, the pure-Go kernel.
func gemmKernelGo6(k int, a, b, c []float32, ldb, ldc int, store bool) {
	gemmKernelGo(6, k, a, b, c, ldb, ldc, store)
}

// gemmKernelGo adds the product of a packed mr×k A panel and a k×16 B
// block (row stride ldb) into the mr×16 block of c with row stride ldc,
// or stores it there (see gemmKernel); the assembly kernels compute the
// same sums with fused multiply-adds. One row at a time keeps its sixteen
// sums in registers.
func gemmKernelGo(mr, k int, a, b, c []float32, ldb, ldc int, store bool) {
	a = a[:k*mr]
	b = b[:(k-1)*ldb+gemmNR]
	for r := 0; r < mr; r++ {
		var s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15 float32
		for p := 0; p < k; p++ {
			av := a[p*mr+r]
			bp := (*[gemmNR]float32)(b[p*ldb:])
			s0 += av * bp[0]
			s1 += av * bp[1]
			s2 += av * bp[2]
			s3 += av * bp[3]
			s4 += av * bp[4]
			s5 += av * bp[5]
			s6 += av * bp[6]
			s7 += av * bp[7]
			s8 += av * bp[8]
			s9 += av * bp[9]
			s10 += av * bp[10]
			s11 += av * bp[11]
			s12 += av * bp[12]
			s13 += av * bp[13]
			s14 += av * bp[14]
			s15 += av * bp[15]
		}
		row := (*[gemmNR]float32)(c[r*ldc:])
		if store {
			*row = [gemmNR]float32{s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15}
			continue
		}
		row[0] += s0
		row[1] += s1
		row[2] += s2
		row[3] += s3
		row[4] += s4
		row[5] += s5
		row[6] += s6
		row[7] += s7
		row[8] += s8
		row[9] += s9
		row[10] += s10
		row[11] += s11
		row[12] += s12
		row[13] += s13
		row[14] += s14
		row[15] += s15
	}
}
