package dsp

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// istftNOLAMin is torch.istft's threshold on the window overlap-add sum.
const istftNOLAMin = 1e-11

// ISTFT inverts an STFT made with config c as torch.istft(X, n_fft,
// hop_length, win_length, window, center, normalized=False, onesided=True,
// length) does: each frame is inverse-transformed, multiplied by the
// window, overlap-added, and divided by the overlap-added squared window
// (the NOLA envelope). With Center the first and last NFFT/2 samples of the
// padded signal are dropped. length > 0 trims or zero-extends the output to
// exactly length samples; length ≤ 0 gives the natural length
// NFFT + Hop·(Frames−1) − 2·(NFFT/2) with Center, NFFT + Hop·(Frames−1)
// without. c.Pad is not used.
//
// It is an error if s does not have c.Bins() bins or has no frames, or if
// the envelope falls below 1e-11 anywhere in the output (the window and hop
// violate the NOLA condition, e.g. a rectangular window with Hop >
// WinLength).
func ISTFT(s *ComplexSpectrogram, c STFTConfig, length int) ([]float64, error) {
	p, err := newSTFTPlan(c)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("dsp: ISTFT: nil spectrogram")
	}
	if s.Bins != c.Bins() {
		return nil, fmt.Errorf("dsp: ISTFT: spectrogram has %d bins, NFFT=%d needs %d", s.Bins, c.NFFT, c.Bins())
	}
	if s.Frames < 1 {
		return nil, fmt.Errorf("dsp: ISTFT: spectrogram has no frames")
	}
	if len(s.Data) != s.Bins*s.Frames {
		return nil, fmt.Errorf("dsp: ISTFT: spectrogram has %d values, %d bins × %d frames needs %d", len(s.Data), s.Bins, s.Frames, s.Bins*s.Frames)
	}
	n, hop := c.NFFT, c.Hop
	full := n + hop*(s.Frames-1)
	start := p.pad
	end := full - p.pad
	if length > 0 {
		end = start + length
	}
	if end <= start {
		return nil, fmt.Errorf("dsp: ISTFT: %d frames of hop %d give no samples after removing the centre padding", s.Frames, hop)
	}
	// Only the part of the overlap-added signal inside [start, stop) is
	// kept, so only frames that reach it are computed.
	stop := min(end, full)
	t0 := max(0, (start-n)/hop)
	for t0 > 0 && (t0-1)*hop+n > start {
		t0--
	}
	for t0*hop+n <= start {
		t0++
	}
	t1 := min(s.Frames, (stop+hop-1)/hop)
	y := make([]float64, full)
	env := make([]float64, full)
	lo, hi := p.left, p.left+p.win
	w := p.wpad[lo:hi]
	w2 := make([]float64, len(w))
	for i, v := range w {
		w2[i] = v * v
	}
	for t := t0; t < t1; t++ {
		e := env[t*hop+lo : t*hop+hi]
		e = e[:len(w2)]
		for i, v := range w2 {
			e[i] += v
		}
	}
	// Frames are inverse-transformed and windowed in parallel, a round of
	// chunks at a time, and overlap-added in frame order, so the result does
	// not depend on the number of goroutines.
	const chunk = 64
	nw := max(1, min(runtime.GOMAXPROCS(0), (t1-t0+chunk-1)/chunk))
	bufs := make([][]float64, nw)
	works := make([]*fftWork, nw)
	for i := range bufs {
		bufs[i] = make([]float64, chunk*n)
		works[i] = p.fft.newWork()
	}
	var wg sync.WaitGroup
	for r0 := t0; r0 < t1; r0 += nw * chunk {
		for i := 0; i < nw; i++ {
			a := r0 + i*chunk
			b := min(a+chunk, t1)
			if a >= b {
				break
			}
			wg.Add(1)
			go func(buf []float64, fw *fftWork) {
				defer wg.Done()
				for t := a; t < b; t++ {
					fr := buf[(t-a)*n : (t-a+1)*n]
					p.fft.inverseWith(fr, s.Data[t*s.Bins:(t+1)*s.Bins], fw, p.wpad)
				}
			}(bufs[i], works[i])
		}
		wg.Wait()
		for i := 0; i < nw; i++ {
			a := r0 + i*chunk
			for t := a; t < min(a+chunk, t1); t++ {
				fr := bufs[i][(t-a)*n+lo : (t-a)*n+hi]
				yy := y[t*hop+lo : t*hop+hi]
				yy = yy[:len(fr)]
				for j, v := range fr {
					yy[j] += v
				}
			}
		}
	}
	out := make([]float64, end-start)
	for i := start; i < stop; i++ {
		e := env[i]
		if !(math.Abs(e) >= istftNOLAMin) {
			return nil, fmt.Errorf("dsp: ISTFT: window overlap-add sum is %g at output sample %d (< %g): window and Hop=%d violate the NOLA condition", e, i-start, istftNOLAMin, hop)
		}
		out[i-start] = y[i] / e
	}
	return out, nil
}

// ISTFTAdjoint applies the adjoint (transpose) of the linear map
// Y ↦ ISTFT(Y, c, len(g)) over spectrograms of frames frames to the
// waveform g, treating the real and imaginary parts of every bin as
// separate variables: it returns G with ⟨ISTFT(Y), g⟩ = Σ Re(Y)·Re(G) +
// Im(Y)·Im(G). That is the gradient of a loss on the inverse STFT's output
// with respect to its input, which a network trained through the inverse
// STFT needs. Per frame it is c_b/NFFT · rfft(window · g/envelope) with
// c_b = 1 at DC and Nyquist and 2 between (the inverse counts each other bin
// twice, for its negative frequency). Errors are those of ISTFT.
func ISTFTAdjoint(g []float64, c STFTConfig, frames int) (*ComplexSpectrogram, error) {
	p, err := newSTFTPlan(c)
	if err != nil {
		return nil, err
	}
	if frames < 1 {
		return nil, fmt.Errorf("dsp: ISTFTAdjoint: %d frames, want ≥ 1", frames)
	}
	if len(g) == 0 {
		return nil, fmt.Errorf("dsp: ISTFTAdjoint: empty gradient")
	}
	n, hop := c.NFFT, c.Hop
	full := n + hop*(frames-1)
	lo, hi := p.left, p.left+p.win
	env := make([]float64, full)
	for t := range frames {
		for i, w := range p.wpad[lo:hi] {
			env[t*hop+lo+i] += w * w
		}
	}
	// u is g/env at the padded positions ISTFT keeps; zero elsewhere, as
	// ISTFT drops (or zero-extends) everything outside them.
	u := make([]float64, full)
	for j, v := range g {
		i := p.pad + j
		if i >= full {
			break
		}
		if !(math.Abs(env[i]) >= istftNOLAMin) {
			return nil, fmt.Errorf("dsp: ISTFTAdjoint: window overlap-add sum is %g at output sample %d (< %g): window and Hop=%d violate the NOLA condition", env[i], j, istftNOLAMin, hop)
		}
		u[i] = v / env[i]
	}
	bins := c.Bins()
	out := &ComplexSpectrogram{Bins: bins, Frames: frames, Data: make([]complex128, bins*frames)}
	fr := make([]float64, n)
	var X []complex128
	for t := range frames {
		for i := range fr {
			fr[i] = p.wpad[i] * u[t*hop+i]
		}
		X = p.fft.Forward(X, fr)
		for b, v := range X {
			cb := 2 / float64(n)
			if b == 0 || (n%2 == 0 && b == bins-1) {
				cb = 1 / float64(n)
			}
			out.Data[t*bins+b] = v * complex(cb, 0)
		}
	}
	return out, nil
}
