package dsp

import (
	"fmt"
	"math"
	"math/bits"
	"sync"
)

// FFT is a reusable plan for the discrete Fourier transform of real
// sequences of one length n ≥ 1. Forward is numpy.fft.rfft / torch.fft.rfft
// (n/2+1 bins, unnormalised) and Inverse is irfft (scaled by 1/n).
//
// Even lengths run as a complex transform of length n/2 followed by a
// real-to-complex split step (odd lengths as a complex transform of length
// n). Powers of two use an iterative radix-4 kernel with precomputed
// twiddles; lengths whose prime factors are at most 31 use self-sorting
// mixed-radix passes; the rest use Bluestein's algorithm. Every length
// costs O(n log n) and is accurate to a few ulps of the largest bin.
//
// An FFT is safe for concurrent use by multiple goroutines.
type FFT struct {
	n    int
	half *cplan       // n even: complex plan of n/2
	full *cplan       // n odd: complex plan of n
	post []complex128 // exp(-2πik/n), k in [0, n/4]: the split-step twiddles
	// unsplitIdx[k] is where unsplit stores Z'[k]: the bit-reversed
	// position for power-of-two plans (which start from bit-reversed
	// input), k otherwise.
	unsplitIdx []int32
	pool       sync.Pool // *fftWork
}

// fftWork is per-call scratch space.
type fftWork struct {
	z   []complex128
	tmp []complex128 // mixed-radix or Bluestein scratch
}

// NewFFT returns a plan for real transforms of length n. It panics if n < 1.
func NewFFT(n int) *FFT {
	if n < 1 {
		panic(fmt.Sprintf("dsp: NewFFT: length %d < 1", n))
	}
	f := &FFT{n: n}
	if n%2 == 0 {
		m := n / 2
		f.half = newCplan(m)
		f.post = make([]complex128, m/2+1)
		for k := range f.post {
			s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
			f.post[k] = complex(c, s)
		}
		f.unsplitIdx = f.half.rev
		if f.unsplitIdx == nil {
			f.unsplitIdx = make([]int32, m)
			for k := range f.unsplitIdx {
				f.unsplitIdx[k] = int32(k)
			}
		}
	} else {
		f.full = newCplan(n)
	}
	f.pool.New = func() any { return f.newWork() }
	return f
}

func (f *FFT) newWork() *fftWork {
	p := f.half
	if p == nil {
		p = f.full
	}
	w := &fftWork{z: make([]complex128, p.n)}
	if k := p.scratchLen(); k > 0 {
		w.tmp = make([]complex128, k)
	}
	return w
}

// Len returns the transform length n.
func (f *FFT) Len() int { return f.n }

// Bins returns n/2+1, the number of bins of a real transform of length n.
func (f *FFT) Bins() int { return f.n/2 + 1 }

// Forward computes the n/2+1 bins X[k] = Σ src[j]·exp(−2πijk/n) of the real
// sequence src (len n) into dst, which is reused if its capacity suffices,
// and returns it. It panics if len(src) != n.
func (f *FFT) Forward(dst []complex128, src []float64) []complex128 {
	if len(src) != f.n {
		panic(fmt.Sprintf("dsp: FFT.Forward: input length %d, plan length %d", len(src), f.n))
	}
	nb := f.n/2 + 1
	if cap(dst) < nb {
		dst = make([]complex128, nb)
	}
	dst = dst[:nb]
	w := f.pool.Get().(*fftWork)
	defer f.pool.Put(w)
	if f.half == nil {
		z := w.z
		for j, v := range src {
			z[j] = complex(v, 0)
		}
		f.full.transform(z, w.tmp)
		copy(dst, z[:nb])
		return dst
	}
	z := w.z
	f.half.load(z, src)
	f.half.transformLoaded(z, w.tmp)
	f.split(dst, z)
	return dst
}

// load writes the real sequence src (len 2·p.n) as z[j] = src[2j] + i·src[2j+1]
// into z, in the order transformLoaded expects.
func (p *cplan) load(z []complex128, src []float64) {
	if p.rev != nil {
		rev := p.rev[:len(z)]
		src = src[:2*len(z)]
		for j, r := range rev {
			z[r] = complex(src[2*j], src[2*j+1])
		}
		return
	}
	for j := range z {
		z[j] = complex(src[2*j], src[2*j+1])
	}
}

// transformLoaded finishes a forward transform of z filled by load.
func (p *cplan) transformLoaded(z, tmp []complex128) {
	if p.rev != nil {
		p.runBitrev(z)
		return
	}
	if p.radices != nil {
		p.stockham(z, tmp)
		return
	}
	p.bluestein(z, tmp)
}

// split turns Z = DFT_m(x[2j] + i·x[2j+1]) into the m+1 bins of the real
// DFT of x (n = 2m): X[k] = E[k] + W^k·O[k] with E, O the transforms of the
// even and odd samples, recovered from Z[k] and conj(Z[m−k]).
func (f *FFT) split(dst []complex128, z []complex128) {
	m := len(z)
	dst = dst[:m+1]
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0)
	dst[m] = complex(real(z0)-imag(z0), 0)
	post := f.post
	for k := 1; k <= m/2; k++ {
		zk := z[k]
		zm := z[m-k]
		// e = (zk + conj zm)/2, o = (zk − conj zm)/(2i)
		er := 0.5 * (real(zk) + real(zm))
		ei := 0.5 * (imag(zk) - imag(zm))
		or := 0.5 * (imag(zk) + imag(zm))
		oi := -0.5 * (real(zk) - real(zm))
		w := post[k]
		tr := real(w)*or - imag(w)*oi
		ti := real(w)*oi + imag(w)*or
		dst[k] = complex(er+tr, ei+ti)
		dst[m-k] = complex(er-tr, ti-ei)
	}
}

// Inverse computes the real sequence x[j] = (1/n)·Σ X[k]·exp(2πijk/n) of
// length n whose spectrum has the n/2+1 bins src (numpy.fft.irfft with
// n given). As in numpy and torch, the imaginary parts of the DC bin and,
// for even n, of the Nyquist bin are ignored. dst is reused if its capacity
// suffices. It panics if len(src) != n/2+1.
func (f *FFT) Inverse(dst []float64, src []complex128) []float64 {
	nb := f.n/2 + 1
	if len(src) != nb {
		panic(fmt.Sprintf("dsp: FFT.Inverse: %d bins, plan of length %d wants %d", len(src), f.n, nb))
	}
	if cap(dst) < f.n {
		dst = make([]float64, f.n)
	}
	dst = dst[:f.n]
	w := f.pool.Get().(*fftWork)
	f.inverseWith(dst, src, w, nil)
	f.pool.Put(w)
	return dst
}

// inverseWith is Inverse with caller-provided scratch; len(dst) == n. If
// win is not nil (len n), each output sample is also multiplied by it, as
// (x[j]·(1/n))·win[j].
func (f *FFT) inverseWith(dst []float64, src []complex128, w *fftWork, win []float64) {
	scale := 1 / float64(f.n)
	z := w.z
	dst = dst[:f.n]
	if f.half == nil {
		n := f.n
		// Unnormalised inverse as conj(DFT(conj Y)) of the full Hermitian Y.
		z[0] = complex(real(src[0]), 0)
		for k := 1; k < len(src); k++ {
			v := src[k]
			z[k] = complex(real(v), -imag(v))
			z[n-k] = v
		}
		f.full.transform(z, w.tmp)
		for j := range dst {
			dst[j] = real(z[j]) * scale
		}
	} else {
		f.unsplit(z, src)
		f.half.transformLoaded(z, w.tmp)
		if win != nil {
			win = win[:len(dst)]
			for j, v := range z {
				dst[2*j] = real(v) * scale * win[2*j]
				dst[2*j+1] = -imag(v) * scale * win[2*j+1]
			}
			return
		}
		for j, v := range z {
			dst[2*j] = real(v) * scale
			dst[2*j+1] = -imag(v) * scale
		}
	}
	if win != nil {
		for j, v := range win[:len(dst)] {
			dst[j] *= v
		}
	}
}

// unsplit is the inverse of split: from the m+1 bins X it forms
// conj(Z'[k]) with Z'[k] = (X[k] + conj X[m−k]) + i·conj(W^k)·(X[k] − conj X[m−k])
// and stores it where transformLoaded expects it, so that a forward
// transform followed by conjugation yields the unnormalised inverse.
func (f *FFT) unsplit(z []complex128, src []complex128) {
	m := len(z)
	idx := f.unsplitIdx[:m]
	src = src[:m+1]
	x0, xm := real(src[0]), real(src[m])
	// k = 0: E = x0+xm, D = x0−xm, Z' = E + iD; store conj.
	z[idx[0]] = complex(x0+xm, -(x0 - xm))
	post := f.post[:m/2+1]
	for k := 1; k <= m/2; k++ {
		a := src[k]
		b := src[m-k]
		// E = a + conj b, D = a − conj b, T = i·conj(W)·D
		er, ei := real(a)+real(b), imag(a)-imag(b)
		dr, di := real(a)-real(b), imag(a)+imag(b)
		w := post[k]
		// conj(W)·D
		cr := real(w)*dr + imag(w)*di
		ci := real(w)*di - imag(w)*dr
		tr, ti := -ci, cr // i·(cr + i·ci)
		// Z'[k] = E + T, Z'[m−k] = conj(E − T); store conjugates.
		z[idx[k]] = complex(er+tr, -(ei + ti))
		if k != m-k {
			z[idx[m-k]] = complex(er-tr, ei-ti)
		}
	}
}

// cplan is an immutable plan for the unnormalised forward complex DFT of
// length n. Powers of two run in place from bit-reversed input; lengths
// whose prime factors are all ≤ maxRadix use a mixed-radix Stockham
// transform; the rest use Bluestein's chirp-z algorithm with a power-of-two
// plan.
type cplan struct {
	n      int
	rev    []int32 // power of two: bit-reversal permutation
	stages []cstage
	// mixed radix: radices[s] and twiddles mtw[s][k*(r−1)+q−1] = W_{r·p}^{qk}
	// with p the product of the radices before s; gen[r] = W_r^j for
	// radices without a dedicated kernel.
	radices []int
	mtw     [][]complex128
	gen     map[int][]complex128
	// Bluestein
	bn    int
	bplan *cplan
	chirp []complex128 // exp(−iπ j²/n)
	bk    []complex128 // DFT of the conjugate chirp kernel, scaled by 1/bn
}

// cstage is one radix-4 pass over sub-transforms of length h (or the
// initial radix-2 pass when radix == 2). tw holds W^j, W^2j, W^3j with
// W = exp(−2πi/4h) for j in [0, h).
type cstage struct {
	radix, h   int
	tw         []complex128
	w1, w2, w3 []complex128 // the same twiddles as three arrays
}

func newCplan(n int) *cplan {
	p := &cplan{n: n}
	if n&(n-1) == 0 {
		logn := bits.TrailingZeros(uint(n))
		p.rev = make([]int32, n)
		for i := range p.rev {
			if logn > 0 {
				p.rev[i] = int32(bits.Reverse32(uint32(i)) >> (32 - logn))
			}
		}
		h := 1
		if logn%2 == 1 {
			p.stages = append(p.stages, cstage{radix: 2, h: 1})
			h = 2
		}
		for ; 4*h <= n; h *= 4 {
			s := cstage{radix: 4, h: h, tw: make([]complex128, 3*h)}
			for j := 0; j < h; j++ {
				for q := 1; q <= 3; q++ {
					sn, cs := math.Sincos(-2 * math.Pi * float64(q*j) / float64(4*h))
					s.tw[3*j+q-1] = complex(cs, sn)
				}
			}
			s.w1, s.w2, s.w3 = make([]complex128, h), make([]complex128, h), make([]complex128, h)
			for j := 0; j < h; j++ {
				s.w1[j], s.w2[j], s.w3[j] = s.tw[3*j], s.tw[3*j+1], s.tw[3*j+2]
			}
			p.stages = append(p.stages, s)
		}
		return p
	}
	if rs := fftFactor(n); rs != nil {
		p.radices = rs
		pp := 1
		for _, r := range rs {
			tw := make([]complex128, pp*(r-1))
			for k := 0; k < pp; k++ {
				for q := 1; q < r; q++ {
					// q·k < r·pp, so the angle is reduced exactly.
					sn, cs := math.Sincos(-2 * math.Pi * float64(q*k) / float64(r*pp))
					tw[k*(r-1)+q-1] = complex(cs, sn)
				}
			}
			p.mtw = append(p.mtw, tw)
			if r > 5 && r != 4 {
				if p.gen == nil {
					p.gen = map[int][]complex128{}
				}
				g := make([]complex128, r)
				for j := range g {
					sn, cs := math.Sincos(-2 * math.Pi * float64(j) / float64(r))
					g[j] = complex(cs, sn)
				}
				p.gen[r] = g
			}
			pp *= r
		}
		return p
	}
	bn := 1
	for bn < 2*n-1 {
		bn *= 2
	}
	p.bn = bn
	p.bplan = newCplan(bn)
	p.chirp = make([]complex128, n)
	for j := range p.chirp {
		// j² mod 2n keeps the angle small and exact.
		jj := (uint64(j) * uint64(j)) % uint64(2*n)
		sn, cs := math.Sincos(-math.Pi * float64(jj) / float64(n))
		p.chirp[j] = complex(cs, sn)
	}
	p.bk = make([]complex128, bn)
	p.bk[0] = 1
	for j := 1; j < n; j++ {
		c := p.chirp[j]
		c = complex(real(c), -imag(c))
		p.bk[j] = c
		p.bk[bn-j] = c
	}
	p.bplan.transform(p.bk, nil)
	s := complex(1/float64(bn), 0)
	for i := range p.bk {
		p.bk[i] *= s
	}
	return p
}

// transform computes the forward DFT of z in place, natural order in and
// out. tmp must have length p.scratchLen().
func (p *cplan) transform(z, tmp []complex128) {
	if p.rev != nil {
		for i, r := range p.rev {
			if int(r) > i {
				z[i], z[r] = z[r], z[i]
			}
		}
		p.runBitrev(z)
		return
	}
	if p.radices != nil {
		p.stockham(z, tmp)
		return
	}
	p.bluestein(z, tmp)
}

// scratchLen is the length of the tmp slice transform needs.
func (p *cplan) scratchLen() int {
	if p.radices != nil {
		return p.n
	}
	return p.bn
}

// bluestein computes X[k] = c[k]·Σ_j (z[j]·c[j])·conj(c[k−j]) with the chirp
// c[j] = exp(−iπj²/n), the convolution done by power-of-two transforms.
func (p *cplan) bluestein(z, tmp []complex128) {
	n, bn := p.n, p.bn
	tmp = tmp[:bn]
	for j := 0; j < n; j++ {
		tmp[j] = z[j] * p.chirp[j]
	}
	clear(tmp[n:])
	p.bplan.transform(tmp, nil)
	// Inverse by conjugation: ifft(a) = conj(fft(conj a))/bn (1/bn is in bk).
	for i, v := range tmp {
		v *= p.bk[i]
		tmp[i] = complex(real(v), -imag(v))
	}
	p.bplan.transform(tmp, nil)
	for k := 0; k < n; k++ {
		v := tmp[k]
		z[k] = complex(real(v), -imag(v)) * p.chirp[k]
	}
}

// runBitrev runs the butterfly passes on z, whose elements are in
// bit-reversed order, leaving the DFT in natural order.
func (p *cplan) runBitrev(z []complex128) { p.runStages(z, 0, len(p.stages)) }

// loadFirst does the work of load followed by the first butterfly pass
// for u[j] = frame[2j]·w[2j] + i·frame[2j+1]·w[2j+1]: windowing, packing,
// bit-reversed reading and the twiddle-free first pass in one sweep. The
// window comes as firstWindow(w) made it, in the order this loop reads it.
// p.n must be a power of two ≥ 4; runStages(z, 1, …) completes the
// transform.
func (p *cplan) loadFirst(z []complex128, frame, wperm []float64) {
	m := p.n
	frame = frame[:2*m]
	rev := p.rev[:m]
	if p.stages[0].radix == 2 {
		o := m // frame offset of u[r+m/2]
		wperm = wperm[:2*m]
		for i := 0; i < m; i += 2 {
			r := 2 * int(rev[i]) // z[i], z[i+1] hold u[r], u[r+m/2]
			wp := wperm[2*i : 2*i+4 : 2*i+4]
			ar, ai := frame[r]*wp[0], frame[r+1]*wp[1]
			br, bi := frame[r+o]*wp[2], frame[r+o+1]*wp[3]
			q := z[i : i+2 : i+2]
			q[0] = complex(ar+br, ai+bi)
			q[1] = complex(ar-br, ai-bi)
		}
		return
	}
	o1, o2, o3 := m/2, m, 3*m/2 // frame offsets of u[r+m/4], u[r+m/2], u[r+3m/4]
	wperm = wperm[:2*m]
	for i := 0; i < m; i += 4 {
		// z[i..i+3] hold u[r], u[r+m/2], u[r+m/4], u[r+3m/4].
		r := 2 * int(rev[i])
		wp := wperm[2*i : 2*i+8 : 2*i+8]
		ar, ai := frame[r]*wp[0], frame[r+1]*wp[1]
		br, bi := frame[r+o2]*wp[2], frame[r+o2+1]*wp[3]
		cr, ci := frame[r+o1]*wp[4], frame[r+o1+1]*wp[5]
		dr, di := frame[r+o3]*wp[6], frame[r+o3+1]*wp[7]
		t0r, t0i := ar+br, ai+bi
		t1r, t1i := ar-br, ai-bi
		t2r, t2i := cr+dr, ci+di
		t3r, t3i := cr-dr, ci-di
		q := z[i : i+4 : i+4]
		q[0] = complex(t0r+t2r, t0i+t2i)
		q[2] = complex(t0r-t2r, t0i-t2i)
		q[1] = complex(t1r+t3i, t1i-t3r)
		q[3] = complex(t1r-t3i, t1i+t3r)
	}
}

// firstWindow returns the window w (len 2·p.n) reordered as loadFirst
// reads it.
func (p *cplan) firstWindow(w []float64) []float64 {
	m := p.n
	out := make([]float64, 0, 2*m)
	if p.stages[0].radix == 2 {
		for i := 0; i < m; i += 2 {
			r := 2 * int(p.rev[i])
			out = append(out, w[r], w[r+1], w[r+m], w[r+m+1])
		}
		return out
	}
	for i := 0; i < m; i += 4 {
		r := 2 * int(p.rev[i])
		out = append(out, w[r], w[r+1], w[r+m], w[r+m+1], w[r+m/2], w[r+m/2+1], w[r+3*m/2], w[r+3*m/2+1])
	}
	return out
}

// runStages runs butterfly passes [from, to).
func (p *cplan) runStages(z []complex128, from, to int) {
	n := len(z)
	for _, s := range p.stages[from:to] {
		h := s.h
		if s.radix == 2 {
			for i := 0; i+1 < n; i += 2 {
				a, b := z[i], z[i+1]
				z[i], z[i+1] = a+b, a-b
			}
			continue
		}
		if h == 1 {
			for i := 0; i+3 < n; i += 4 {
				q := z[i : i+4 : i+4]
				a, b, c, d := q[0], q[1], q[2], q[3]
				t0r, t0i := real(a)+real(b), imag(a)+imag(b)
				t1r, t1i := real(a)-real(b), imag(a)-imag(b)
				t2r, t2i := real(c)+real(d), imag(c)+imag(d)
				t3r, t3i := real(c)-real(d), imag(c)-imag(d)
				q[0] = complex(t0r+t2r, t0i+t2i)
				q[2] = complex(t0r-t2r, t0i-t2i)
				q[1] = complex(t1r+t3i, t1i-t3r)
				q[3] = complex(t1r-t3i, t1i+t3r)
			}
			continue
		}
		if h < 16 {
			fftRadix4PassSmall(z, s.w1, s.w2, s.w3, h)
			continue
		}
		for g := 0; g < n; g += 4 * h {
			fftRadix4Group(z[g:g+h], z[g+h:g+2*h], z[g+2*h:g+3*h], z[g+3*h:g+4*h], s.w1, s.w2, s.w3)
		}
	}
}

// fftRadix4PassSmall is a radix-4 pass for short sub-transforms (many
// groups): the twiddles of index j are loaded once for all groups.
func fftRadix4PassSmall(z, w1, w2, w3 []complex128, h int) {
	n := len(z)
	w1, w2, w3 = w1[:h], w2[:h], w3[:h]
	for j := range w1 {
		v1, v2, v3 := w1[j], w2[j], w3[j]
		for g := j; g+3*h < n; g += 4 * h {
			q := z[g : g+3*h+1 : g+3*h+1]
			a, b, c, d := q[0], q[h], q[2*h], q[3*h]
			br := real(b)*real(v2) - imag(b)*imag(v2)
			bi := real(b)*imag(v2) + imag(b)*real(v2)
			cr := real(c)*real(v1) - imag(c)*imag(v1)
			ci := real(c)*imag(v1) + imag(c)*real(v1)
			dr := real(d)*real(v3) - imag(d)*imag(v3)
			di := real(d)*imag(v3) + imag(d)*real(v3)
			t0r, t0i := real(a)+br, imag(a)+bi
			t1r, t1i := real(a)-br, imag(a)-bi
			t2r, t2i := cr+dr, ci+di
			t3r, t3i := cr-dr, ci-di
			q[0] = complex(t0r+t2r, t0i+t2i)
			q[2*h] = complex(t0r-t2r, t0i-t2i)
			q[h] = complex(t1r+t3i, t1i-t3r)
			q[3*h] = complex(t1r-t3i, t1i+t3r)
		}
	}
}

// fftRadix4Group is one radix-4 butterfly group: q0..q3 are the four
// sub-transforms of length h and w1, w2, w3 hold W^j, W^2j, W^3j.
func fftRadix4Group(q0, q1, q2, q3, w1, w2, w3 []complex128) {
	h := len(q0)
	q1, q2, q3 = q1[:h], q2[:h], q3[:h]
	w1, w2, w3 = w1[:h], w2[:h], w3[:h]
	for j, a := range q0 {
		b := q1[j]
		c := q2[j]
		d := q3[j]
		v1, v2, v3 := w1[j], w2[j], w3[j]
		// b·W^2j, c·W^j, d·W^3j
		br := real(b)*real(v2) - imag(b)*imag(v2)
		bi := real(b)*imag(v2) + imag(b)*real(v2)
		cr := real(c)*real(v1) - imag(c)*imag(v1)
		ci := real(c)*imag(v1) + imag(c)*real(v1)
		dr := real(d)*real(v3) - imag(d)*imag(v3)
		di := real(d)*imag(v3) + imag(d)*real(v3)
		t0r, t0i := real(a)+br, imag(a)+bi
		t1r, t1i := real(a)-br, imag(a)-bi
		t2r, t2i := cr+dr, ci+di
		t3r, t3i := cr-dr, ci-di
		q0[j] = complex(t0r+t2r, t0i+t2i)
		q2[j] = complex(t0r-t2r, t0i-t2i)
		q1[j] = complex(t1r+t3i, t1i-t3r)
		q3[j] = complex(t1r-t3i, t1i+t3r)
	}
}

// fftMaxRadix is the largest prime factor the mixed-radix path handles;
// a length with a larger one goes through Bluestein.
const fftMaxRadix = 31

// fftFactor splits n (not a power of two) into radices, 4s first, or
// returns nil if a prime factor exceeds fftMaxRadix.
func fftFactor(n int) []int {
	var rs []int
	for n%4 == 0 {
		rs = append(rs, 4)
		n /= 4
	}
	if n%2 == 0 {
		rs = append(rs, 2)
		n /= 2
	}
	for f := 3; n > 1; f += 2 {
		if f > fftMaxRadix {
			return nil
		}
		for n%f == 0 {
			rs = append(rs, f)
			n /= f
		}
	}
	return rs
}

// stockham computes the DFT of z by self-sorting mixed-radix passes
// ping-ponging between z and tmp. Before the pass of radix r, blocks of p
// consecutive values hold the length-p DFTs of the decimated subsequences;
// the pass combines r of them (stride n/r apart) into blocks of r·p.
func (p *cplan) stockham(z, tmp []complex128) {
	n := p.n
	x, y := z[:n], tmp[:n]
	pp := 1
	for si, r := range p.radices {
		tw := p.mtw[si]
		s := n / r
		switch r {
		case 2:
			fftPass2(x, y, tw, s, pp)
		case 3:
			fftPass3(x, y, tw, s, pp)
		case 4:
			fftPass4(x, y, tw, s, pp)
		case 5:
			fftPass5(x, y, tw, s, pp)
		default:
			fftPassGeneric(x, y, tw, p.gen[r], r, s, pp)
		}
		x, y = y, x
		pp *= r
	}
	if &x[0] != &z[0] {
		copy(z, x)
	}
}

func fftPass2(x, y, tw []complex128, s, pp int) {
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			a := x[i]
			c := x[i+s] * tw[k]
			j := 2*b + k
			y[j] = a + c
			y[j+pp] = a - c
		}
	}
}

func fftPass3(x, y, tw []complex128, s, pp int) {
	const h = 0.86602540378443864676 // √3/2
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[2*k : 2*k+2 : 2*k+2]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			t1 := u1 + u2
			d := u1 - u2
			t2 := complex(h*imag(d), -h*real(d)) // −i·(√3/2)·(u1−u2)
			m := a - t1*0.5
			j := 3*b + k
			y[j] = a + t1
			y[j+pp] = m + t2
			y[j+2*pp] = m - t2
		}
	}
}

func fftPass4(x, y, tw []complex128, s, pp int) {
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[3*k : 3*k+3 : 3*k+3]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			u3 := x[i+3*s] * w[2]
			t0, t1 := a+u2, a-u2
			t2, t3 := u1+u3, u1-u3
			mt3 := complex(imag(t3), -real(t3)) // −i·t3
			j := 4*b + k
			y[j] = t0 + t2
			y[j+pp] = t1 + mt3
			y[j+2*pp] = t0 - t2
			y[j+3*pp] = t1 - mt3
		}
	}
}

func fftPass5(x, y, tw []complex128, s, pp int) {
	// W5^1, W5^2 split into cosines and sines.
	const (
		c1 = 0.30901699437494742410  // cos 2π/5
		c2 = -0.80901699437494742410 // cos 4π/5
		s1 = 0.95105651629515357212  // sin 2π/5
		s2 = 0.58778525229247312917  // sin 4π/5
	)
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[4*k : 4*k+4 : 4*k+4]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			u3 := x[i+3*s] * w[2]
			u4 := x[i+4*s] * w[3]
			p1r, p1i := real(u1)+real(u4), imag(u1)+imag(u4)
			m1r, m1i := real(u1)-real(u4), imag(u1)-imag(u4)
			p2r, p2i := real(u2)+real(u3), imag(u2)+imag(u3)
			m2r, m2i := real(u2)-real(u3), imag(u2)-imag(u3)
			// v_s = a + p1·cos(2πs/5) + p2·cos(4πs/5) − i·(m1·sin(2πs/5) + m2·sin(4πs/5))
			r1r, r1i := real(a)+p1r*c1+p2r*c2, imag(a)+p1i*c1+p2i*c2
			r2r, r2i := real(a)+p1r*c2+p2r*c1, imag(a)+p1i*c2+p2i*c1
			q1r, q1i := m1r*s1+m2r*s2, m1i*s1+m2i*s2
			q2r, q2i := m1r*s2-m2r*s1, m1i*s2-m2i*s1
			// −i·q = (imag q, −real q)
			j := 5*b + k
			y[j] = complex(real(a)+p1r+p2r, imag(a)+p1i+p2i)
			y[j+pp] = complex(r1r+q1i, r1i-q1r)
			y[j+2*pp] = complex(r2r+q2i, r2i-q2r)
			y[j+3*pp] = complex(r2r-q2i, r2i+q2r)
			y[j+4*pp] = complex(r1r-q1i, r1i+q1r)
		}
	}
}

func fftPassGeneric(x, y, tw, g []complex128, r, s, pp int) {
	var u [fftMaxRadix]complex128
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			u[0] = x[i]
			for q := 1; q < r; q++ {
				u[q] = x[i+q*s] * tw[k*(r-1)+q-1]
			}
			j := r*b + k
			for o := 0; o < r; o++ {
				var acc complex128
				idx := 0
				for q := 0; q < r; q++ {
					acc += u[q] * g[idx]
					idx += o
					if idx >= r {
						idx -= r
					}
				}
				y[j+o*pp] = acc
			}
		}
	}
}

// fftSplitPair returns bins k and m−k of the real transform from Z[k],
// Z[m−k] and w = exp(−2πik/n): the arithmetic of split, shared so that all
// paths give identical bits.
func fftSplitPair(zk, zm, w complex128) (xk, xm complex128) {
	er := 0.5 * (real(zk) + real(zm))
	ei := 0.5 * (imag(zk) - imag(zm))
	or := 0.5 * (imag(zk) + imag(zm))
	oi := -0.5 * (real(zk) - real(zm))
	tr := real(w)*or - imag(w)*oi
	ti := real(w)*oi + imag(w)*or
	return complex(er+tr, ei+ti), complex(er-tr, ti-ei)
}

// lastPassPower2 runs the final radix-4 pass of the half-length transform
// (all earlier passes done) fused with split and |·|², so the last pass's
// output never goes back to memory: butterflies j and h−j together yield
// the four pairs (k, m−k) that split needs. f.half must be a power of two
// ≥ 8, whose last stage is radix 4 with h = m/4. The butterfly of
// runStages and the split of fftSplitPair are written out inline because
// the compiler will not inline them here.
func (f *FFT) lastPassPower2(dst []float64, z []complex128) {
	hp := f.half
	m := hp.n
	h := m / 4
	tw := hp.stages[len(hp.stages)-1].tw[:3*h]
	z = z[:m]
	dst = dst[:m+1]
	post := f.post[:m/2+1]
	q0, q1, q2, q3 := z[:h:h], z[h:2*h:2*h], z[2*h:3*h:3*h], z[3*h:4*h:4*h]
	{
		// j = 0: Z[0], Z[h], Z[2h], Z[3h].
		w := tw[0:3:3]
		ar, ai := real(q0[0]), imag(q0[0])
		br, bi := real(q1[0]), imag(q1[0])
		cr, ci := real(q2[0]), imag(q2[0])
		dr, di := real(q3[0]), imag(q3[0])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		dc, ny := x0r+x0i, x0r-x0i
		dst[0] = dc * dc
		dst[m] = ny * ny
		s1w := post[h]
		s1er := 0.5 * (x1r + x3r)
		s1ei := 0.5 * (x1i - x3i)
		s1or := 0.5 * (x1i + x3i)
		s1oi := -0.5 * (x1r - x3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[h] = s1ar*s1ar + s1ai*s1ai
		dst[3*h] = s1br*s1br + s1bi*s1bi
		s2w := post[2*h]
		s2er := 0.5 * (x2r + x2r)
		s2ei := 0.5 * (x2i - x2i)
		s2or := 0.5 * (x2i + x2i)
		s2oi := -0.5 * (x2r - x2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[2*h] = s2ar*s2ar + s2ai*s2ai
		dst[2*h] = s2br*s2br + s2bi*s2bi
	}
	for j := 1; j < h-j; j++ {
		jj := h - j
		w := tw[3*j : 3*j+3 : 3*j+3]
		v := tw[3*jj : 3*jj+3 : 3*jj+3]
		ar, ai := real(q0[j]), imag(q0[j])
		br, bi := real(q1[j]), imag(q1[j])
		cr, ci := real(q2[j]), imag(q2[j])
		dr, di := real(q3[j]), imag(q3[j])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		er, ei := real(q0[jj]), imag(q0[jj])
		fr, fi := real(q1[jj]), imag(q1[jj])
		gr, gi := real(q2[jj]), imag(q2[jj])
		kr, ki := real(q3[jj]), imag(q3[jj])
		ybr := fr*real(v[1]) - fi*imag(v[1])
		ybi := fr*imag(v[1]) + fi*real(v[1])
		ycr := gr*real(v[0]) - gi*imag(v[0])
		yci := gr*imag(v[0]) + gi*real(v[0])
		ydr := kr*real(v[2]) - ki*imag(v[2])
		ydi := kr*imag(v[2]) + ki*real(v[2])
		yt0r, yt0i := er+ybr, ei+ybi
		yt1r, yt1i := er-ybr, ei-ybi
		yt2r, yt2i := ycr+ydr, yci+ydi
		yt3r, yt3i := ycr-ydr, yci-ydi
		y0r, y0i := yt0r+yt2r, yt0i+yt2i
		y1r, y1i := yt1r+yt3i, yt1i-yt3r
		y2r, y2i := yt0r-yt2r, yt0i-yt2i
		y3r, y3i := yt1r-yt3i, yt1i+yt3r
		s1w := post[j]
		s1er := 0.5 * (x0r + y3r)
		s1ei := 0.5 * (x0i - y3i)
		s1or := 0.5 * (x0i + y3i)
		s1oi := -0.5 * (x0r - y3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[j] = s1ar*s1ar + s1ai*s1ai
		dst[4*h-j] = s1br*s1br + s1bi*s1bi
		s2w := post[h+j]
		s2er := 0.5 * (x1r + y2r)
		s2ei := 0.5 * (x1i - y2i)
		s2or := 0.5 * (x1i + y2i)
		s2oi := -0.5 * (x1r - y2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[h+j] = s2ar*s2ar + s2ai*s2ai
		dst[3*h-j] = s2br*s2br + s2bi*s2bi
		s3w := post[2*h-j]
		s3er := 0.5 * (y1r + x2r)
		s3ei := 0.5 * (y1i - x2i)
		s3or := 0.5 * (y1i + x2i)
		s3oi := -0.5 * (y1r - x2r)
		s3tr := real(s3w)*s3or - imag(s3w)*s3oi
		s3ti := real(s3w)*s3oi + imag(s3w)*s3or
		s3ar, s3ai := s3er+s3tr, s3ei+s3ti
		s3br, s3bi := s3er-s3tr, s3ti-s3ei
		dst[2*h-j] = s3ar*s3ar + s3ai*s3ai
		dst[2*h+j] = s3br*s3br + s3bi*s3bi
		s4w := post[h-j]
		s4er := 0.5 * (y0r + x3r)
		s4ei := 0.5 * (y0i - x3i)
		s4or := 0.5 * (y0i + x3i)
		s4oi := -0.5 * (y0r - x3r)
		s4tr := real(s4w)*s4or - imag(s4w)*s4oi
		s4ti := real(s4w)*s4oi + imag(s4w)*s4or
		s4ar, s4ai := s4er+s4tr, s4ei+s4ti
		s4br, s4bi := s4er-s4tr, s4ti-s4ei
		dst[h-j] = s4ar*s4ar + s4ai*s4ai
		dst[3*h+j] = s4br*s4br + s4bi*s4bi
	}
	if h%2 == 0 {
		// j = h/2 pairs with itself.
		j := h / 2
		w := tw[3*j : 3*j+3 : 3*j+3]
		ar, ai := real(q0[j]), imag(q0[j])
		br, bi := real(q1[j]), imag(q1[j])
		cr, ci := real(q2[j]), imag(q2[j])
		dr, di := real(q3[j]), imag(q3[j])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		s1w := post[j]
		s1er := 0.5 * (x0r + x3r)
		s1ei := 0.5 * (x0i - x3i)
		s1or := 0.5 * (x0i + x3i)
		s1oi := -0.5 * (x0r - x3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[j] = s1ar*s1ar + s1ai*s1ai
		dst[4*h-j] = s1br*s1br + s1bi*s1bi
		s2w := post[h+j]
		s2er := 0.5 * (x1r + x2r)
		s2ei := 0.5 * (x1i - x2i)
		s2or := 0.5 * (x1i + x2i)
		s2oi := -0.5 * (x1r - x2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[h+j] = s2ar*s2ar + s2ai*s2ai
		dst[3*h-j] = s2br*s2br + s2bi*s2bi
	}
}

// lastPassSplit is lastPassPower2 writing the complex bins instead of
// their squared magnitudes; the values are those of runStages + split.
func (f *FFT) lastPassSplit(dst []complex128, z []complex128) {
	hp := f.half
	m := hp.n
	h := m / 4
	tw := hp.stages[len(hp.stages)-1].tw[:3*h]
	z = z[:m]
	dst = dst[:m+1]
	post := f.post[:m/2+1]
	q0, q1, q2, q3 := z[:h:h], z[h:2*h:2*h], z[2*h:3*h:3*h], z[3*h:4*h:4*h]
	{
		// j = 0: Z[0], Z[h], Z[2h], Z[3h].
		w := tw[0:3:3]
		ar, ai := real(q0[0]), imag(q0[0])
		br, bi := real(q1[0]), imag(q1[0])
		cr, ci := real(q2[0]), imag(q2[0])
		dr, di := real(q3[0]), imag(q3[0])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		dst[0] = complex(x0r+x0i, 0)
		dst[m] = complex(x0r-x0i, 0)
		s1w := post[h]
		s1er := 0.5 * (x1r + x3r)
		s1ei := 0.5 * (x1i - x3i)
		s1or := 0.5 * (x1i + x3i)
		s1oi := -0.5 * (x1r - x3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[h] = complex(s1ar, s1ai)
		dst[3*h] = complex(s1br, s1bi)
		s2w := post[2*h]
		s2er := 0.5 * (x2r + x2r)
		s2ei := 0.5 * (x2i - x2i)
		s2or := 0.5 * (x2i + x2i)
		s2oi := -0.5 * (x2r - x2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[2*h] = complex(s2ar, s2ai)
		dst[2*h] = complex(s2br, s2bi)
	}
	for j := 1; j < h-j; j++ {
		jj := h - j
		w := tw[3*j : 3*j+3 : 3*j+3]
		v := tw[3*jj : 3*jj+3 : 3*jj+3]
		ar, ai := real(q0[j]), imag(q0[j])
		br, bi := real(q1[j]), imag(q1[j])
		cr, ci := real(q2[j]), imag(q2[j])
		dr, di := real(q3[j]), imag(q3[j])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		er, ei := real(q0[jj]), imag(q0[jj])
		fr, fi := real(q1[jj]), imag(q1[jj])
		gr, gi := real(q2[jj]), imag(q2[jj])
		kr, ki := real(q3[jj]), imag(q3[jj])
		ybr := fr*real(v[1]) - fi*imag(v[1])
		ybi := fr*imag(v[1]) + fi*real(v[1])
		ycr := gr*real(v[0]) - gi*imag(v[0])
		yci := gr*imag(v[0]) + gi*real(v[0])
		ydr := kr*real(v[2]) - ki*imag(v[2])
		ydi := kr*imag(v[2]) + ki*real(v[2])
		yt0r, yt0i := er+ybr, ei+ybi
		yt1r, yt1i := er-ybr, ei-ybi
		yt2r, yt2i := ycr+ydr, yci+ydi
		yt3r, yt3i := ycr-ydr, yci-ydi
		y0r, y0i := yt0r+yt2r, yt0i+yt2i
		y1r, y1i := yt1r+yt3i, yt1i-yt3r
		y2r, y2i := yt0r-yt2r, yt0i-yt2i
		y3r, y3i := yt1r-yt3i, yt1i+yt3r
		s1w := post[j]
		s1er := 0.5 * (x0r + y3r)
		s1ei := 0.5 * (x0i - y3i)
		s1or := 0.5 * (x0i + y3i)
		s1oi := -0.5 * (x0r - y3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[j] = complex(s1ar, s1ai)
		dst[4*h-j] = complex(s1br, s1bi)
		s2w := post[h+j]
		s2er := 0.5 * (x1r + y2r)
		s2ei := 0.5 * (x1i - y2i)
		s2or := 0.5 * (x1i + y2i)
		s2oi := -0.5 * (x1r - y2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[h+j] = complex(s2ar, s2ai)
		dst[3*h-j] = complex(s2br, s2bi)
		s3w := post[2*h-j]
		s3er := 0.5 * (y1r + x2r)
		s3ei := 0.5 * (y1i - x2i)
		s3or := 0.5 * (y1i + x2i)
		s3oi := -0.5 * (y1r - x2r)
		s3tr := real(s3w)*s3or - imag(s3w)*s3oi
		s3ti := real(s3w)*s3oi + imag(s3w)*s3or
		s3ar, s3ai := s3er+s3tr, s3ei+s3ti
		s3br, s3bi := s3er-s3tr, s3ti-s3ei
		dst[2*h-j] = complex(s3ar, s3ai)
		dst[2*h+j] = complex(s3br, s3bi)
		s4w := post[h-j]
		s4er := 0.5 * (y0r + x3r)
		s4ei := 0.5 * (y0i - x3i)
		s4or := 0.5 * (y0i + x3i)
		s4oi := -0.5 * (y0r - x3r)
		s4tr := real(s4w)*s4or - imag(s4w)*s4oi
		s4ti := real(s4w)*s4oi + imag(s4w)*s4or
		s4ar, s4ai := s4er+s4tr, s4ei+s4ti
		s4br, s4bi := s4er-s4tr, s4ti-s4ei
		dst[h-j] = complex(s4ar, s4ai)
		dst[3*h+j] = complex(s4br, s4bi)
	}
	if h%2 == 0 {
		// j = h/2 pairs with itself.
		j := h / 2
		w := tw[3*j : 3*j+3 : 3*j+3]
		ar, ai := real(q0[j]), imag(q0[j])
		br, bi := real(q1[j]), imag(q1[j])
		cr, ci := real(q2[j]), imag(q2[j])
		dr, di := real(q3[j]), imag(q3[j])
		xbr := br*real(w[1]) - bi*imag(w[1])
		xbi := br*imag(w[1]) + bi*real(w[1])
		xcr := cr*real(w[0]) - ci*imag(w[0])
		xci := cr*imag(w[0]) + ci*real(w[0])
		xdr := dr*real(w[2]) - di*imag(w[2])
		xdi := dr*imag(w[2]) + di*real(w[2])
		xt0r, xt0i := ar+xbr, ai+xbi
		xt1r, xt1i := ar-xbr, ai-xbi
		xt2r, xt2i := xcr+xdr, xci+xdi
		xt3r, xt3i := xcr-xdr, xci-xdi
		x0r, x0i := xt0r+xt2r, xt0i+xt2i
		x1r, x1i := xt1r+xt3i, xt1i-xt3r
		x2r, x2i := xt0r-xt2r, xt0i-xt2i
		x3r, x3i := xt1r-xt3i, xt1i+xt3r
		s1w := post[j]
		s1er := 0.5 * (x0r + x3r)
		s1ei := 0.5 * (x0i - x3i)
		s1or := 0.5 * (x0i + x3i)
		s1oi := -0.5 * (x0r - x3r)
		s1tr := real(s1w)*s1or - imag(s1w)*s1oi
		s1ti := real(s1w)*s1oi + imag(s1w)*s1or
		s1ar, s1ai := s1er+s1tr, s1ei+s1ti
		s1br, s1bi := s1er-s1tr, s1ti-s1ei
		dst[j] = complex(s1ar, s1ai)
		dst[4*h-j] = complex(s1br, s1bi)
		s2w := post[h+j]
		s2er := 0.5 * (x1r + x2r)
		s2ei := 0.5 * (x1i - x2i)
		s2or := 0.5 * (x1i + x2i)
		s2oi := -0.5 * (x1r - x2r)
		s2tr := real(s2w)*s2or - imag(s2w)*s2oi
		s2ti := real(s2w)*s2oi + imag(s2w)*s2or
		s2ar, s2ai := s2er+s2tr, s2ei+s2ti
		s2br, s2bi := s2er-s2tr, s2ti-s2ei
		dst[h+j] = complex(s2ar, s2ai)
		dst[3*h-j] = complex(s2br, s2bi)
	}
}
