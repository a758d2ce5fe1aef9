package spectrogram

import (
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// InvertOptions set Invert.
type InvertOptions struct {
	// Iters is the number of Griffin-Lim iterations; 0 means 32
	// (torchaudio's default).
	Iters int
	// Momentum is fast Griffin-Lim's momentum in [0, 1); torchaudio's
	// default is 0.99, 0 is the original algorithm.
	Momentum float64
	// Length is the number of samples wanted; 0 means the STFT's natural
	// length.
	Length int
	// Block, if > 0, bounds the memory of long inversions: a spectrogram of
	// more than Block frames is inverted in blocks of Block frames that
	// overlap by a quarter, each by Griffin-Lim on its own, and the
	// waveforms are cross-faded inside the overlaps (away from the block
	// edges, whose frames lack neighbours). Griffin-Lim's working memory,
	// about 150 bytes per value, then grows with Block, not with the length
	// of the sound. Block must be at least 8·(NFFT/Hop + 1).
	Block int
	// Observe, if not nil, is called after each iteration with the
	// spectral convergence (see dsp.GriffinLimOptions). With blocks, iter
	// counts the iterations of all blocks so far, up to Iters × Blocks.
	Observe func(iter int, convergence float64)
}

// Blocks returns how many blocks Invert runs Griffin-Lim on for a
// spectrogram of frames frames: 1 unless Block is set and smaller.
func (o InvertOptions) Blocks(frames int) int {
	if o.Block <= 0 || frames <= o.Block {
		return 1
	}
	step := o.Block - o.Block/4
	return 1 + (frames-o.Block+step-1)/step
}

// Invert estimates a waveform whose linear spectrogram is s with
// Griffin-Lim (dsp.GriffinLim), starting from zero phase like torchaudio.
// s must be Linear; decibel values are first converted back to power or
// magnitude (as far as TopDB clipping left them).
func (s *Spectrogram) Invert(o InvertOptions) ([]float64, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Kind != Linear {
		return nil, fmt.Errorf("spectrogram: Invert needs a linear spectrogram, not %s", s.Kind)
	}
	c := s.Config
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if s.Bins != c.NFFT/2+1 {
		return nil, fmt.Errorf("spectrogram: Invert: %d bins, n_fft %d needs %d", s.Bins, c.NFFT, c.NFFT/2+1)
	}
	if o.Iters == 0 {
		o.Iters = 32
	}
	sc, err := c.stft()
	if err != nil {
		return nil, err
	}
	if o.Blocks(s.Frames) == 1 {
		return s.invertFrames(0, s.Frames, sc, o, o.Length, 0)
	}
	edge := (c.NFFT + c.Hop - 1) / c.Hop // frames that share samples with a block edge
	if o.Block < 8*(edge+1) {
		return nil, fmt.Errorf("spectrogram: Invert: Block %d frames, want at least %d for n_fft %d and hop %d", o.Block, 8*(edge+1), c.NFFT, c.Hop)
	}
	if o.Length > 0 && sc.NumFrames(o.Length) != s.Frames {
		return nil, fmt.Errorf("spectrogram: Invert: Length %d gives %d frames, the spectrogram has %d", o.Length, sc.NumFrames(o.Length), s.Frames)
	}
	step := o.Block - o.Block/4
	var out []float64
	prevEnd := 0 // last frame + 1 of the previous block
	for k, a := 0, 0; ; k, a = k+1, a+step {
		b := min(a+o.Block, s.Frames)
		y, err := s.invertFrames(a, b, sc, o, 0, k*o.Iters)
		if err != nil {
			return nil, err
		}
		g := a * c.Hop // y[j] is sample g+j of the whole
		if k == 0 {
			out = y
		} else {
			// Cross-fade over the overlap [a, prevEnd) without its edges.
			f0, f1 := (a+edge)*c.Hop, (prevEnd-1-edge)*c.Hop
			// Griffin-Lim cannot tell x from −x: keep the blocks' signs alike.
			var dot float64
			for n := f0; n < f1; n++ {
				dot += out[n] * y[n-g]
			}
			if dot < 0 {
				for j := range y {
					y[j] = -y[j]
				}
			}
			for n := f0; n < f1; n++ {
				w := (float64(n-f0) + 0.5) / float64(f1-f0)
				out[n] = (1-w)*out[n] + w*y[n-g]
			}
			out = append(out[:f1], y[f1-g:]...)
		}
		if b == s.Frames {
			break
		}
		prevEnd = b
	}
	if o.Length > 0 {
		if len(out) >= o.Length {
			out = out[:o.Length]
		} else {
			out = append(out, make([]float64, o.Length-len(out))...)
		}
	}
	return out, nil
}

// invertFrames runs Griffin-Lim on frames [a, b) of s, to length samples
// (0: the STFT's natural length); Observe sees iterations from iter0 on.
func (s *Spectrogram) invertFrames(a, b int, sc dsp.STFTConfig, o InvertOptions, length, iter0 int) ([]float64, error) {
	c := s.Config
	n := b - a
	// Frame-major for dsp.
	mag := make([]float64, n*s.Bins)
	for bin := 0; bin < s.Bins; bin++ {
		for t, v := range s.Data[bin*s.Frames+a : bin*s.Frames+b] {
			mag[t*s.Bins+bin] = float64(v)
		}
	}
	if s.Scale == DB {
		if c.Power == 1 {
			mag = dsp.DBToAmplitude(mag, 1)
		} else {
			mag = dsp.DBToPower(mag, 1)
		}
	}
	observe := o.Observe
	if observe != nil && iter0 > 0 {
		observe = func(i int, conv float64) { o.Observe(iter0+i, conv) }
	}
	x, err := dsp.GriffinLim(mag, n, sc, dsp.GriffinLimOptions{
		Iters: o.Iters, Momentum: o.Momentum, Power: c.Power, Length: length, Observe: observe,
	})
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	return x, nil
}

// InvertMel estimates the linear spectrogram behind a mel spectrogram s
// (dsp.MelBank.Invert with iters iterations per frame): decibels are
// first converted back to power or magnitude, and the result has the
// same scale, so Invert turns it into a waveform. A mel spectrogram keeps
// only each filter's share of the bins, so the estimate is smooth within
// a filter's band.
func (s *Spectrogram) InvertMel(iters int) (*Spectrogram, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Kind != Mel {
		return nil, fmt.Errorf("spectrogram: InvertMel needs a mel spectrogram, not %s", s.Kind)
	}
	c := s.Config
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if s.Bins != c.NMels {
		return nil, fmt.Errorf("spectrogram: InvertMel: %d rows, n_mels %d", s.Bins, c.NMels)
	}
	fb, err := c.melFilters()
	if err != nil {
		return nil, err
	}
	bins := c.NFFT/2 + 1
	bank, err := dsp.NewMelBank(fb, c.NMels, bins)
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	mel := make([]float64, s.Frames*s.Bins) // frame-major
	for b := 0; b < s.Bins; b++ {
		for t := 0; t < s.Frames; t++ {
			mel[t*s.Bins+b] = float64(s.Data[b*s.Frames+t])
		}
	}
	if s.Scale == DB {
		if c.Power == 1 {
			mel = dsp.DBToAmplitude(mel, 1)
		} else {
			mel = dsp.DBToPower(mel, 1)
		}
	}
	lin, err := bank.Invert(mel, s.Frames, iters)
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	lc := c
	lc.NMels, lc.DB, lc.TopDB = 0, false, 0
	return &Spectrogram{Data: transpose(lin, s.Frames, bins), Bins: bins, Frames: s.Frames, Config: lc, Kind: Linear, Scale: lc.Scale()}, nil
}
