package spectrogram

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// goldenCase is one entry of testdata/spectrogram/cases.json, written by
// testdata/spectrogram/gen.py with torchaudio.
type goldenCase struct {
	Name   string
	Input  string
	File   string
	Shape  []int
	Config struct {
		SampleRate           int
		NFFT, Hop, WinLength int
		Window               string
		Periodic, Center     bool
		Pad                  string
		Power                float64
		NMels                int
		MelScale, MelNorm    string
		FMin, FMax, TopDB    float64
		DB                   bool
		NMFCC                int
	}
}

func (g goldenCase) config(t *testing.T) Config {
	gc := g.Config
	pad, err := dsp.ParsePadMode(gc.Pad)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := dsp.ParseMelScale(gc.MelScale)
	if err != nil {
		t.Fatal(err)
	}
	mn, err := dsp.ParseMelNorm(gc.MelNorm)
	if err != nil {
		t.Fatal(err)
	}
	return Config{SampleRate: gc.SampleRate, NFFT: gc.NFFT, Hop: gc.Hop, WinLength: gc.WinLength,
		Window: gc.Window, Periodic: gc.Periodic, Center: gc.Center, Pad: pad, Power: gc.Power,
		NMels: gc.NMels, MelScale: ms, MelNorm: mn, FMin: gc.FMin, FMax: gc.FMax,
		DB: gc.DB, TopDB: gc.TopDB, NMFCC: gc.NMFCC}
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
func goldenInput(t *testing.T, name string) []float64 {
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

// readNPY32 reads a little-endian float32 C-order .npy (test fixtures only).
func readNPY32(path string) ([]float32, []int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" || b[6] != 1 {
		return nil, nil, fmt.Errorf("%s: not a version 1 .npy file", path)
	}
	hl := int(binary.LittleEndian.Uint16(b[8:10]))
	if 10+hl > len(b) {
		return nil, nil, fmt.Errorf("%s: truncated header", path)
	}
	h := string(b[10 : 10+hl])
	if !strings.Contains(h, "'<f4'") || !strings.Contains(h, "'fortran_order': False") {
		return nil, nil, fmt.Errorf("%s: want C-order <f4, header %s", path, h)
	}
	m := regexp.MustCompile(`'shape': \(([^)]*)\)`).FindStringSubmatch(h)
	if m == nil {
		return nil, nil, fmt.Errorf("%s: no shape in %s", path, h)
	}
	var shape []int
	n := 1
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil {
			return nil, nil, err
		}
		shape = append(shape, d)
		n *= d
	}
	raw := b[10+hl:]
	if len(raw) != 4*n {
		return nil, nil, fmt.Errorf("%s: %d data bytes for shape %v", path, len(raw), shape)
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v, shape, nil
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
			want, shape, err := readNPY32(filepath.Join("../testdata/spectrogram", g.File))
			if err != nil {
				t.Fatal(err)
			}
			c := g.config(t)
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
