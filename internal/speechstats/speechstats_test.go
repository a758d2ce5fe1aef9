package speechstats_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/avlearn/avlearn/internal/speechstats"
	"github.com/avlearn/avlearn/synth"
)

const rate = 16000

// harmonics returns seconds of a 1/k-weighted harmonic series at f0.
func harmonics(f0, seconds float64) []float64 {
	x := make([]float64, int(seconds*rate))
	for i := range x {
		t := float64(i) / rate
		for k := 1; float64(k)*f0 < 4000; k++ {
			x[i] += math.Sin(2*math.Pi*float64(k)*f0*t) / float64(k)
		}
	}
	return x
}

func TestF0Track(t *testing.T) {
	for _, f0 := range []float64{90, 150, 230} {
		if got := speechstats.Median(speechstats.F0Track(harmonics(f0, 0.5), rate)); math.Abs(got/f0-1) > 0.02 {
			t.Errorf("F0 of a %g Hz harmonic series: %.1f Hz", f0, got)
		}
	}
	if got := speechstats.F0Track(make([]float64, rate), rate); speechstats.Median(got) != 0 {
		t.Error("silence has a pitch")
	}
}

// bursts is noise switched on and off f times a second (half the time on).
func bursts(f, seconds float64) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, int(seconds*rate))
	for i := range x {
		if math.Sin(2*math.Pi*f*float64(i)/rate) > 0 {
			x[i] = r.NormFloat64()
		}
	}
	return x
}

func TestRateAndModulation(t *testing.T) {
	x := bursts(5, 4)
	if got := speechstats.SpeakingRate(x, rate); math.Abs(got-5) > 0.5 {
		t.Errorf("5 bursts a second counted as %.2f", got)
	}
	c, p := speechstats.ModulationBands(x, rate)
	if peak := speechstats.Peak(c, p); peak < 4 || peak > 5.7 {
		t.Errorf("modulation of 5 Hz bursts peaks in the %.2f Hz band", peak)
	}
	// white noise has a flat long-term spectrum
	r := rand.New(rand.NewPCG(3, 4))
	w := make([]float64, 2*rate)
	for i := range w {
		w[i] = r.NormFloat64()
	}
	if s := speechstats.LTASSlope(w, rate, 500, 4000); math.Abs(s) > 0.5 {
		t.Errorf("white noise LTAS slope %.2f dB/octave", s)
	}
}

// TestFormants measures synth vowels whose formant targets are known.
func TestFormants(t *testing.T) {
	v := synth.Voice{F0: 110, FormantScale: 1, Breathiness: 0.1, Rate: 4}
	want := map[string][2]float64{"a": {730, 1220}, "i": {280, 2250}, "u": {310, 870}}
	for vowel, f := range want {
		u, err := synth.Speak(v, []synth.Token{{Dur: 0.1}, {Syl: vowel, Dur: 0.4}, {Dur: 0.1}}, rand.New(rand.NewPCG(5, 6)))
		if err != nil {
			t.Fatal(err)
		}
		mid := int(0.25 * rate)
		got, ok := speechstats.Formants(u.Audio[mid-320:mid+320], rate)
		if !ok || math.Abs(got[0]/f[0]-1) > 0.15 || math.Abs(got[1]/f[1]-1) > 0.15 {
			t.Errorf("%s: F1/F2 %.0f/%.0f Hz (ok %v), targets %g/%g ±15 %% (the synthesiser varies each token by ≈ 5 %%)", vowel, got[0], got[1], ok, f[0], f[1])
		}
	}
}
