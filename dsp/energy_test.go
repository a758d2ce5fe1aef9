package dsp

import (
	"math"
	"math/rand"
	"testing"
)

// FrameEnergy is Parseval's sum of each frame's power spectrum over all
// NFFT bins, divided by NFFT, for the frames PowerSpectrogram cuts.
func TestFrameEnergyParseval(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	x := make([]float64, 3001)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for _, c := range []STFTConfig{
		{NFFT: 512, Hop: 160, WinLength: 400, Window: Hann(400, true), Center: true, Pad: PadConstant},
		{NFFT: 512, Hop: 128, WinLength: 400, Window: Hann(400, true), Center: true, Pad: PadReflect},
		{NFFT: 256, Hop: 100, Center: false},
	} {
		e, err := FrameEnergy(x, c)
		if err != nil {
			t.Fatal(err)
		}
		pow, frames, err := PowerSpectrogram(x, c, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(e) != frames {
			t.Fatalf("%+v: %d energies for %d frames", c, len(e), frames)
		}
		bins := c.NFFT/2 + 1
		for i := range frames {
			p := pow[i*bins : (i+1)*bins]
			s := p[0] + p[bins-1]
			for _, v := range p[1 : bins-1] {
				s += 2 * v
			}
			if want := s / float64(c.NFFT); math.Abs(e[i]-want) > 1e-9*want {
				t.Fatalf("n_fft %d hop %d frame %d: energy %v, power spectrum says %v", c.NFFT, c.Hop, i, e[i], want)
			}
		}
	}
}
