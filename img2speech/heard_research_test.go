//go:build research

package img2speech

import (
	"os"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// TestResearchHeard prints, for the first held-out pictures (voices s006
// and s007) of I2S_DATA, the caption and what the shipped judge hears in
// the speech I2S_MODEL makes from the picture.
//
//	I2S_MODEL=m.safetensors I2S_DATA=capo go test -tags research -run TestResearchHeard -v ./img2speech
func TestResearchHeard(t *testing.T) {
	path, root := os.Getenv("I2S_MODEL"), os.Getenv("I2S_DATA")
	if path == "" || root == "" {
		t.Skip("set I2S_MODEL and I2S_DATA")
	}
	m, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	judge, err := PretrainedRecogniser()
	if err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range ds.Clips {
		if sp := c.Meta.Labels["speaker"]; (sp != "s006" && sp != "s007") || n == 40 {
			continue
		}
		n++
		pic, err := c.Frame(0)
		if err != nil {
			t.Fatal(err)
		}
		y, units, err := m.SpeakImage(pic)
		if err != nil {
			t.Fatal(err)
		}
		w, err := judge.Words(y)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-60s | %3d | %s", c.Meta.Labels["caption"], len(units), strings.Join(w, " "))
	}
}
