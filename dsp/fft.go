package dsp

import (
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/avlearn/avlearn/dsp/internal/fftkernel"
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
func (f *FFT) split(dst []complex128, z []complex128) { fftkernel.Split(dst, z, f.post) }

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
// window comes as firstWindow(w) made it. p.n must be a power of two ≥ 4;
// runStages(z, 1, …) completes the transform.
func (p *cplan) loadFirst(z []complex128, frame, wperm []float64) {
	if p.stages[0].radix == 2 {
		fftkernel.LoadFirst2(z[:p.n], frame, wperm, p.rev)
		return
	}
	fftkernel.Load4(z[:p.n], frame, wperm, p.rev)
}

// firstWindow returns the window w (len 2·p.n) reordered as loadFirst
// reads it.
func (p *cplan) firstWindow(w []float64) []float64 {
	return fftkernel.FirstWindow(w, p.rev, p.stages[0].radix == 2)
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
			fftkernel.Radix4First(z)
			continue
		}
		fftkernel.Radix4Pass(z, s.w1, s.w2, s.w3, h)
	}
}

// fftFactor splits n (not a power of two) into radices, 4s first, or
// returns nil if a prime factor exceeds fftkernel.MaxRadix.
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
		if f > fftkernel.MaxRadix {
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
			fftkernel.Pass2(x, y, tw, s, pp)
		case 3:
			fftkernel.Pass3(x, y, tw, s, pp)
		case 4:
			fftkernel.Pass4(x, y, tw, s, pp)
		case 5:
			fftkernel.Pass5(x, y, tw, s, pp)
		default:
			fftkernel.PassGeneric(x, y, tw, p.gen[r], r, s, pp)
		}
		x, y = y, x
		pp *= r
	}
	if &x[0] != &z[0] {
		copy(z, x)
	}
}

// lastPassPower2 runs the final radix-4 pass of the half-length transform
// (all earlier passes done) and the split and |·|², fused in Go (so the
// last pass's output never goes back to memory) or as two AVX sweeps,
// which may overwrite z. f.half must be a power of two ≥ 8,
// whose last stage is radix 4 with h = m/4.
func (f *FFT) lastPassPower2(dst []float64, z []complex128) {
	hp := f.half
	s := hp.stages[len(hp.stages)-1]
	fftkernel.LastPower(dst, z[:hp.n], s.tw, s.w1, s.w2, s.w3, f.post)
}

// lastPassSplit is lastPassPower2 writing the complex bins instead of
// their squared magnitudes (z may be overwritten too); the values are
// those of runStages + split.
func (f *FFT) lastPassSplit(dst []complex128, z []complex128) {
	hp := f.half
	s := hp.stages[len(hp.stages)-1]
	fftkernel.LastSplit(dst, z[:hp.n], s.tw, s.w1, s.w2, s.w3, f.post)
}
