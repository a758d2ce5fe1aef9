package separation

import (
	"context"
	"math"
	"math/rand"
	"testing"

	"github.com/avlearn/avlearn/dsp"
)

// With Config.Tilt, training mixtures tilt each source before mixing and
// other mixtures do not: a training mixture is still the exact sum of its
// sources, and its first source is the untilted mixer's cut with a
// different balance of low and high frequencies (within ±Tilt dB per
// octave).
func TestMixerTilt(t *testing.T) {
	ds := tinyCorpus(t)
	c := tinyConfig()
	c.Tilt = 6
	srcs, err := c.loadSources(context.Background(), ds.Clips, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := newMixer(c, srcs, c.SegmentFrames())
	if err != nil {
		t.Fatal(err)
	}
	tilted, err := newTrainMixer(c, srcs)
	if err != nil {
		t.Fatal(err)
	}
	// high-band share: energy above Rate/4 over energy below Rate/8 (1 kHz
	// and 500 Hz at the tiny config's 4 kHz)
	share := func(x []float64) float64 {
		var lo, hi float64
		for k, v := range dsp.NewFFT(len(x)).Forward(nil, x) {
			f := float64(k) * float64(c.Rate) / float64(len(x))
			e := real(v)*real(v) + imag(v)*imag(v)
			if f < float64(c.Rate)/8 {
				lo += e
			} else if f > float64(c.Rate)/4 {
				hi += e
			}
		}
		return hi / lo
	}
	changed := 0
	for seed := int64(1); seed <= 10; seed++ {
		a := plain.draw(rand.New(rand.NewSource(seed)))
		b := tilted.draw(rand.New(rand.NewSource(seed)))
		for j := range b.mix {
			if b.mix[j] != b.srcs[0][j]+b.srcs[1][j] {
				t.Fatalf("seed %d, sample %d: mixture %g, sum of sources %g", seed, j, b.mix[j], b.srcs[0][j]+b.srcs[1][j])
			}
		}
		// the bands' centres are at most 5 octaves apart (100 Hz … 2 kHz)
		d := 10 * math.Log10(share(b.srcs[0])/share(a.srcs[0]))
		if math.Abs(d) > 5*c.Tilt {
			t.Errorf("seed %d: high-band share moved %.1f dB, more than a ±%g dB/octave tilt can", seed, d, c.Tilt)
		}
		if math.Abs(d) > 0.5 {
			changed++
		}
	}
	if changed < 5 {
		t.Errorf("the tilt moved the high-band share by more than 0.5 dB in %d of 10 draws", changed)
	}
}
