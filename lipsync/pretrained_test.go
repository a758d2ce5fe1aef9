package lipsync

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// TestPretrainedMovesMouth scores the shipped model on a fresh corpus of
// speakers it has never seen (another seed than its training corpus):
// the mouth opening of its frames must follow that of the real frames of
// the same speech (r ≥ 0.6) and beat the identity frame repeated, and its
// sync expert must find the real clips in sync and the clips with the
// audio shifted out of it. A model whose mouth does not move with the
// speech fails.
func TestPretrainedMovesMouth(t *testing.T) {
	start := time.Now()
	root := filepath.Join(t.TempDir(), "c")
	if err := synth.Speakers(root, synth.SpeakersOptions{N: 6, Speakers: 6, Seed: 4242}); err != nil {
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
	mt, err := Evaluate(m, ds.Clips, EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s(%s)", mt.Table(), time.Since(start).Round(time.Millisecond))
	gen, _ := mt.Row(SystemGenerated(0))
	id, _ := mt.Row(SystemIdentity)
	real, _ := mt.Row(SystemReal)
	if gen.MouthR < 0.6 || gen.MouthR <= id.MouthR {
		t.Errorf("mouth opening r = %.3f (identity frame repeated %.3f); want ≥ 0.6 and above the baseline", gen.MouthR, id.MouthR)
	}
	shifted, _ := mt.Row(SystemShifted)
	if real.InSync < 0.8 || shifted.InSync > 0.2 {
		t.Errorf("the sync expert finds %.0f%% of the real clips in sync (±1 frame), %.0f%% with the audio shifted 10 frames; want ≥ 80%% and ≤ 20%%",
			100*real.InSync, 100*shifted.InSync)
	}
}
