package dsp

import (
	"fmt"
	"math"
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
	// Only the part of the overlap-added signal inside [start, min(end, full)) is kept.
	stop := min(end, full)
	y := make([]float64, full)
	env := make([]float64, full)
	frame := make([]float64, n)
	w := p.wpad
	for t := 0; t < s.Frames; t++ {
		o := t * hop
		if o >= stop || o+n <= start {
			continue // contributes nothing to the kept samples
		}
		p.fft.Inverse(frame, s.Data[t*s.Bins:(t+1)*s.Bins])
		yy := y[o : o+n]
		ee := env[o : o+n]
		for i := p.left; i < p.left+p.win; i++ {
			yy[i] += frame[i] * w[i]
			ee[i] += w[i] * w[i]
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
