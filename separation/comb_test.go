package separation

import (
	"math"
	"math/rand"
	"testing"
)

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
	c := PlainConfig()
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
	c := PlainConfig()
	c.Combs = 240
	x := tone(95)
	var peaks [2]float32
	for i, w := range []int{0, 640} {
		c.SalienceWindow = w
		xc, err := c.Analyse(x)
		if err != nil {
			t.Fatal(err)
		}
		sal, _, err := c.salienceOf(x, xc)
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

// The pitch pair of two voices is measured on the 40 ms analysis, one
// pair per frame of the model's STFT, and finds both fundamentals (see
// dsp's TestPitchPair for the estimator itself).
func TestPitchPair(t *testing.T) {
	c := PlainConfig()
	c.Combs = 240
	x, y := tone(110), tone(190)
	for i := range x {
		x[i] += 0.7 * y[i]
	}
	a, b, za, zb, err := c.pitchPair(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 1+len(x)/c.Hop || len(b) != len(a) || len(za) != len(a) || len(zb) != len(a) {
		t.Fatalf("%d, %d, %d, %d frames, want %d", len(a), len(b), len(za), len(zb), 1+len(x)/c.Hop)
	}
	hz := func(i int) float64 {
		return c.CombF0[0] * math.Pow(c.CombF0[1]/c.CombF0[0], float64(i)/float64(c.Combs-1))
	}
	near := func(i int, f float64) bool { return math.Abs(12*math.Log2(hz(i)/f)) < 0.5 }
	if mid := len(a) / 2; !(near(a[mid], 110) && near(b[mid], 190) || near(a[mid], 190) && near(b[mid], 110)) {
		t.Errorf("tones at 110 and 190 Hz: pair %.1f and %.1f Hz", hz(a[mid]), hz(b[mid]))
	}
}

// argmax returns the index of the first largest value of x.
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
