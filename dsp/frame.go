package dsp

import (
	"errors"
	"fmt"
)

// A Framer cuts a signal that arrives in chunks into the frames STFT would
// cut from the whole signal, including the centre padding at the start and
// end, so files of any length can be transformed frame by frame in bounded
// memory. The frames, and the spectra NextPower and NextComplex compute
// from them, are bit-for-bit those of STFT and PowerSpectrogram.
//
// Use: Push a chunk, call Next (or NextPower / NextComplex) until it
// reports false, repeat; after the last chunk call Close and drain the
// remaining frames the same way. Memory stays at about NFFT samples plus
// the largest chunk as long as frames are drained after each Push.
//
// With Center and PadReflect the first NFFT/2+1 samples are held back until
// the left padding can be formed. A Framer is not safe for concurrent use.
type Framer struct {
	p       *stftPlan
	buf     []float64 // padded-signal samples starting at padded index base
	base    int
	next    int       // padded index where the next frame starts
	nIn     int       // raw samples pushed
	head    []float64 // reflect: raw samples held until the left pad is formed
	started bool      // left padding written
	tail    []float64 // the last NFFT/2+1 raw samples, for the right padding
	closed  bool
	frames  int
	w       *stftWorker
}

// NewFramer returns a Framer for config c.
func NewFramer(c STFTConfig) (*Framer, error) {
	p, err := newSTFTPlan(c)
	if err != nil {
		return nil, err
	}
	f := &Framer{p: p}
	if p.pad == 0 {
		f.started = true
	} else if c.Pad == PadConstant {
		f.buf = make([]float64, p.pad, p.pad+c.NFFT)
		f.started = true
	}
	return f, nil
}

// Config returns the Framer's config.
func (f *Framer) Config() STFTConfig { return f.p.c }

// Frames returns the number of frames returned so far.
func (f *Framer) Frames() int { return f.frames }

// Samples returns the number of signal samples pushed so far.
func (f *Framer) Samples() int { return f.nIn }

// Push appends samples of the signal. It is an error after Close.
func (f *Framer) Push(x []float64) error {
	if f.closed {
		return errors.New("dsp: Framer.Push after Close")
	}
	if len(x) == 0 {
		return nil
	}
	f.nIn += len(x)
	if k := f.p.pad + 1; f.p.pad > 0 {
		t := append(f.tail, x[max(0, len(x)-k):]...)
		if len(t) > k {
			copy(t, t[len(t)-k:])
			t = t[:k]
		}
		f.tail = t
	}
	if f.started {
		f.appendPadded(x)
		return nil
	}
	// Reflect padding needs x[1..pad] before anything can be emitted.
	f.head = append(f.head, x...)
	if len(f.head) > f.p.pad {
		f.startReflect()
	}
	return nil
}

func (f *Framer) startReflect() {
	pad := f.p.pad
	left := make([]float64, pad)
	for i := range left {
		left[i] = f.head[pad-i]
	}
	f.started = true
	f.appendPadded(left)
	f.appendPadded(f.head)
	f.head = nil
}

// appendPadded appends samples of the padded signal, dropping any that
// lie before the next frame and compacting what frames have consumed.
func (f *Framer) appendPadded(v []float64) {
	if k := min(f.next-f.base, len(f.buf)); k > 0 {
		n := copy(f.buf, f.buf[k:])
		f.buf = f.buf[:n]
		f.base += k
	}
	pos := f.base + len(f.buf)
	if skip := f.next - pos; skip > 0 { // Hop > NFFT: samples no frame uses
		d := min(skip, len(v))
		v = v[d:]
		f.base += d
	}
	f.buf = append(f.buf, v...)
}

// Close marks the end of the signal and appends the right padding. It
// reports the errors STFT would give for the whole signal (empty, too short
// for reflect padding, shorter than NFFT without Center). Frames remaining
// after Close are still returned by Next.
func (f *Framer) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	if err := f.p.c.checkSignal("Framer", f.nIn); err != nil {
		return err
	}
	if !f.started {
		f.startReflect()
	}
	pad := f.p.pad
	if pad == 0 {
		return nil
	}
	right := make([]float64, pad)
	if f.p.c.Pad == PadReflect {
		// right[j] = x[n−2−j]; tail holds x[n−pad−1 .. n−1].
		k := len(f.tail)
		for j := range right {
			right[j] = f.tail[k-2-j]
		}
	}
	f.appendPadded(right)
	return nil
}

// frame returns the next raw frame (a view into the buffer) or false.
func (f *Framer) frame() ([]float64, bool) {
	n := f.p.c.NFFT
	off := f.next - f.base
	if !f.started || off < 0 || off+n > len(f.buf) {
		return nil, false
	}
	fr := f.buf[off : off+n]
	f.next += f.p.c.Hop
	f.frames++
	return fr, true
}

// Next copies the next frame of NFFT padded samples, not windowed, into dst
// (reused if its capacity suffices) and returns it, or returns false when
// more input (or Close) is needed.
func (f *Framer) Next(dst []float64) ([]float64, bool) {
	fr, ok := f.frame()
	if !ok {
		return dst, false
	}
	if cap(dst) < len(fr) {
		dst = make([]float64, len(fr))
	}
	dst = dst[:len(fr)]
	copy(dst, fr)
	return dst, true
}

func (f *Framer) worker() *stftWorker {
	if f.w == nil {
		f.w = f.p.newWorker()
	}
	return f.w
}

// NextPower computes |X|^p (Bins values) of the next frame into dst, reused
// if its capacity suffices, or returns false when more input is needed.
// p must be > 0 (2 power, 1 magnitude).
func (f *Framer) NextPower(dst []float64, p float64) ([]float64, bool) {
	fr, ok := f.frame()
	if !ok {
		return dst, false
	}
	nb := f.p.c.Bins()
	if cap(dst) < nb {
		dst = make([]float64, nb)
	}
	dst = dst[:nb]
	w := f.worker()
	w.powerFrame(dst, fr, p)
	return dst, true
}

// NextComplex computes the Bins complex values of the next frame into dst,
// reused if its capacity suffices, or returns false when more input is
// needed.
func (f *Framer) NextComplex(dst []complex128) ([]complex128, bool) {
	fr, ok := f.frame()
	if !ok {
		return dst, false
	}
	nb := f.p.c.Bins()
	if cap(dst) < nb {
		dst = make([]complex128, nb)
	}
	dst = dst[:nb]
	w := f.worker()
	w.complexFrame(dst, fr)
	return dst, true
}

// String describes the Framer's progress.
func (f *Framer) String() string {
	return fmt.Sprintf("Framer{NFFT %d, Hop %d, %d samples in, %d frames out}", f.p.c.NFFT, f.p.c.Hop, f.nIn, f.frames)
}
