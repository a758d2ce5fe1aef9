package eval

import (
	"math"
	"testing"

	"github.com/avlearn/avlearn/spectrogram"
)

func tone(rate int, f, secs float64) []float64 {
	x := make([]float64, int(secs*float64(rate)))
	for i := range x {
		ts := float64(i) / float64(rate)
		x[i] = 0.3 * math.Sin(2*math.Pi*f*ts) * (1 + 0.5*math.Sin(2*math.Pi*3*ts))
	}
	return x
}

// TestFrameStats checks the statistics against a two-pass float64
// computation over the spectrogram's rows.
func TestFrameStats(t *testing.T) {
	x := tone(16000, 440, 0.5)
	for _, c := range []spectrogram.Config{MFCCConfig(16000), LogMelConfig(16000)} {
		s, err := spectrogram.Compute(x, c)
		if err != nil {
			t.Fatal(err)
		}
		var got []float64
		if c.Kind() == spectrogram.MFCC {
			got, err = MFCCStats(x, c)
		} else {
			got, err = LogMelStats(x, c)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2*s.Bins {
			t.Fatalf("%s: %d values, want %d", c.Kind(), len(got), 2*s.Bins)
		}
		for b := 0; b < s.Bins; b++ {
			row := make([]float64, s.Frames)
			for f := range row {
				row[f] = float64(s.Data[b*s.Frames+f])
			}
			m, sd := meanStd(row)
			if math.Abs(got[b]-m) > 1e-9*(1+math.Abs(m)) || math.Abs(got[s.Bins+b]-sd) > 1e-6*(1+math.Abs(m)) {
				t.Errorf("%s bin %d: mean, std %v, %v; want %v, %v", c.Kind(), b, got[b], got[s.Bins+b], m, sd)
			}
		}
	}
	if _, err := MFCCStats(x, LogMelConfig(16000)); err == nil {
		t.Error("MFCCStats accepted a mel configuration")
	}
	if _, err := LogMelStats(x, MFCCConfig(16000)); err == nil {
		t.Error("LogMelStats accepted an MFCC configuration")
	}
	// the descriptor tells a low tone from a high one
	lo, _ := MFCCStats(tone(16000, 200, 0.5), MFCCConfig(16000))
	hi, _ := MFCCStats(tone(16000, 3000, 0.5), MFCCConfig(16000))
	var d float64
	for i := range lo {
		d += (lo[i] - hi[i]) * (lo[i] - hi[i])
	}
	if d < 1 {
		t.Errorf("200 Hz and 3 kHz tones have nearly equal MFCC statistics (distance² %g)", d)
	}
}
