package dsp

import (
	"math"
	"testing"
)

func TestDBTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "db") {
		x, _ := featNPY(t, c.Input)
		want, _ := featNPY(t, c.File)
		var got []float64
		if c.Multiplier == 10 {
			got = PowerToDB(x, c.Ref, c.Amin, c.TopDB)
		} else {
			got = AmplitudeToDB(x, c.Ref, c.Amin, c.TopDB)
		}
		// dB values are O(100); compare absolutely.
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				t.Errorf("%s (mult %v amin %v ref %v top_db %v): [%d] x=%g got %v want %v",
					c.File, c.Multiplier, c.Amin, c.Ref, c.TopDB, i, x[i], got[i], want[i])
				break
			}
		}
	}
}

func TestDBFloorAndInverse(t *testing.T) {
	x := []float64{0, 1e-20, 1e-3, 1, 100}
	got := PowerToDB(x, 1, 1e-10, 80)
	// Peak is 20 dB, so everything is floored at −60 dB; silence included.
	want := []float64{-60, -60, -30, 0, 20}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("PowerToDB[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// No clipping: silence sits at 10·log10(amin).
	if got := PowerToDB(x, 1, 1e-10, 0); math.Abs(got[0]+100) > 1e-12 {
		t.Errorf("silence without top_db = %v dB, want -100", got[0])
	}
	if got := PowerToDB(x, 1, 1e-10, math.NaN()); math.Abs(got[1]+100) > 1e-12 {
		t.Errorf("NaN top_db clipped: %v", got[1])
	}
	amp := []float64{-0.5, 0.25, 2}
	db := AmplitudeToDB(amp, 1, 1e-5, 0)
	back := DBToAmplitude(db, 1)
	pdb := PowerToDB([]float64{0.25, 4}, 1, 1e-10, 0)
	pback := DBToPower(pdb, 1)
	for i := range amp {
		if math.Abs(back[i]-math.Abs(amp[i])) > 1e-12 {
			t.Errorf("DBToAmplitude(AmplitudeToDB(%v)) = %v", amp[i], back[i])
		}
	}
	if math.Abs(pback[0]-0.25) > 1e-12 || math.Abs(pback[1]-4) > 1e-12 {
		t.Errorf("DBToPower round trip = %v", pback)
	}
	if len(PowerToDB(nil, 1, 1e-10, 80)) != 0 {
		t.Error("empty input")
	}
}
