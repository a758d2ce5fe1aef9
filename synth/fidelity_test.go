package synth

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/avlearn/avlearn/internal/speechstats"
)

// fidelitySeed is used by no other test, so the figures below are not
// tuned to it.
const fidelitySeed = 20261207

// fidelitySample draws k speakers and one utterance of seconds each.
func fidelitySample(t testing.TB, seed int64, k int, seconds float64) ([]Speaker, [][]float64) {
	sps, _ := SpeakerSet(seed, k, 0, 0)
	audio := make([][]float64, k)
	for i, sp := range sps {
		r := rngFor(seed, "fidelity", i)
		u, err := Speak(sp.Voice, RandomSyllables(r, sp.Voice, seconds), r)
		if err != nil {
			t.Fatal(err)
		}
		audio[i] = u.Audio
	}
	return sps, audio
}

// TestVoiceFidelity measures fresh synth speech with internal/speechstats
// and compares the cheap statistics with published ranges for human
// speech: F0 by sex (men ≈ 85–180 Hz, women ≈ 165–255 Hz, children well
// above both), speaking rate
// (≈ 3–6 syllables/s with pauses) and the peak of the envelope modulation
// spectrum (2–8 Hz; ≈ 4–5 Hz in Ding et al. 2017).
func TestVoiceFidelity(t *testing.T) {
	const k = 40
	sps, audio := fidelitySample(t, fidelitySeed, k, 4)
	var male, female, children, rates []float64
	var bandPow []float64
	var centres []float64
	for i, sp := range sps {
		f0 := speechstats.Median(speechstats.F0Track(audio[i], SpeechRate))
		switch {
		case sp.Age < 18:
			children = append(children, f0)
		case sp.SexLike > 0.5:
			male = append(male, f0)
		default:
			female = append(female, f0)
		}
		rates = append(rates, speechstats.SpeakingRate(audio[i], SpeechRate))
		c, p := speechstats.ModulationBands(audio[i], SpeechRate)
		if bandPow == nil {
			bandPow, centres = make([]float64, len(p)), c
		}
		for j := range p {
			bandPow[j] += p[j] / k
		}
	}
	within := func(v []float64, lo, hi float64) float64 {
		n := 0
		for _, x := range v {
			if x >= lo && x <= hi {
				n++
			}
		}
		return float64(n) / float64(len(v))
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	if len(male) < 8 || len(female) < 8 {
		t.Fatalf("%d male-like and %d female-like speakers of %d: the sex-like draw is broken", len(male), len(female), k)
	}
	t.Logf("F0 men: mean %.0f Hz, %.0f %% in 85–180; women: mean %.0f Hz, %.0f %% in 165–255",
		mean(male), 100*within(male, 85, 180), mean(female), 100*within(female, 165, 255))
	if within(male, 85, 180) < 0.9 || within(female, 165, 255) < 0.9 {
		t.Errorf("F0 outside published ranges: men %v, women %v", round0(male), round0(female))
	}
	if m, f := mean(male), mean(female); m < 100 || m > 150 || f < 180 || f > 240 {
		t.Errorf("mean F0 men %.0f Hz (want 100–150), women %.0f Hz (want 180–240)", m, f)
	}
	t.Logf("F0 children: %v Hz", round0(children))
	if within(children, 200, 350) < 1 {
		t.Errorf("children's F0 %v Hz, want 200–350", round0(children))
	}
	sort.Float64s(rates)
	med := rates[len(rates)/2]
	t.Logf("speaking rate: median %.2f syllables/s (range %.2f–%.2f)", med, rates[0], rates[len(rates)-1])
	if med < 3 || med > 6 || within(rates, 2.5, 7) < 0.9 {
		t.Errorf("speaking rate median %.2f syllables/s, rates %v; want median 3–6, 90 %% in 2.5–7", med, rates)
	}
	peak := speechstats.Peak(centres, bandPow)
	t.Logf("modulation spectrum (half-octave bands, mean of %d clips): %s; peak %.1f Hz", k, fmtBands(centres, bandPow), peak)
	if peak < 2 || peak > 8 {
		t.Errorf("modulation spectrum peaks at %.1f Hz, want 2–8 Hz", peak)
	}
}

func round0(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Round(x)
	}
	return out
}

func fmtBands(c, p []float64) string {
	s := ""
	for i := range c {
		s += fmt.Sprintf("%.1f:%.2f ", c[i], p[i])
	}
	return s
}
