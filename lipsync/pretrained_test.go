package lipsync

import (
	"image"
	"math"
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
	mt, err := Evaluate(m, ds.Clips, EvalOptions{FaceEmbedding: colourGrid})
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
	// a "recogniser" of mean colours on a 4×4 grid tells people apart by
	// skin and hair; the model redraws only the mouth, so its frames must
	// stay far nearer their identity frame than another speaker's is
	if !(gen.IdentityDist < mt.OtherFaceDist/4) || !(real.IdentityDist < mt.OtherFaceDist/4) || !math.IsNaN(id.IdentityDist) {
		t.Errorf("identity distances: generated %.4f, real %.4f, identity frame %v, another speaker %.4f",
			gen.IdentityDist, real.IdentityDist, id.IdentityDist, mt.OtherFaceDist)
	}
	shifted, _ := mt.Row(SystemShifted)
	if real.InSync < 0.8 || shifted.InSync > 0.2 {
		t.Errorf("the sync expert finds %.0f%% of the real clips in sync (±1 frame), %.0f%% with the audio shifted 10 frames; want ≥ 80%% and ≤ 20%%",
			100*real.InSync, 100*shifted.InSync)
	}
}

// colourGrid embeds a picture as its mean colours on a 4×4 grid.
func colourGrid(img image.Image) ([]float32, error) {
	b := img.Bounds()
	e := make([]float32, 48)
	n := make([]float32, 16)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := 4*(4*(y-b.Min.Y)/b.Dy()) + 4*(x-b.Min.X)/b.Dx()
			r, g, bl, _ := img.At(x, y).RGBA()
			e[3*c], e[3*c+1], e[3*c+2] = e[3*c]+float32(r), e[3*c+1]+float32(g), e[3*c+2]+float32(bl)
			n[c]++
		}
	}
	for i := range e {
		e[i] /= n[i/3] * 65535
	}
	return e, nil
}
