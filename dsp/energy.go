package dsp

// FrameEnergy returns the energy of every frame STFT would cut from x
// under c: the sum of squares of the windowed frame (the window centred in
// NFFT as in STFT), which by Parseval is the frame's power spectrum summed
// over all NFFT bins and divided by NFFT, without the FFTs.
func FrameEnergy(x []float64, c STFTConfig) ([]float64, error) {
	f, err := NewFramer(c)
	if err != nil {
		return nil, err
	}
	if err := f.Push(x); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	win, off := c.Window, (c.NFFT-c.winLength())/2
	var out []float64
	var fr []float64
	for {
		var ok bool
		if fr, ok = f.Next(fr); !ok {
			return out, nil
		}
		e := 0.0
		for j, v := range fr[off : off+c.winLength()] {
			if win != nil {
				v *= win[j]
			}
			e += v * v
		}
		out = append(out, e)
	}
}
