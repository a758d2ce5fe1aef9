package separation

import (
	"math"
	"math/rand"
	"testing"
)

// The salience of a harmonic tone peaks at the candidate nearest its
// fundamental, not at its sub- or super-harmonics.
func TestSaliencePeaksAtTheFundamental(t *testing.T) {
	c := DefaultConfig()
	c.Combs = 240
	_, bank := c.combBank()
	for _, f0 := range []float64{95, 150, 230} {
		x := make([]float64, 8000)
		for i := range x {
			for h := 1; h <= 12; h++ {
				x[i] += 0.1 / float64(h) * math.Sin(2*math.Pi*float64(h)*f0*float64(i)/16000)
			}
		}
		X, err := c.Analyse(x)
		if err != nil {
			t.Fatal(err)
		}
		sal := c.salience(X, bank)
		tt := X.Frames / 2
		best := 0
		for i := range c.Combs {
			if sal[tt*c.Combs+i] > sal[tt*c.Combs+best] {
				best = i
			}
		}
		got := c.CombF0[0] * math.Pow(c.CombF0[1]/c.CombF0[0], float64(best)/float64(c.Combs-1))
		if math.Abs(got/f0-1) > 0.03 {
			t.Errorf("tone at %g Hz: salience peaks at %.1f Hz", f0, got)
		}
	}
}

// Every comb has a lobe of height ≈ 1 at each of its harmonics below the
// Nyquist frequency, and is low halfway between.
func TestCombBankLobes(t *testing.T) {
	c := DefaultConfig()
	c.Combs, c.CombF0 = 2, [2]float64{125, 250} // harmonics fall on bins (31.25 Hz apart)
	comb, _ := c.combBank()
	f := c.Bins()
	for i, f0 := range []float64{125, 250} {
		row := comb[i*f : (i+1)*f]
		step := int(f0 / 31.25)
		for b := step; b < f; b += step {
			if row[b] < 0.999 || row[b-step/2] > 0.05 {
				t.Fatalf("f0 %g: bin %d = %g, bin %d = %g", f0, b, row[b], b-step/2, row[b-step/2])
			}
		}
	}
}

// Adding combs to a trained model by WarmStart, and then pitch tracking,
// changes nothing until training moves the new weights: the masks are
// those of the model without.
func TestWarmStartAddsCombsWithoutChange(t *testing.T) {
	c := tinyConfig()
	c.Mask = MaskReal
	old, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	c.Combs, c.Seed = 12, 9
	m, err := WarmStart(c, old)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.params) <= len(old.params) {
		t.Fatal("no comb layers added")
	}
	mix := voice(4000, 160, 2)
	fs := []FaceTrack{faces(25, 1), faces(25, 2)}
	same := func(a, b *Model, what string) {
		t.Helper()
		x, err := a.Separate(mix, fs)
		if err != nil {
			t.Fatal(err)
		}
		y, err := b.Separate(mix, fs)
		if err != nil {
			t.Fatal(err)
		}
		for s := range x {
			for i := range x[s] {
				if math.Abs(x[s][i]-y[s][i]) > 1e-6 {
					t.Fatalf("%s: speaker %d sample %d: %g before, %g after", what, s, i, x[s][i], y[s][i])
				}
			}
		}
	}
	same(old, m, "adding combs")

	// Give the comb gains weight, so that a change of the fused features
	// would show, then add pitch tracking.
	r := rand.New(rand.NewSource(3))
	for _, g := range m.combGain {
		for _, l := range g {
			for i := range l.Weight.Data {
				l.Weight.Data[i] = float32(r.NormFloat64())
			}
		}
	}
	c.TrackPitch = true
	p, err := WarmStart(c, m)
	if err != nil {
		t.Fatal(err)
	}
	same(m, p, "adding pitch tracking")
	if _, err := New(Config{TrackPitch: true}); err == nil {
		t.Error("TrackPitch without combs accepted")
	}
}
