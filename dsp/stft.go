package dsp

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/avlearn/avlearn/dsp/internal/fftkernel"
)

// PadMode says how a centred STFT extends the signal by NFFT/2 samples on
// each side.
type PadMode int

const (
	// PadReflect mirrors the signal about its first and last samples
	// without repeating them (torch.stft's default, numpy "reflect").
	PadReflect PadMode = iota
	// PadConstant pads with zeros (librosa ≥ 0.10's default).
	PadConstant
)

// String returns "reflect" or "constant".
func (m PadMode) String() string {
	switch m {
	case PadReflect:
		return "reflect"
	case PadConstant:
		return "constant"
	}
	return fmt.Sprintf("PadMode(%d)", int(m))
}

// ParsePadMode parses "reflect" or "constant" (as PadMode.String writes
// them; "zeros" is accepted for constant).
func ParsePadMode(s string) (PadMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "reflect":
		return PadReflect, nil
	case "constant", "zeros":
		return PadConstant, nil
	}
	return 0, fmt.Errorf("dsp: unknown pad mode %q (want reflect or constant)", s)
}

// STFTConfig describes a short-time Fourier transform. Every field is
// explicit: there are no hidden defaults, so torch.stft(center=True) is
// {Center: true, Pad: PadReflect} and librosa ≥ 0.10's stft is
// {Center: true, Pad: PadConstant}.
type STFTConfig struct {
	NFFT      int       // FFT length, ≥ 1
	Hop       int       // samples between frame starts, ≥ 1
	WinLength int       // window length ≤ NFFT; 0 means NFFT. The window is zero-padded to NFFT, centred at offset (NFFT−WinLength)/2, as torch does.
	Window    []float64 // WinLength samples; nil means rectangular
	Center    bool      // pad NFFT/2 samples on both sides so frame t is centred on sample t·Hop
	Pad       PadMode   // padding used when Center is set
}

// MaxNFFT is the largest NFFT an STFTConfig accepts, so that a mistyped
// size fails with an error instead of an enormous allocation.
const MaxNFFT = 1 << 24

// Validate reports the first problem with c, naming the field.
func (c STFTConfig) Validate() error {
	if c.NFFT < 1 {
		return fmt.Errorf("dsp: STFTConfig.NFFT must be ≥ 1, got %d", c.NFFT)
	}
	if c.NFFT > MaxNFFT {
		return fmt.Errorf("dsp: STFTConfig.NFFT %d exceeds the maximum %d", c.NFFT, MaxNFFT)
	}
	if c.Hop < 1 {
		return fmt.Errorf("dsp: STFTConfig.Hop must be ≥ 1, got %d", c.Hop)
	}
	if c.WinLength < 0 || c.WinLength > c.NFFT {
		return fmt.Errorf("dsp: STFTConfig.WinLength must be in [0, NFFT=%d] (0 means NFFT), got %d", c.NFFT, c.WinLength)
	}
	if c.Window != nil && len(c.Window) != c.winLength() {
		return fmt.Errorf("dsp: STFTConfig.Window has %d samples, WinLength is %d", len(c.Window), c.winLength())
	}
	for i, v := range c.Window {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("dsp: STFTConfig.Window[%d] is %g", i, v)
		}
	}
	if c.Pad != PadReflect && c.Pad != PadConstant {
		return fmt.Errorf("dsp: STFTConfig.Pad: unknown pad mode %d", int(c.Pad))
	}
	return nil
}

func (c STFTConfig) winLength() int {
	if c.WinLength == 0 {
		return c.NFFT
	}
	return c.WinLength
}

// Bins returns NFFT/2+1, the number of frequency bins of a one-sided STFT.
func (c STFTConfig) Bins() int { return c.NFFT/2 + 1 }

// padding returns the samples added on each side.
func (c STFTConfig) padding() int {
	if c.Center {
		return c.NFFT / 2
	}
	return 0
}

// NumFrames returns the number of frames of a signal of nSamples samples,
// exactly as torch.stft counts them: with P = NFFT/2 when Center (else 0),
// frames = 1 + (nSamples + 2P − NFFT)/Hop (integer division), or 0 when
// nSamples + 2P < NFFT. For Center and an even NFFT this is 1 + nSamples/Hop;
// without Center it is 1 + (nSamples−NFFT)/Hop. c must be valid.
func (c STFTConfig) NumFrames(nSamples int) int {
	if nSamples < 0 || c.Hop < 1 {
		return 0
	}
	padded := nSamples + 2*c.padding()
	if padded < c.NFFT {
		return 0
	}
	return 1 + (padded-c.NFFT)/c.Hop
}

// checkSignal returns the error STFT gives for a signal of n samples.
func (c STFTConfig) checkSignal(op string, n int) error {
	if n == 0 {
		return fmt.Errorf("dsp: %s: empty signal", op)
	}
	if c.Center && c.Pad == PadReflect && n <= c.padding() {
		return fmt.Errorf("dsp: %s: signal of %d samples is too short for reflect padding of %d; use PadConstant or a longer signal", op, n, c.padding())
	}
	if !c.Center && n < c.NFFT {
		return fmt.Errorf("dsp: %s: signal of %d samples is shorter than NFFT=%d with Center false; pad it or use Center", op, n, c.NFFT)
	}
	return nil
}

// ComplexSpectrogram is a one-sided STFT stored frame-major: bin k of frame
// t is Data[t*Bins+k]. (torch.stft returns (bins, frames); index it as
// Data[t*Bins+k] ↔ X[k, t].)
type ComplexSpectrogram struct {
	Bins, Frames int
	Data         []complex128
}

// Power returns |X|^p for every element, frame-major like Data: p = 2 gives
// the power spectrogram, p = 1 the magnitude. p should be > 0.
func (s *ComplexSpectrogram) Power(p float64) []float64 {
	out := make([]float64, len(s.Data))
	for i, v := range s.Data {
		out[i] = stftPowerOf(real(v), imag(v), p)
	}
	return out
}

func stftPowerOf(re, im, p float64) float64 {
	return stftPowerOfSquare(re*re+im*im, p)
}

// stftPowerOfSquare returns q^(p/2) for q = |X|².
func stftPowerOfSquare(q, p float64) float64 {
	switch p {
	case 2:
		return q
	case 1:
		return math.Sqrt(q)
	}
	return math.Pow(q, p/2)
}

// stftPlan holds everything derived from a valid config.
type stftPlan struct {
	c         STFTConfig
	fft       *FFT
	wpad      []float64 // window zero-padded to NFFT
	wfirst    []float64 // wpad in the order cplan.loadFirst reads it
	left, win int       // the window's extent inside wpad
	pad       int
}

func newSTFTPlan(c STFTConfig) (*stftPlan, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	p := &stftPlan{c: c, fft: cachedFFT(c.NFFT), win: c.winLength(), pad: c.padding()}
	p.left = (c.NFFT - p.win) / 2
	p.wpad = make([]float64, c.NFFT)
	if c.Window == nil {
		for i := 0; i < p.win; i++ {
			p.wpad[p.left+i] = 1
		}
	} else {
		copy(p.wpad[p.left:], c.Window)
	}
	if hp := p.fft.half; hp != nil && hp.rev != nil && hp.n >= 4 {
		p.wfirst = hp.firstWindow(p.wpad)
	}
	return p, nil
}

// fftCache keeps the plans of the few FFT lengths a program uses, so that
// calling STFT on many short clips does not recompute twiddles each time.
var fftCache struct {
	sync.Mutex
	m map[int]*FFT
}

func cachedFFT(n int) *FFT {
	fftCache.Lock()
	defer fftCache.Unlock()
	if f, ok := fftCache.m[n]; ok {
		return f
	}
	f := NewFFT(n)
	if fftCache.m == nil {
		fftCache.m = map[int]*FFT{}
	}
	if len(fftCache.m) < 32 && n <= 1<<16 {
		fftCache.m[n] = f
	}
	return f
}

// paddedAt returns sample i of the padded signal (i in [0, n+2·pad)).
func (p *stftPlan) paddedAt(x []float64, i int) float64 {
	j := i - p.pad
	n := len(x)
	if j >= 0 && j < n {
		return x[j]
	}
	if p.c.Pad == PadConstant {
		return 0
	}
	if j < 0 {
		j = -j
	} else {
		j = 2*(n-1) - j
	}
	return x[j]
}

// stftWorker holds one goroutine's scratch space.
type stftWorker struct {
	p    *stftPlan
	edge []float64 // a padded frame near the signal's ends
	buf  []float64 // windowed frame (non-power-of-two paths)
	z    []complex128
	tmp  []complex128
}

func (p *stftPlan) newWorker() *stftWorker {
	w := &stftWorker{p: p, edge: make([]float64, p.c.NFFT), buf: make([]float64, p.c.NFFT)}
	fw := p.fft.newWork()
	w.z, w.tmp = fw.z, fw.tmp
	return w
}

// frame returns the NFFT samples of frame t of the padded signal: a view
// of x when the frame lies inside it, else a copy with the padding filled in.
func (w *stftWorker) frame(x []float64, t int) []float64 {
	p := w.p
	n := p.c.NFFT
	s := t*p.c.Hop - p.pad
	if s >= 0 && s+n <= len(x) {
		return x[s : s+n : s+n]
	}
	for i := range w.edge {
		w.edge[i] = p.paddedAt(x, t*p.c.Hop+i)
	}
	return w.edge
}

// transform leaves in w.z the complex DFT that the bins are made from:
// for even NFFT the DFT of frame·window packed as n/2 complex points, for
// odd NFFT the full DFT.
func (w *stftWorker) transform(frame []float64) {
	p := w.p
	f := p.fft
	win := p.wpad
	if f.half == nil {
		for j, v := range frame {
			w.z[j] = complex(v*win[j], 0)
		}
		f.full.transform(w.z, w.tmp)
		return
	}
	if f.half.rev != nil && f.half.n >= 4 {
		f.half.loadFirst(w.z, frame, p.wfirst)
		f.half.runStages(w.z, 1, len(f.half.stages))
		return
	}
	for i, v := range frame {
		w.buf[i] = v * win[i]
	}
	f.half.load(w.z, w.buf)
	f.half.transformLoaded(w.z, w.tmp)
}

// complexFrame computes the Bins values of one padded frame into dst.
func (w *stftWorker) complexFrame(dst []complex128, frame []float64) {
	f := w.p.fft
	if hp := f.half; hp != nil && hp.rev != nil && hp.n >= 8 {
		hp.loadFirst(w.z, frame, w.p.wfirst)
		hp.runStages(w.z[:hp.n], 1, len(hp.stages)-1)
		f.lastPassSplit(dst, w.z)
		return
	}
	w.transform(frame)
	if f.half == nil {
		copy(dst, w.z[:len(dst)])
		return
	}
	f.split(dst, w.z)
}

// powerFrame computes |X|^p of one padded frame into dst (Bins values).
func (w *stftWorker) powerFrame(dst []float64, frame []float64, p float64) {
	f := w.p.fft
	if hp := f.half; hp != nil && hp.rev != nil && hp.n >= 8 {
		hp.loadFirst(w.z, frame, w.p.wfirst)
		hp.runStages(w.z[:hp.n], 1, len(hp.stages)-1)
		f.lastPassPower2(dst, w.z)
		if p != 2 {
			for k, q := range dst[:hp.n+1] {
				dst[k] = stftPowerOfSquare(q, p)
			}
		}
		return
	}
	w.transform(frame)
	if f.half == nil {
		for k := range dst {
			v := w.z[k]
			dst[k] = stftPowerOf(real(v), imag(v), p)
		}
		return
	}
	z := w.z
	m := len(z)
	dst = dst[:m+1]
	z0 := z[0]
	dc, ny := real(z0)+imag(z0), real(z0)-imag(z0)
	dst[0], dst[m] = dc*dc, ny*ny // squares: the power is applied below
	fftkernel.SplitSquares(dst, z, f.post)
	if p != 2 {
		for k, q := range dst {
			dst[k] = stftPowerOfSquare(q, p)
		}
	}
}

// parallelFrames calls fn(w, t0, t1) over [0, frames) in chunks of
// contiguous frames handed out to up to GOMAXPROCS goroutines, each with
// its own worker. Chunks are claimed dynamically so that a goroutine slowed
// by other load on the machine does not hold the others up.
func (p *stftPlan) parallelFrames(frames int, fn func(w *stftWorker, t0, t1 int)) {
	const chunk = 512 // frames per claim; a goroutine costs about as much as a few frames
	nw := min(runtime.GOMAXPROCS(0), (frames+chunk-1)/chunk)
	if nw <= 1 {
		fn(p.newWorker(), 0, frames)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < nw; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := p.newWorker()
			for {
				t0 := int(next.Add(chunk)) - chunk
				if t0 >= frames {
					return
				}
				fn(w, t0, min(t0+chunk, frames))
			}
		}()
	}
	wg.Wait()
}

// STFT computes the one-sided short-time Fourier transform of x as
// torch.stft(x, n_fft, hop_length, win_length, window, center, pad_mode,
// normalized=False, onesided=True, return_complex=True) does, frame-major.
//
// Errors: an invalid config; an empty signal; with Center and PadReflect, a
// signal of NFFT/2 samples or fewer (torch fails too); without Center, a
// signal shorter than NFFT.
func STFT(x []float64, c STFTConfig) (*ComplexSpectrogram, error) {
	p, err := newSTFTPlan(c)
	if err != nil {
		return nil, err
	}
	if err := c.checkSignal("STFT", len(x)); err != nil {
		return nil, err
	}
	bins, frames := c.Bins(), c.NumFrames(len(x))
	if bins*frames/bins != frames {
		return nil, errors.New("dsp: STFT: output too large")
	}
	s := &ComplexSpectrogram{Bins: bins, Frames: frames, Data: make([]complex128, bins*frames)}
	p.parallelFrames(frames, func(w *stftWorker, t0, t1 int) {
		for t := t0; t < t1; t++ {
			w.complexFrame(s.Data[t*bins:(t+1)*bins], w.frame(x, t))
		}
	})
	return s, nil
}

// PowerSpectrogram computes |STFT(x)|^p (p = 2 power, p = 1 magnitude)
// frame-major into dst, reused if its capacity suffices, and returns it
// with the number of frames. It is the fast path: no complex spectrogram
// is formed, and frames are split across GOMAXPROCS goroutines. The values
// equal STFT(x, c).Power(p). p must be finite and > 0.
func PowerSpectrogram(x []float64, c STFTConfig, p float64, dst []float64) ([]float64, int, error) {
	if !(p > 0) || math.IsInf(p, 0) {
		return nil, 0, fmt.Errorf("dsp: PowerSpectrogram: exponent p must be finite and > 0, got %g", p)
	}
	plan, err := newSTFTPlan(c)
	if err != nil {
		return nil, 0, err
	}
	if err := c.checkSignal("PowerSpectrogram", len(x)); err != nil {
		return nil, 0, err
	}
	bins, frames := c.Bins(), c.NumFrames(len(x))
	if bins*frames/bins != frames {
		return nil, 0, errors.New("dsp: PowerSpectrogram: output too large")
	}
	if cap(dst) < bins*frames {
		dst = make([]float64, bins*frames)
	}
	dst = dst[:bins*frames]
	plan.parallelFrames(frames, func(w *stftWorker, t0, t1 int) {
		for t := t0; t < t1; t++ {
			w.powerFrame(dst[t*bins:(t+1)*bins], w.frame(x, t), p)
		}
	})
	return dst, frames, nil
}
