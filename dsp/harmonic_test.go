package dsp

import (
	"math"
	"testing"
)

// pitchAnalysis returns the compressed STFT (power 0.3) of x at 16 kHz with
// a win-sample Hann window, the next power of two as FFT size and a 10 ms
// hop, and the comb bank of k candidates over 60–480 Hz on that STFT.
func pitchAnalysis(t *testing.T, x []float64, win, k int) (*ComplexSpectrogram, *CombBank) {
	t.Helper()
	nfft := 1
	for nfft < win {
		nfft *= 2
	}
	c := STFTConfig{NFFT: nfft, Hop: 160, WinLength: win, Window: Hann(win, true), Center: true, Pad: PadConstant}
	X, err := STFT(x, c)
	if err != nil {
		t.Fatal(err)
	}
	return CompressSpectrogram(X, 0.3), CombBankFor(CombConfig{Rate: 16000, NFFT: nfft, WinLength: win, Combs: k, F0: [2]float64{60, 480}})
}

// tone returns a second of a voice-like harmonic tone at 16 kHz: every
// harmonic up to 4 kHz at amplitude 0.1/h, with a slow ±2 % vibrato.
func tone(f0 float64) []float64 {
	x := make([]float64, 16000)
	ph := 0.0
	for i := range x {
		f := f0 * (1 + 0.02*math.Sin(2*math.Pi*3*float64(i)/16000))
		ph += 2 * math.Pi * f / 16000
		for h := 1; float64(h)*f0 <= 4000; h++ {
			x[i] += 0.1 / float64(h) * math.Sin(float64(h)*ph)
		}
	}
	return x
}

// Every comb has a lobe of height ≈ 1 at each of its harmonics below the
// Nyquist frequency, and is low halfway between; the salience weights of
// a comb sum to zero.
func TestCombBankLobes(t *testing.T) {
	b := CombBankFor(CombConfig{Rate: 16000, NFFT: 512, WinLength: 400, Combs: 2, F0: [2]float64{125, 250}}) // harmonics fall on bins (31.25 Hz apart)
	comb, sal := b.Combs(), b.SalienceWeights()
	f := b.Config().Bins()
	if len(comb) != 2*f || len(sal) != 2*f || len(b.ContrastWeights()) != 2*f {
		t.Fatalf("banks of %d, %d, %d values, want 2×%d", len(comb), len(sal), len(b.ContrastWeights()), f)
	}
	for i, f0 := range []float64{125, 250} {
		if got := b.Config().Candidate(i); got != f0 {
			t.Fatalf("candidate %d is %g Hz, want %g", i, got, f0)
		}
		row := comb[i*f : (i+1)*f]
		step := int(f0 / 31.25)
		for k := step; k < f; k += step {
			if row[k] < 0.999 || row[k-step/2] > 0.05 {
				t.Fatalf("f0 %g: bin %d = %g, bin %d = %g", f0, k, row[k], k-step/2, row[k-step/2])
			}
		}
		var sum float64
		for _, v := range sal[i*f : (i+1)*f] {
			sum += float64(v)
		}
		if math.Abs(sum) > 1e-5 {
			t.Fatalf("f0 %g: salience weights sum to %g", f0, sum)
		}
	}
	if CombBankFor(b.Config()) != b {
		t.Error("the bank of one config is computed twice")
	}
}

// An invalid config is described by Validate and refused by CombBankFor.
func TestCombConfigValidate(t *testing.T) {
	good := CombConfig{Rate: 16000, NFFT: 512, WinLength: 400, Combs: 8, F0: [2]float64{60, 480}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []CombConfig{
		{Rate: 0, NFFT: 512, WinLength: 400, Combs: 8, F0: [2]float64{60, 480}},
		{Rate: 16000, NFFT: 1, WinLength: 400, Combs: 8, F0: [2]float64{60, 480}},
		{Rate: 16000, NFFT: 512, WinLength: 400, Combs: 0, F0: [2]float64{60, 480}},
		{Rate: 16000, NFFT: 512, WinLength: 400, Combs: 8, F0: [2]float64{0, 480}},
		{Rate: 16000, NFFT: 512, WinLength: 400, Combs: 8, F0: [2]float64{480, 60}},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("CombBankFor accepted zero combs")
		}
	}()
	CombBankFor(CombConfig{Rate: 16000, NFFT: 512, WinLength: 400, F0: [2]float64{60, 480}})
}

// The salience of a harmonic tone peaks at the candidate nearest its
// fundamental, not at its sub- or super-harmonics; every frame is
// standardised.
func TestSaliencePeaksAtTheFundamental(t *testing.T) {
	for _, f0 := range []float64{95, 150, 230} {
		x := make([]float64, 8000)
		for i := range x {
			for h := 1; h <= 12; h++ {
				x[i] += 0.1 / float64(h) * math.Sin(2*math.Pi*float64(h)*f0*float64(i)/16000)
			}
		}
		X, b := pitchAnalysis(t, x, 400, 240)
		sal, err := b.Salience(X)
		if err != nil {
			t.Fatal(err)
		}
		k := b.Config().Combs
		if len(sal) != X.Frames*k {
			t.Fatalf("%d salience values, want %d frames × %d", len(sal), X.Frames, k)
		}
		row := sal[X.Frames/2*k : (X.Frames/2+1)*k]
		var mean, sd float64
		for _, v := range row {
			mean += float64(v) / float64(k)
		}
		for _, v := range row {
			sd += (float64(v) - mean) * (float64(v) - mean) / float64(k)
		}
		if math.Abs(mean) > 1e-5 || math.Abs(math.Sqrt(sd)-1) > 1e-4 {
			t.Fatalf("tone at %g Hz: frame salience has mean %g, deviation %g", f0, mean, math.Sqrt(sd))
		}
		if got := b.Config().Candidate(argmax32(row)); math.Abs(got/f0-1) > 0.03 {
			t.Errorf("tone at %g Hz: salience peaks at %.1f Hz", f0, got)
		}
	}
	_, b := pitchAnalysis(t, make([]float64, 1600), 400, 16)
	wrong, _ := pitchAnalysis(t, make([]float64, 1600), 640, 16)
	if _, err := b.Salience(wrong); err == nil {
		t.Error("a spectrogram of another NFFT accepted")
	}
}

// A voice's typical fundamental is found within a quarter tone; silence
// has none.
func TestTypicalF0(t *testing.T) {
	for _, f0 := range []float64{95, 150, 230} {
		X, b := pitchAnalysis(t, tone(f0), 640, 240)
		got, ok, err := b.TypicalF0(X)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || math.Abs(12*math.Log2(got/f0)) > 0.5 {
			t.Errorf("voice at %g Hz: typical F0 %.1f Hz (%v)", f0, got, ok)
		}
	}
	X, b := pitchAnalysis(t, make([]float64, 16000), 640, 240)
	if _, ok, err := b.TypicalF0(X); ok || err != nil {
		t.Errorf("silence has a typical F0 (%v)", err)
	}
}

// The pitch pair of two voices finds both fundamentals: one at the
// salience peak, the other once the first one's harmonics are cancelled.
func TestPitchPair(t *testing.T) {
	for _, f := range [][2]float64{{110, 190}, {230, 140}, {125, 160}} {
		x, y := tone(f[0]), tone(f[1])
		for i := range x {
			x[i] += 0.7 * y[i]
		}
		X, b := pitchAnalysis(t, x, 640, 240)
		a, s, za, zb, err := b.PitchPair(X)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != X.Frames || len(s) != len(a) || len(za) != len(a) || len(zb) != len(a) {
			t.Fatalf("%d, %d, %d, %d frames, want %d", len(a), len(s), len(za), len(zb), X.Frames)
		}
		hz := b.Config().Candidate
		hit := 0
		for tt := 10; tt < len(a)-10; tt++ {
			near := func(i int, f float64) bool { return math.Abs(12*math.Log2(hz(i)/f)) < 0.5 }
			if near(a[tt], f[0]) && near(s[tt], f[1]) || near(a[tt], f[1]) && near(s[tt], f[0]) {
				hit++
			}
		}
		if frac := float64(hit) / float64(len(a)-20); frac < 0.9 {
			t.Errorf("tones at %g and %g Hz: both found in %.0f%% of frames", f[0], f[1], 100*frac)
		}
	}
}
