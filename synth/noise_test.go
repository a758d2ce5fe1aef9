package synth

import (
	"math"
	"math/rand"
	randv2 "math/rand/v2"
	"testing"
)

// Noise has RMS 0.05, is a function of its random stream, and differs
// between streams.
func TestNoise(t *testing.T) {
	a := Noise(rand.New(rand.NewSource(1)), 8000, 16000)
	if len(a) != 8000 {
		t.Fatalf("%d samples, want 8000", len(a))
	}
	if v := rms(a); math.Abs(v-0.05) > 1e-12 {
		t.Fatalf("RMS %g, want 0.05", v)
	}
	b := Noise(rand.New(rand.NewSource(1)), 8000, 16000)
	c := Noise(rand.New(rand.NewSource(2)), 8000, 16000)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, sample %d: %g then %g", i, a[i], b[i])
		}
		if a[i] == c[i] {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 1 and 2 share %d of %d samples", same, len(a))
	}
	d := Noise(randv2.New(randv2.NewPCG(1, 2)), 100, 16000)
	if v := rms(d); math.Abs(v-0.05) > 1e-12 {
		t.Errorf("math/rand/v2 stream: RMS %g, want 0.05", v)
	}
	if len(Noise(rand.New(rand.NewSource(1)), 0, 16000)) != 0 {
		t.Error("zero samples asked, some returned")
	}
}
