//go:build research

package soundnet

import (
	"fmt"
	"os"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
)

// TestShortClips compares three ways of describing clips shorter than
// SoundNet-8's receptive field (9.5 s), for pool5 and the conv layers
// around it, by 5-fold cross-validated scene probes on the corpus
// SN_CORPUS with the model SN_MODEL (default: the shipped model):
// zero padding, pooling the steps centred on the clip (what
// LayerDescriptors did first); tiling, repeating the clip whole to 9.5 s
// and pooling every step centred on the repeats (whose first and last
// steps still see the network's padding); and looping it as a circle
// with a margin, which ClipDescriptors does. The figures are in
// docs/runs/soundnet.md:
//
//	SN_CORPUS=tr_c303 go test -tags research ./soundnet -run ShortClips -v -timeout 0
func TestShortClips(t *testing.T) {
	root := os.Getenv("SN_CORPUS")
	if root == "" {
		t.Skip("SN_CORPUS names the corpus")
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Pretrained()
	if p := os.Getenv("SN_MODEL"); p != "" {
		m, err = Load(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	layers := []string{"pool5", "conv4", "conv5", "conv6", "conv7"}
	kinds := []string{"zero-padded", "tiled", "looped"}
	desc := map[string]map[string][][]float64{}
	for _, k := range kinds {
		desc[k] = map[string][][]float64{}
	}
	// stats pools the steps of fs centred on input samples lo … hi−1.
	stats := func(kind string, fs map[string][]*FeatureMap, lo, hi int) {
		for _, l := range layers {
			f := fs[l][0]
			j0, j1 := centredSteps(l, f.Steps, lo, hi)
			g := &FeatureMap{Channels: f.Channels, Steps: j1 - j0}
			for ch := 0; ch < f.Channels; ch++ {
				g.Data = append(g.Data, f.Data[ch*f.Steps+j0:ch*f.Steps+j1]...)
			}
			var row []float64
			for _, v := range append(g.Mean(), g.Std()...) {
				row = append(row, float64(v))
			}
			desc[kind][l] = append(desc[kind][l], row)
		}
	}
	for _, c := range ds.Clips {
		x, err := ClipWave(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(x) >= MinSamples() {
			t.Fatalf("clip %s is not shorter than the receptive field", c.Name)
		}
		d, err := m.ClipDescriptors(x, layers)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			desc["looped"][l] = append(desc["looped"][l], d[l])
		}
		tiled, lo, hi := loop(x, MinSamples(), 0)
		for _, v := range []struct {
			kind   string
			x      []float64
			lo, hi int
		}{{"zero-padded", x, 0, len(x)}, {"tiled", tiled, lo, hi}} {
			xs, _, err := prepare(v.x)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := m.run(xs, 1, len(xs), layers)
			if err != nil {
				t.Fatal(err)
			}
			stats(v.kind, fs, v.lo, v.hi)
		}
	}
	names, err := LabelNames(ds.Clips, "scene")
	if err != nil {
		t.Fatal(err)
	}
	y, err := eval.LabelIndices(ds.Clips, "scene", names)
	if err != nil {
		t.Fatal(err)
	}
	var rs eval.ProbeResults
	for _, l := range layers {
		for _, k := range kinds {
			cv, err := eval.CrossValidate(fmt.Sprintf("%s %s", l, k), desc[k][l], y, len(names), 5, cvSeed)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, cv.Result())
		}
	}
	t.Log("\n" + rs.Table("%.1f").String())
}
