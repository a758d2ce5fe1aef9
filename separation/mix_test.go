package separation

import (
	"math"
	"testing"
)

func TestMixClipsAndScore(t *testing.T) {
	ds := tinyCorpus(t)
	clips, err := DistinctSpeakers(ds.Split("train"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := clips[0].Meta.Labels["speaker"], clips[1].Meta.Labels["speaker"]; a == b || clips[0] != ds.Split("train")[0] {
		t.Fatalf("DistinctSpeakers chose speakers %s, %s", a, b)
	}
	if _, err := DistinctSpeakers(ds.Split("train"), 99); err == nil {
		t.Error("99 speakers found in a corpus of 6")
	}
	const rate = 16000
	x, err := MixClips(clips, rate)
	if err != nil {
		t.Fatal(err)
	}
	frames := min(clips[0].NumFrames, clips[1].NumFrames)
	if n := len(x.Mix); n < 1 || n > int(math.Round(float64(frames)*rate/clips[0].Meta.FPS)) {
		t.Errorf("mixture of %d samples for %d frames", n, frames)
	}
	for i, s := range x.Sources {
		if len(s) != len(x.Mix) || len(x.Faces[i].Frames) != frames {
			t.Fatalf("source %d: %d samples, %d frames", i, len(s), len(x.Faces[i].Frames))
		}
		var e float64
		for _, v := range s {
			e += v * v
		}
		if r := math.Sqrt(e / float64(len(s))); math.Abs(r-MixLevel) > 1e-9 {
			t.Errorf("source %d at RMS %v, want %v", i, r, MixLevel)
		}
	}
	for j, v := range x.Mix {
		if v != x.Sources[0][j]+x.Sources[1][j] {
			t.Fatalf("mixture sample %d is not the sum of the sources", j)
		}
	}
	// The sources themselves are perfect estimates; the mixture itself
	// improves on nothing.
	perfect, err := x.Score(x.Sources)
	if err != nil {
		t.Fatal(err)
	}
	same, err := x.Score([][]float64{x.Mix, x.Mix})
	if err != nil {
		t.Fatal(err)
	}
	for i := range perfect {
		if perfect[i].SISDR < 100 || same[i].Improvement() != 0 || math.Abs(same[i].MixSISDR) > 3 {
			t.Errorf("source %d: perfect %+v, mixture %+v", i, perfect[i], same[i])
		}
	}
	if _, err := x.Score(x.Sources[:1]); err == nil {
		t.Error("one estimate for two sources accepted")
	}
}
