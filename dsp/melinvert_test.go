package dsp

import (
	"math"
	"math/rand"
	"testing"
)

// TestMelBankInvert: the estimate is non-negative and projects back onto
// the filters as the mel spectrogram it came from.
func TestMelBankInvert(t *testing.T) {
	const nfft, nMels, frames = 512, 40, 3
	bins := nfft/2 + 1
	fb, err := MelFilterbank(nfft, 16000, 0, 8000, nMels, MelHTK, MelNormNone)
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMelBank(fb, nMels, bins)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	spec := make([]float64, frames*bins)
	for i := range spec {
		spec[i] = math.Exp(2 * r.NormFloat64())
	}
	mel, _ := m.Apply(nil, spec, frames)
	est, err := m.Invert(mel, frames, 2000)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := m.Apply(nil, est, frames)
	var num, den float64
	for i := range mel {
		num += (back[i] - mel[i]) * (back[i] - mel[i])
		den += mel[i] * mel[i]
	}
	if rel := math.Sqrt(num / den); rel > 0.02 {
		t.Errorf("projection of the estimate is off by %.3f of the mel spectrogram", rel)
	}
	for _, v := range est {
		if v < 0 {
			t.Fatalf("negative value %g", v)
		}
	}
	if _, err := m.Invert(mel[:5], frames, 1); err == nil {
		t.Error("wrong length accepted")
	}
}
