package dsp

import (
	"math"
	"strings"
	"testing"
)

func glConfig(nFFT, hop int) STFTConfig {
	return STFTConfig{NFFT: nFFT, Hop: hop, Window: Hann(nFFT, true), Center: true, Pad: PadReflect}
}

// TestGriffinLimTorchaudio runs GriffinLim from zero phase on the magnitude
// of dsp.STFT and compares the signal with torchaudio.functional.griffinlim
// on torch.stft's magnitude.
func TestGriffinLimTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "griffinlim") {
		x, _ := featNPY(t, c.Input)
		want, _ := featNPY(t, c.File)
		cfg := glConfig(c.NFFT, c.Hop)
		S, err := STFT(x, cfg)
		if err != nil {
			t.Fatal(err)
		}
		mag := S.Power(c.Power)
		got, err := GriffinLim(mag, S.Frames, cfg, GriffinLimOptions{
			Iters: c.Iters, Momentum: c.Momentum, Power: c.Power, Length: c.Length})
		if err != nil {
			t.Fatal(err)
		}
		rel := featCompare(t, c.File, got, want, 1e-8)
		t.Logf("%s: max diff %.2g × max|want|", c.File, rel)
	}
}

// TestGriffinLimConverges shows the spectral convergence falling with the
// iterations, for fast (momentum 0.99) and plain Griffin-Lim, and that a
// seeded random start is reproducible.
func TestGriffinLimConverges(t *testing.T) {
	const sr, n = 16000, 4000
	x := make([]float64, n)
	for i := range x {
		tt := float64(i) / sr
		x[i] = math.Sin(2*math.Pi*(300*tt+900*tt*tt)) + 0.5*math.Sin(2*math.Pi*2200*tt)*math.Exp(-3*tt)
	}
	cfg := glConfig(512, 128)
	S, err := STFT(x, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mag := S.Power(1)
	for _, o := range []GriffinLimOptions{
		{Iters: 32, Momentum: 0.99, Power: 1, Length: n},
		{Iters: 32, Momentum: 0, Power: 1, Length: n},
		{Iters: 32, Momentum: 0.99, Power: 1, Length: n, RandomPhase: true, Seed: 3},
	} {
		var sc []float64
		o.Observe = func(it int, v float64) {
			if it != len(sc)+1 {
				t.Fatalf("Observe called with iteration %d after %d calls", it, len(sc))
			}
			sc = append(sc, v)
		}
		y, err := GriffinLim(mag, S.Frames, cfg, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(y) != n || len(sc) != o.Iters {
			t.Fatalf("%d samples and %d observations", len(y), len(sc))
		}
		t.Logf("momentum %.2f random %v: spectral convergence iter 1 %.4f, 4 %.4f, 8 %.4f, 16 %.4f, 32 %.4f",
			o.Momentum, o.RandomPhase, sc[0], sc[3], sc[7], sc[15], sc[31])
		if !(sc[31] < 0.5*sc[0]) || !(sc[15] < sc[3]) {
			t.Errorf("momentum %v: spectral convergence does not fall: %v", o.Momentum, sc)
		}
		if o.RandomPhase {
			o.Observe = nil
			y2, _ := GriffinLim(mag, S.Frames, cfg, o)
			for i := range y {
				if y[i] != y2[i] {
					t.Fatal("seeded random start is not reproducible")
				}
			}
		}
	}
}

func TestGriffinLimErrors(t *testing.T) {
	cfg := glConfig(64, 16)
	bins := cfg.Bins()
	ok := GriffinLimOptions{Iters: 2, Momentum: 0.99, Power: 1}
	mag := make([]float64, 5*bins)
	for _, c := range []struct {
		mag    []float64
		frames int
		cfg    STFTConfig
		o      GriffinLimOptions
		word   string
	}{
		{mag, 0, cfg, ok, "frames"},
		{mag[1:], 5, cfg, ok, "values"},
		{mag, 5, cfg, GriffinLimOptions{Iters: -1, Power: 1}, "Iters"},
		{mag, 5, cfg, GriffinLimOptions{Iters: 1, Momentum: 1, Power: 1}, "Momentum"},
		{mag, 5, cfg, GriffinLimOptions{Iters: 1, Power: 0}, "Power"},
		{mag, 5, cfg, GriffinLimOptions{Iters: 1, Power: 1, Length: 1000}, "Length"},
		{append([]float64{-1}, mag[1:]...), 5, cfg, ok, "frame 0 bin 0"},
		{mag, 5, STFTConfig{NFFT: 0, Hop: 1}, ok, "NFFT"},
	} {
		_, err := GriffinLim(c.mag, c.frames, c.cfg, c.o)
		if err == nil || !strings.Contains(err.Error(), c.word) {
			t.Errorf("GriffinLim error = %v, want one containing %q", err, c.word)
		}
	}
}
