//go:build research

package speech2face

import (
	"os"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// TestDiagVoiceEmbedding: how much of each attribute a model's voice
// embedding carries (ridge on the train split's clips, scored on val),
// beside the true face's embedding.
func TestDiagVoiceEmbedding(t *testing.T) {
	root, mp := os.Getenv("S2F_CORPUS"), os.Getenv("S2F_MODEL")
	if root == "" || mp == "" {
		t.Skip("set S2F_CORPUS and S2F_MODEL")
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(mp)
	if err != nil {
		t.Fatal(err)
	}
	c := m.Config
	feats := func(split string) (v, f [][]float32, y [][]float64) {
		clips := ds.Split(split)
		d, err := c.loadCtx(clips, true, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		sps := speakersOf(d)
		var faces [][]float32
		for _, s := range sps {
			faces = append(faces, s.face)
			var mean []float32
			for _, x := range s.audio {
				e, err := m.VoiceEmbedding(x)
				if err != nil {
					t.Fatal(err)
				}
				if mean == nil {
					mean = make([]float32, len(e))
				}
				for i := range e {
					mean[i] += e[i] / float32(len(s.audio))
				}
			}
			v = append(v, mean)
		}
		f, _, err = m.embedAll(faces)
		if err != nil {
			t.Fatal(err)
		}
		y, err = labelRows(clips0(clips, sps), Attributes)
		if err != nil {
			t.Fatal(err)
		}
		return v, f, y
	}
	tv, tf, ty := feats("train")
	vv, vf, vy := feats("val")
	for _, lam := range []float64{1, 10, 100} {
		r, _ := fitRidge(tv, ty, lam)
		s, cr := agreement(r.apply(vv), vy)
		t.Logf("voice embedding λ=%g: sex %.1f%% r %.2f", lam, 100*s, cr)
		r, _ = fitRidge(tf, ty, lam)
		s, cr = agreement(r.apply(vf), vy)
		t.Logf("face embedding λ=%g: sex %.1f%% r %.2f", lam, 100*s, cr)
	}
}
