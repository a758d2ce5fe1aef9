package spectrogram

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// goldenCase is one entry of testdata/spectrogram/cases.json, written by
// testdata/spectrogram/gen.py with torchaudio; its config is in the JSON
// form of Config.
type goldenCase struct {
	Name, Input, File string
	Shape             []int
	Config            Config
}

func loadCases(t *testing.T) []goldenCase {
	t.Helper()
	b, err := os.ReadFile("../testdata/spectrogram/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []goldenCase }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases in cases.json")
	}
	return f.Cases
}

// goldenInput returns the mono signal a case was computed on.
func goldenInput(t testing.TB, name string) []float64 {
	t.Helper()
	if name == "silence" {
		return make([]float64, 4000)
	}
	a, _, err := avio.ReadWAV(filepath.Join("../testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return a.Mono()
}

// maxErr returns max|got−want| and max|want|.
func maxErr(got, want []float32) (float64, float64) {
	var e, m float64
	for i := range want {
		e = math.Max(e, math.Abs(float64(got[i])-float64(want[i])))
		m = math.Max(m, math.Abs(float64(want[i])))
	}
	return e, m
}

// TestComputeMatchesTorchaudio checks every case of gen.py: Compute must be
// within 1e-4 × max|ref| of torchaudio everywhere.
func TestComputeMatchesTorchaudio(t *testing.T) {
	for _, g := range loadCases(t) {
		t.Run(g.Name, func(t *testing.T) {
			ref, err := avio.ReadNPY(filepath.Join("../testdata/spectrogram", g.File))
			if err != nil {
				t.Fatal(err)
			}
			want, shape := ref.Float32(), ref.Shape
			c := g.Config
			s, err := Compute(goldenInput(t, g.Input), c)
			if err != nil {
				t.Fatal(err)
			}
			if len(shape) != 2 || s.Bins != shape[0] || s.Frames != shape[1] {
				t.Fatalf("shape (%d, %d), torchaudio %v", s.Bins, s.Frames, shape)
			}
			if s.Kind != c.Kind() || s.Scale != c.Scale() || s.Config != c {
				t.Errorf("metadata %v %v %+v", s.Kind, s.Scale, s.Config)
			}
			e, m := maxErr(s.Data, want)
			t.Logf("max|ours−torchaudio| = %.3g, max|torchaudio| = %.4g, ratio %.2g", e, m, e/m)
			if !(e <= 1e-4*m) {
				t.Errorf("max error %g > 1e-4 × %g", e, m)
			}
		})
	}
}

func goldenInputB(b *testing.B) []float64 { return goldenInput(b, "speech.wav") }
