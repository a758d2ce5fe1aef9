package speech2face

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// The shipped model hears something of the face in voices it never heard:
// on a fresh corpus (other people than its training corpus: 100 held-out
// speakers, 100 more to fit the attribute estimator), the face it draws
// from a voice ranks the speaker's true face among the first ten more
// often than faces drawn from voices shuffled across speakers, and its
// height follows the true face's (the voice carries body size), which
// shuffled voices' faces do not.
func TestPretrainedBeatsShuffledVoices(t *testing.T) {
	m, err := Pretrained()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	root := filepath.Join(t.TempDir(), "c")
	const k = 200
	if err := synth.Speakers(root, synth.SpeakersOptions{N: k, Speakers: k, Seed: 77, Duration: 2, TestFrac: 0.5, ValFrac: 0.001}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	met, err := Evaluate(m, ds.Split("test"), EvalOptions{Train: ds.Split("train"), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", met.Table())
	if met.Model.R10 <= met.Shuffled.R10 {
		t.Errorf("R@10 %.1f %%, shuffled voices %.1f %%: want better", 100*met.Model.R10, 100*met.Shuffled.R10)
	}
	h := slices.Index(met.Attributes, "face_height")
	if h < 0 {
		t.Fatalf("no face_height among the attributes %v", met.Attributes)
	}
	// the estimator itself reads face height off true faces
	if r := met.Estimator.Corr[h]; r < 0.9 {
		t.Errorf("attribute estimator on true faces: face height r %.2f; want ≥ 0.9", r)
	}
	if r, rs := met.Model.Corr[h], met.Shuffled.Corr[h]; r < 0.5 || math.Abs(rs) > 0.3 {
		t.Errorf("face height: r %.2f (want ≥ 0.5), shuffled voices %.2f (want |r| ≤ 0.3)", r, rs)
	}
}
