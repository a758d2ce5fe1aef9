package dsp

import (
	"math"
	"testing"
)

func TestPreEmphasis(t *testing.T) {
	x := []float64{1, 2, 0, -1, 4}
	got := PreEmphasis(x, 0.97)
	want := []float64{1, 2 - 0.97, 0 - 0.97*2, -1, 4 + 0.97}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-15 {
			t.Errorf("PreEmphasis[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	back := DeEmphasis(got, 0.97)
	for i := range x {
		if math.Abs(back[i]-x[i]) > 1e-12 {
			t.Errorf("DeEmphasis(PreEmphasis(x))[%d] = %v, want %v", i, back[i], x[i])
		}
	}
	if len(PreEmphasis(nil, 0.97)) != 0 || x[1] != 2 {
		t.Error("empty input or input modified")
	}
}
