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
// or combs from the pitch pair, changes nothing until training moves the
// new weights: the masks are those of the model without.
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

	// Combs from the pitch pair: undecided, both faces get the same comb,
	// and their gains of ±pairCombGain cancel.
	c.MultiPitch = true
	q, err := WarmStart(c, p)
	if err != nil {
		t.Fatal(err)
	}
	same(p, q, "adding combs from the pitch pair")

	// The BiLSTM's extra inputs cannot move or go: WarmStart refuses.
	moved := c
	moved.Combs = 16
	if _, err := WarmStart(moved, p); err == nil {
		t.Error("changing the number of combs under TrackPitch accepted")
	}
	moved = c
	moved.MultiPitch = false
	if _, err := WarmStart(moved, q); err == nil {
		t.Error("dropping MultiPitch accepted")
	}
	if _, err := New(Config{TrackPitch: true}); err == nil {
		t.Error("TrackPitch without combs accepted")
	}
}

// tone returns a second of a voice-like harmonic tone at 16 kHz: every
// harmonic up to 4 kHz at amplitude 1/h, with a slow ±2 % vibrato.
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

// A voice's typical fundamental is found within a quarter tone; silence
// has none.
func TestTypicalF0(t *testing.T) {
	c := DefaultConfig()
	for _, f0 := range []float64{95, 150, 230} {
		got, ok := c.typicalF0(tone(f0))
		if !ok || math.Abs(12*math.Log2(got/f0)) > 0.5 {
			t.Errorf("voice at %g Hz: typical F0 %.1f Hz (%v)", f0, got, ok)
		}
	}
	if _, ok := c.typicalF0(make([]float64, 16000)); ok {
		t.Error("silence has a typical F0")
	}
}

// A 40 ms salience window makes a low voice's fundamental stand out where
// the 25 ms analysis window blurs its harmonics together, on the same
// frames.
func TestSalienceWindow(t *testing.T) {
	c := DefaultConfig()
	c.Combs = 240
	x := tone(95)
	var peaks [2]float32
	for i, w := range []int{0, 640} {
		c.SalienceWindow = w
		xc, err := c.Analyse(x)
		if err != nil {
			t.Fatal(err)
		}
		sal, err := c.salienceOf(x, xc)
		if err != nil {
			t.Fatal(err)
		}
		if len(sal) != (1+len(x)/c.Hop)*c.Combs {
			t.Fatalf("window %d: %d salience values, want %d frames × %d", w, len(sal), 1+len(x)/c.Hop, c.Combs)
		}
		row := sal[50*c.Combs : 51*c.Combs]
		peaks[i] = row[argmax(row)]
	}
	if !(peaks[1] > 4 && peaks[1] > peaks[0]+1) {
		t.Errorf("95 Hz tone: salience peak %.2f σ with the 25 ms window, %.2f σ with 40 ms", peaks[0], peaks[1])
	}
}

// The pitch pair of two voices finds both fundamentals: one at the
// salience peak, the other once the first one's harmonics are cancelled.
func TestPitchPair(t *testing.T) {
	c := DefaultConfig()
	c.Combs = 240
	hz := func(i int) float64 {
		return c.CombF0[0] * math.Pow(c.CombF0[1]/c.CombF0[0], float64(i)/float64(c.Combs-1))
	}
	for _, f := range [][2]float64{{110, 190}, {230, 140}, {125, 160}} {
		x, y := tone(f[0]), tone(f[1])
		for i := range x {
			x[i] += 0.7 * y[i]
		}
		a, b, za, zb, err := c.pitchPair(x)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 1+len(x)/c.Hop || len(b) != len(a) || len(za) != len(a) || len(zb) != len(a) {
			t.Fatalf("%d, %d, %d, %d frames", len(a), len(b), len(za), len(zb))
		}
		hit := 0
		for tt := 10; tt < len(a)-10; tt++ {
			near := func(i int, f float64) bool { return math.Abs(12*math.Log2(hz(i)/f)) < 0.5 }
			if near(a[tt], f[0]) && near(b[tt], f[1]) || near(a[tt], f[1]) && near(b[tt], f[0]) {
				hit++
			}
		}
		if frac := float64(hit) / float64(len(a)-20); frac < 0.9 {
			t.Errorf("tones at %g and %g Hz: both found in %.0f%% of frames", f[0], f[1], 100*frac)
		}
	}
}
