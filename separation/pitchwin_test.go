package separation

import (
	"math"
	"testing"
)

// Two low voices, 82 and 97 Hz, are harmonics closer together than a
// 40 ms Hann window's main lobe (100 Hz) and further apart than a 64 ms
// one's (62.5 Hz): the pitch pair finds both on the longer window.
func TestPitchWindowLowVoices(t *testing.T) {
	cfg := DefaultConfig()
	n := cfg.Rate
	x := make([]float64, n)
	for _, f0 := range []float64{82, 97} {
		for h := 1; float64(h)*f0 < 4000; h++ {
			for i := range x {
				x[i] += math.Sin(2*math.Pi*float64(h)*f0*float64(i)/float64(cfg.Rate)+float64(h)) / float64(h)
			}
		}
	}
	K := cfg.Combs
	cand := func(f float64) int {
		return int(math.Round(float64(K-1) * math.Log2(f/cfg.CombF0[0]) / math.Log2(cfg.CombF0[1]/cfg.CombF0[0])))
	}
	want := [2]int{cand(82), cand(97)}
	near := func(a, b int) bool { return a-b <= 3 && b-a <= 3 }
	var hits [2]int
	for k, w := range []int{0, 1024} {
		c := cfg
		c.PitchWindow = w
		a, b, _, _, err := c.pitchPair(x, nil)
		if err != nil {
			t.Fatal(err)
		}
		hit := 0
		for i := range a {
			if (near(a[i], want[0]) && near(b[i], want[1])) || (near(a[i], want[1]) && near(b[i], want[0])) {
				hit++
			}
		}
		t.Logf("pitch window %d: both fundamentals in %d of %d frames", w, hit, len(a))
		hits[k] = hit
	}
	if hits[1] < 90 || hits[1] < hits[0]+20 {
		t.Errorf("both fundamentals found in %d of 101 frames on 64 ms, %d on 40 ms; want ≥ 90 and 20 more", hits[1], hits[0])
	}
}
