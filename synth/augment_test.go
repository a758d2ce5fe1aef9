package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func testSpeech(t *testing.T, seed int) []float64 {
	t.Helper()
	sp := NewSpeaker(rngFor(int64(seed), "aug-speaker", 0), "s")
	r := rngFor(int64(seed), "aug", 0)
	u, err := Speak(sp.Voice, RandomSyllables(r, sp.Voice, 2), r)
	if err != nil {
		t.Fatal(err)
	}
	return u.Audio
}

// bandPower is the mean power of x between lo and hi Hz (512-point frames).
func bandPower(x []float64, rate int, lo, hi float64) float64 {
	pow, frames := longTermPower(x, 512, 256)
	s := 0.0
	for t := 0; t < frames; t++ {
		for k := 0; k <= 256; k++ {
			f := float64(k) * float64(rate) / 512
			if f >= lo && f <= hi {
				s += pow[t*257+k]
			}
		}
	}
	return s
}

func TestAugmentOffIsCopyAndDeterministic(t *testing.T) {
	x := testSpeech(t, 1)
	y, err := Augment(x, SpeechRate, AugmentOptions{}, rand.New(rand.NewPCG(1, 2)))
	if err != nil || !slices.Equal(x, y) {
		t.Fatalf("zero options changed the signal (err %v)", err)
	}
	all := AugmentOptions{Reverb: 1, Colour: 1, Telephone: 0.5, Noise: 1, Level: [2]float64{-6, 0}, Clip: 0.5}
	a, _ := Augment(x, SpeechRate, all, rand.New(rand.NewPCG(7, 8)))
	b, _ := Augment(x, SpeechRate, all, rand.New(rand.NewPCG(7, 8)))
	c, _ := Augment(x, SpeechRate, all, rand.New(rand.NewPCG(9, 8)))
	if !slices.Equal(a, b) || slices.Equal(a, c) || len(a) != len(x) {
		t.Error("same seed must give the same result, another seed another one, of the input's length")
	}
	for _, bad := range []AugmentOptions{{Reverb: 2}, {Noise: -1}, {SNR: [2]float64{10, 5}}, {RT60: [2]float64{0, 9}}, {ClipLevel: [2]float64{0.5, 2}}} {
		if _, err := Augment(x, SpeechRate, bad, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestRoomResponse measures RT60 by Schroeder backward integration (the
// −5 to −25 dB decay, extrapolated) and the direct-to-reverberant ratio.
func TestRoomResponse(t *testing.T) {
	for _, c := range []struct{ rt60, drr float64 }{{0.3, 0}, {0.8, 8}} {
		h := RoomResponse(SpeechRate, c.rt60, c.drr, rand.New(rand.NewPCG(3, 4)))
		direct, tail := h[0]*h[0], 0.0
		for _, v := range h[1:] {
			tail += v * v
		}
		if got := 10 * math.Log10(direct/tail); math.Abs(got-c.drr) > 0.01 {
			t.Errorf("DRR %.2f dB, want %g", got, c.drr)
		}
		// Schroeder curve of the tail's low band (the high band decays faster)
		e := make([]float64, len(h))
		acc := 0.0
		for i := len(h) - 1; i >= 1; i-- {
			acc += h[i] * h[i]
			e[i] = acc
		}
		t5, t25 := -1, -1
		for i := 1; i < len(h); i++ {
			db := 10 * math.Log10(e[i]/e[1])
			if t5 < 0 && db <= -5 {
				t5 = i
			}
			if t25 < 0 && db <= -25 {
				t25 = i
			}
		}
		rt := 3 * float64(t25-t5) / SpeechRate
		// the faster-decaying high band makes the broadband decay a little quicker
		if rt < 0.6*c.rt60 || rt > 1.1*c.rt60 {
			t.Errorf("measured RT60 %.3f s, want about %g", rt, c.rt60)
		}
	}
}

func TestAugmentEffects(t *testing.T) {
	x := testSpeech(t, 2)
	r := func() *rand.Rand { return rand.New(rand.NewPCG(5, 6)) }
	// noise at a fixed SNR
	y, _ := Augment(x, SpeechRate, AugmentOptions{Noise: 1, SNR: [2]float64{10, 10}}, r())
	px, pn := 0.0, 0.0
	for i := range x {
		px += x[i] * x[i]
		pn += (y[i] - x[i]) * (y[i] - x[i])
	}
	if snr := 10 * math.Log10(px/pn); math.Abs(snr-10) > 0.01 {
		t.Errorf("SNR %.2f dB, want 10", snr)
	}
	// telephone: nothing left above 4 kHz, speech band kept
	y, _ = Augment(x, SpeechRate, AugmentOptions{Telephone: 1}, r())
	hi := bandPower(y, SpeechRate, 4200, 8000) / bandPower(x, SpeechRate, 4200, 8000)
	mid := bandPower(y, SpeechRate, 800, 2500) / bandPower(x, SpeechRate, 800, 2500)
	low := bandPower(y, SpeechRate, 0, 150) / bandPower(x, SpeechRate, 0, 150)
	if hi > 1e-3 || low > 0.1 || mid < 0.7 || mid > 1.3 {
		t.Errorf("telephone power ratios: <150 Hz %.3g, 800–2500 Hz %.3g, >4.2 kHz %.3g", low, mid, hi)
	}
	// clipping and level
	y, _ = Augment(x, SpeechRate, AugmentOptions{Clip: 1, ClipLevel: [2]float64{0.5, 0.5}, Level: [2]float64{6, 6}}, r())
	peak := 0.0
	for _, v := range x {
		peak = math.Max(peak, math.Abs(v))
	}
	for i, v := range y {
		if math.Abs(v) > 0.5*peak*2+1e-12 {
			t.Fatalf("sample %d is %g above the clip level %g", i, v, peak)
		}
	}
	// reverberation spreads energy into the pauses after speech
	y, _ = Augment(x, SpeechRate, AugmentOptions{Reverb: 1, RT60: [2]float64{0.8, 0.8}, DRR: [2]float64{0, 0}}, r())
	last := len(x) - 1
	for last > 0 && math.Abs(x[last]) < 1e-4 {
		last--
	}
	after := func(s []float64) float64 { return rms(s[last+1 : min(len(s), last+1+800)]) }
	if after(y) < 10*after(x)+1e-4 {
		t.Errorf("no reverberant tail: RMS after speech %.2g vs %.2g dry", after(y), after(x))
	}
}

// TestSpeakersAugment: the corpus option changes the audio, not the
// frames or labels, and the clean corpus is unchanged by its presence.
func TestSpeakersAugment(t *testing.T) {
	clean, noisy := t.TempDir(), t.TempDir()
	o := SpeakersOptions{N: 2, Seed: 5, Speakers: 2, Duration: 1.2, Size: 16}
	if err := Speakers(clean, o); err != nil {
		t.Fatal(err)
	}
	o.Augment = AugmentOptions{Noise: 1, SNR: [2]float64{0, 0}}
	if err := Speakers(noisy, o); err != nil {
		t.Fatal(err)
	}
	a, b := readCorpus(t, clean), readCorpus(t, noisy)
	for i := range a {
		if slices.Equal(a[i].audio, b[i].audio) || a[i].meta.Labels["caption"] != b[i].meta.Labels["caption"] || len(a[i].frames) != len(b[i].frames) {
			t.Errorf("clip %d: augmentation did not change only the audio", i)
		}
	}
	o.Augment = AugmentOptions{Noise: 3}
	if err := Speakers(t.TempDir(), o); err == nil {
		t.Error("noise probability 3 accepted")
	}
}

func TestAugmentPresets(t *testing.T) {
	for _, name := range []string{"clean", "room", "field"} {
		o, err := AugmentPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if (o == AugmentOptions{}) != (name == "clean") {
			t.Errorf("%s: %+v", name, o)
		}
	}
	if _, err := AugmentPreset("studio"); err == nil || !strings.Contains(err.Error(), "studio") {
		t.Errorf("unknown preset: %v", err)
	}
}
