package dsp

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestResampleTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "resample") {
		x, _ := featNPY(t, c.Input)
		want, _ := featNPY(t, c.File)
		o := ResampleOptions{LowpassWidth: c.Width, Rolloff: c.Rolloff, Window: ResampleHann}
		if c.Method == "kaiser_window" {
			o.Window, o.Beta = ResampleKaiser, c.Beta
		}
		got, err := ResampleWith(x, c.From, c.To, o)
		if err != nil {
			t.Fatal(err)
		}
		rel := featCompare(t, c.File, got, want, 1e-12)
		t.Logf("%s: %d → %d samples, max diff %.2g × max|want|", c.File, len(x), len(got), rel)
	}
}

// resampleEdge is the number of output samples at each end that the zero
// padding outside the signal reaches, as documented on ResampleWith.
func resampleEdge(from, to int, o ResampleOptions) int {
	return int(math.Ceil(float64(o.LowpassWidth) / (o.Rolloff * float64(min(from, to)) / float64(to))))
}

// resampleTone resamples one second of a unit sine at f Hz and returns the
// SNR of the interior (edges excluded) against the ideal sine at the new rate,
// and the interior RMS level relative to the input's in dB.
func resampleTone(t *testing.T, f float64, from, to int, o ResampleOptions) (snr, level float64) {
	t.Helper()
	x := make([]float64, from)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * f * float64(i) / float64(from))
	}
	y, err := ResampleWith(x, from, to, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(y) != to {
		t.Fatalf("%d → %d: %d samples, want %d", from, to, len(y), to)
	}
	edge := resampleEdge(from, to, o)
	var sig, noise, pow float64
	for n := edge; n < len(y)-edge; n++ {
		ideal := math.Sin(2 * math.Pi * f * float64(n) / float64(to))
		sig += ideal * ideal
		noise += (y[n] - ideal) * (y[n] - ideal)
		pow += y[n] * y[n]
	}
	return 10 * math.Log10(sig/noise), 10 * math.Log10(pow/sig)
}

// TestResampleQuality measures the default (high-quality) filter: a 1 kHz
// tone keeps ≥ 60 dB SNR and tones above the new Nyquist frequency are
// removed by ≥ 50 dB (the figures are logged; see also the torchaudio
// defaults for comparison).
func TestResampleQuality(t *testing.T) {
	hq, ta := HighQualityResampleOptions(), TorchaudioResampleOptions()
	for _, c := range []struct{ from, to int }{{44100, 16000}, {22050, 16000}, {48000, 16000}, {48000, 44100}, {8000, 16000}} {
		snr, _ := resampleTone(t, 1000, c.from, c.to, hq)
		snrTA, _ := resampleTone(t, 1000, c.from, c.to, ta)
		t.Logf("%5d→%5d 1 kHz tone SNR: default %.1f dB, torchaudio options %.1f dB (edge %d / %d samples skipped)",
			c.from, c.to, snr, snrTA, resampleEdge(c.from, c.to, hq), resampleEdge(c.from, c.to, ta))
		if snr < 60 {
			t.Errorf("%d→%d: 1 kHz tone SNR %.1f dB < 60 dB", c.from, c.to, snr)
		}
	}
	// Pass band: flat within 0.01 dB up to 0.85 × the new Nyquist frequency.
	for _, c := range []struct {
		f        float64
		from, to int
	}{{6800, 44100, 16000}, {6800, 22050, 16000}, {18700, 48000, 44100}, {3400, 8000, 16000}} {
		_, level := resampleTone(t, c.f, c.from, c.to, hq)
		t.Logf("%5d→%5d %5.0f Hz tone (pass band): default %.4f dB", c.from, c.to, c.f, level)
		if math.Abs(level) > 0.01 {
			t.Errorf("%d→%d: %.0f Hz tone level %.4f dB, want within 0.01 dB", c.from, c.to, c.f, level)
		}
	}
	for _, c := range []struct {
		f        float64
		from, to int
	}{{10000, 44100, 16000}, {8500, 44100, 16000}, {12000, 22050, 16000}, {9000, 48000, 16000}, {23000, 48000, 44100}} {
		_, level := resampleTone(t, c.f, c.from, c.to, hq)
		_, levelTA := resampleTone(t, c.f, c.from, c.to, ta)
		t.Logf("%5d→%5d %5.0f Hz tone (above new Nyquist): default %.1f dB, torchaudio options %.1f dB",
			c.from, c.to, c.f, level, levelTA)
		if level > -50 {
			t.Errorf("%d→%d: %.0f Hz tone only %.1f dB down, want ≥ 50 dB", c.from, c.to, c.f, -level)
		}
	}
}

func TestResampleLengthsAndErrors(t *testing.T) {
	for _, c := range []struct{ n, from, to, want int }{
		{0, 44100, 16000, 0}, {1, 44100, 16000, 1}, {441, 44100, 16000, 160}, {442, 44100, 16000, 161},
		{100, 8000, 16000, 200}, {7, 3, 2, 5}, {5, 16000, 16000, 5},
	} {
		y, err := Resample(make([]float64, c.n), c.from, c.to)
		if err != nil || len(y) != c.want {
			t.Errorf("Resample(len %d, %d, %d) = %d samples, %v; want %d", c.n, c.from, c.to, len(y), err, c.want)
		}
	}
	for _, c := range []struct {
		from, to int
		o        ResampleOptions
		word     string
	}{
		{0, 16000, HighQualityResampleOptions(), "from = 0"},
		{16000, -5, HighQualityResampleOptions(), "to = -5"},
		{16000, 8000, ResampleOptions{LowpassWidth: 0, Rolloff: 0.9}, "LowpassWidth"},
		{16000, 8000, ResampleOptions{LowpassWidth: 6, Rolloff: 1.5}, "Rolloff"},
		{16000, 8000, ResampleOptions{LowpassWidth: 6, Rolloff: math.NaN()}, "Rolloff"},
		{16000, 8000, ResampleOptions{LowpassWidth: 6, Rolloff: 0.9, Window: 9}, "Window"},
		{16000, 8000, ResampleOptions{LowpassWidth: 6, Rolloff: 0.9, Window: ResampleKaiser, Beta: -1}, "Beta"},
		{1000003, 999983, HighQualityResampleOptions(), "kernel"},
		{1, 1000000, HighQualityResampleOptions(), "kernel"},
	} {
		_, err := ResampleWith([]float64{1, 2, 3}, c.from, c.to, c.o)
		if err == nil || !strings.Contains(err.Error(), c.word) {
			t.Errorf("ResampleWith(%d, %d, %+v) error = %v, want one containing %q", c.from, c.to, c.o, err, c.word)
		}
	}
}

func TestResampleBesselI0(t *testing.T) {
	// Reference values of I0 (Abramowitz & Stegun table 9.8).
	for _, c := range []struct{ x, want float64 }{{0, 1}, {1, 1.2660658777520082}, {5, 27.239871823604442}, {12, 18948.925349296309}} {
		if got := resampleBesselI0(c.x); math.Abs(got-c.want) > 1e-13*c.want {
			t.Errorf("I0(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// A Resampler fed in chunks of any size gives ResampleWith's samples bit
// for bit, for signals shorter and longer than the filter.
func TestResamplerEqualsResampleWith(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		from, to int
		o        ResampleOptions
	}{
		{44100, 16000, HighQualityResampleOptions()},
		{44100, 16000, TorchaudioResampleOptions()},
		{16000, 44100, HighQualityResampleOptions()},
		{8000, 12000, TorchaudioResampleOptions()},
		{16000, 16000, HighQualityResampleOptions()},
	} {
		for _, n := range []int{0, 1, 50, 3000, 20011} {
			x := make([]float64, n)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			want, err := ResampleWith(x, c.from, c.to, c.o)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := NewResampler(c.from, c.to, c.o)
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for i := 0; i < n; {
				k := min(n-i, r.IntN(700))
				got = rs.Write(got, x[i:i+k])
				i += k
			}
			got = rs.Flush(got)
			if len(got) != len(want) || rs.Outputs(n) != len(want) {
				t.Fatalf("%d → %d Hz, %d samples: %d out (Outputs %d), want %d", c.from, c.to, n, len(got), rs.Outputs(n), len(want))
			}
			for i := range want {
				if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
					t.Fatalf("%d → %d Hz, %d samples: out[%d] = %v, want %v", c.from, c.to, n, i, got[i], want[i])
				}
			}
			if len(rs.buf) > 4000 {
				t.Errorf("%d → %d Hz: %d samples buffered", c.from, c.to, len(rs.buf))
			}
		}
	}
}
