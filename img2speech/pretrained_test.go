package img2speech

import (
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// TestPretrained checks the shipped models on a fresh corpus (a seed and
// voices they never saw, captions in the order the model learnt): the
// recogniser hears the clean captions, and the speech the model makes
// from each picture says at least 50 % of the picture's content words and
// 15 points more than the speech it makes from another picture (67.2 %
// and 32.8 % when written).
func TestPretrained(t *testing.T) {
	if testing.Short() {
		t.Skip("speaks pictures with the shipped model")
	}
	root := filepath.Join(t.TempDir(), "c")
	if err := synth.Captions(root, synth.CaptionsOptions{N: 32, Seed: 42, Speakers: 4, Workers: 1, Ordered: true}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Pretrained()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	judge, err := PretrainedRecogniser()
	if err != nil {
		t.Fatal(err)
	}
	defer judge.Close()
	clips := ds.Clips
	var clean, own, other, refs [][]string
	for i, c := range clips {
		refs = append(refs, words(c.Meta.Labels["caption"]))
		x, err := c.Audio(m.Config.Rate)
		if err != nil {
			t.Fatal(err)
		}
		w, err := judge.Words(x)
		if err != nil {
			t.Fatal(err)
		}
		clean = append(clean, w)
		for k, dst := range []*[][]string{&own, &other} {
			pic, err := clips[(i+k)%len(clips)].Frame(0)
			if err != nil {
				t.Fatal(err)
			}
			y, _, err := m.SpeakImage(pic)
			if err != nil {
				t.Fatal(err)
			}
			if w, err = judge.Words(y); err != nil {
				t.Fatal(err)
			}
			*dst = append(*dst, w)
		}
	}
	var sc [3]WordScores
	for k, h := range [][][]string{clean, own, other} {
		if sc[k], err = scoreWords(h, refs); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("content words right: clean speech %.1f %%, pictures %.1f %%, shuffled pictures %.1f %%", 100*sc[0].Content, 100*sc[1].Content, 100*sc[2].Content)
	if sc[0].Content < 0.9 {
		t.Errorf("the recogniser hears %.1f %% of the clean captions' content words; want ≥ 90 %%", 100*sc[0].Content)
	}
	if sc[1].Content < 0.5 {
		t.Errorf("speech from the pictures says %.1f %% of their content words; want ≥ 50 %%", 100*sc[1].Content)
	}
	if !(sc[1].Content > sc[2].Content+0.15) {
		t.Errorf("speech from the pictures says %.1f %% of their content words, from shuffled pictures %.1f %%; want 15 points more", 100*sc[1].Content, 100*sc[2].Content)
	}
}
