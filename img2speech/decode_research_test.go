//go:build research

package img2speech

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
)

// TestResearchDecode looks at why the captioner says one item: the
// teacher-forced probability of the end before the true end, by number of
// items, and what greedy and beam decoding give.
//
//	I2S_MODEL=m.safetensors I2S_DATA=cap I2S_N=40 go test -tags research -run TestResearchDecode -v ./img2speech
func TestResearchDecode(t *testing.T) {
	path, root := os.Getenv("I2S_MODEL"), os.Getenv("I2S_DATA")
	if path == "" || root == "" {
		t.Skip("set I2S_MODEL and I2S_DATA")
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var clips []*avio.Clip
	for _, c := range ds.Clips {
		if sp := c.Meta.Labels["speaker"]; sp == "s006" || sp == "s007" {
			clips = append(clips, c)
		}
	}
	clips = clips[:40]
	units, err := m.captionUnits(t.Context(), clips, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	ex, err := m.captionExamplesFrom(clips, units)
	if err != nil {
		t.Fatal(err)
	}
	items := func(c *avio.Clip) int { return strings.Count(c.Meta.Labels["caption"], " and ") + 1 }
	// teacher forcing: the peak P(end) before the true end
	prog := nets.NewProgram(m.defineCaption(), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	v := m.Config.Codes + 1
	peak := map[int][]float64{}
	for i := range ex {
		pass, err := prog.Run(m.captionFeeds(ex[i:i+1], false)...)
		if err != nil {
			t.Fatal(err)
		}
		lg, _, _ := pass.Value("logits")
		p := 0.0
		for s := 0; s < len(ex[i].units); s++ {
			lp := logSoftmax(lg[s*v : (s+1)*v])
			p = max(p, math.Exp(lp[m.Config.Codes]))
		}
		peak[items(clips[i])] = append(peak[items(clips[i])], p)
	}
	for k := 1; k <= 3; k++ {
		slices.Sort(peak[k])
		t.Logf("%d items: peak P(end) before the end, sorted: %.2f", k, peak[k])
	}
	images := make([][]float32, len(ex))
	for i := range ex {
		images[i] = ex[i].image
	}
	for _, beam := range []int{1, 4} {
		got, err := m.unitsFromImages(images, beam, nil)
		if err != nil {
			t.Fatal(err)
		}
		var n, truth float64
		for i := range got {
			n += float64(len(got[i]))
			truth += float64(len(ex[i].units))
		}
		t.Logf("beam %d: mean length %.1f, truth %.1f", beam, n/float64(len(got)), truth/float64(len(got)))
		if beam != 1 {
			continue
		}
		shown := 0
		for i := range got {
			if items(clips[i]) < 3 || shown == 4 {
				continue
			}
			shown++
			g := captionExample{image: ex[i].image, units: got[i]}
			pass, err := prog.Run(m.captionFeeds([]captionExample{g}, false)...)
			if err != nil {
				t.Fatal(err)
			}
			lg, _, _ := pass.Value("logits")
			var pe []float64
			for s := 0; s <= len(got[i]); s++ {
				pe = append(pe, math.Exp(logSoftmax(lg[s*v : (s+1)*v])[m.Config.Codes]))
			}
			t.Logf("%s\n truth  %v\n greedy %v\n P(end) along greedy %.2f", clips[i].Meta.Labels["caption"], ex[i].units, got[i], pe)
		}
	}
}
