package dsp

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

	"github.com/avlearn/avlearn/internal/testsize"
)

// featDir holds the goldens made by testdata/dsp/gen_features.py.
const featDir = "../testdata/dsp/features"

// featCase is one entry of features.json; each test reads the fields it needs.
type featCase struct {
	File       string  `json:"file"`
	Input      string  `json:"input"`
	Mel        string  `json:"mel"`
	NFFT       int     `json:"n_fft"`
	Hop        int     `json:"hop"`
	SampleRate float64 `json:"sample_rate"`
	NMels      int     `json:"n_mels"`
	NMFCC      int     `json:"n_mfcc"`
	FMin       float64 `json:"fmin"`
	FMax       float64 `json:"fmax"`
	Scale      string  `json:"scale"`
	Norm       string  `json:"norm"`
	Ortho      bool    `json:"ortho"`
	Multiplier float64 `json:"multiplier"`
	Amin       float64 `json:"amin"`
	Ref        float64 `json:"ref"`
	TopDB      float64 `json:"top_db"`
	From       int     `json:"from"`
	To         int     `json:"to"`
	Width      int     `json:"lowpass_filter_width"`
	Rolloff    float64 `json:"rolloff"`
	Method     string  `json:"method"`
	Beta       float64 `json:"beta"`
	Iters      int     `json:"n_iter"`
	Momentum   float64 `json:"momentum"`
	Length     int     `json:"length"`
	Est        string  `json:"est"`
	FilterLen  int     `json:"filter_len"`
	SNR        float64 `json:"snr"`
	SDR        float64 `json:"sdr"`
	SISDR      float64 `json:"si_sdr"`
	Power      float64 `json:"power"`
}

func featCases(t *testing.T, kind string) []featCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(featDir, "features.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases map[string][]featCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases[kind]) == 0 {
		t.Fatalf("features.json has no %q cases", kind)
	}
	return m.Cases[kind]
}

var featShapeRE = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)

// featNPY reads a little-endian float64 C-order .npy golden.
func featNPY(t *testing.T, name string) (data []float64, shape []int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(featDir, name))
	if err != nil {
		t.Fatal(err)
	}
	data, shape, err = featParseNPY(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return data, shape
}

func featParseNPY(b []byte) ([]float64, []int, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return nil, nil, fmt.Errorf("not a .npy file")
	}
	var hl, off int
	if b[6] == 1 {
		hl, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	} else {
		hl, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	}
	if off+hl > len(b) {
		return nil, nil, fmt.Errorf("short header")
	}
	h := string(b[off : off+hl])
	if !strings.Contains(h, "'<f8'") || strings.Contains(h, "'fortran_order': True") {
		return nil, nil, fmt.Errorf("want C-order <f8, header %s", h)
	}
	sm := featShapeRE.FindStringSubmatch(h)
	if sm == nil {
		return nil, nil, fmt.Errorf("no shape in header %s", h)
	}
	var shape []int
	n := 1
	for _, f := range strings.Split(sm[1], ",") {
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
	raw := b[off+hl:]
	if len(raw) != 8*n {
		return nil, nil, fmt.Errorf("%d data bytes for shape %v", len(raw), shape)
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return data, shape, nil
}

// featCompare fails if got and want differ by more than tol·max|want|
// anywhere, and returns the largest difference relative to max|want|.
func featCompare(t *testing.T, what string, got, want []float64, tol float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var peak, worst float64
	worstAt := 0
	for _, w := range want {
		peak = math.Max(peak, math.Abs(w))
	}
	if peak == 0 {
		peak = 1
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > worst || math.IsNaN(d) {
			worst, worstAt = d, i
			if math.IsNaN(d) {
				worst = math.Inf(1)
			}
		}
	}
	if worst > tol*peak {
		t.Errorf("%s: max |got-want| = %.3g at %d (got %v want %v), > %.1g × max|want| = %.3g",
			what, worst, worstAt, got[worstAt], want[worstAt], tol, tol*peak)
	}
	return worst / peak
}

func TestMelFilterbankTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "mel") {
		scale, err := ParseMelScale(c.Scale)
		if err != nil {
			t.Fatal(err)
		}
		norm, err := ParseMelNorm(c.Norm)
		if err != nil {
			t.Fatal(err)
		}
		want, shape := featNPY(t, c.File)
		if shape[0] != c.NMels || shape[1] != c.NFFT/2+1 {
			t.Fatalf("%s: shape %v", c.File, shape)
		}
		got, err := MelFilterbank(c.NFFT, c.SampleRate, c.FMin, c.FMax, c.NMels, scale, norm)
		if err != nil {
			t.Fatal(err)
		}
		rel := featCompare(t, c.File, got, want, 1e-9)
		t.Logf("%s: max rel diff %.2g", c.File, rel)
	}
}

func TestMelScaleRoundTrip(t *testing.T) {
	for _, s := range []MelScale{MelHTK, MelSlaney} {
		for _, f := range []float64{0, 1, 440, 999.9, 1000, 1000.1, 8000, 22050} {
			m := HzToMel(f, s)
			if back := MelToHz(m, s); math.Abs(back-f) > 1e-9*math.Max(1, f) {
				t.Errorf("%v: MelToHz(HzToMel(%v)) = %v", s, f, back)
			}
		}
	}
	// Fixed points of the two scales (HTK: 1000 Hz ≈ 1000 mel; Slaney: 1 kHz = 15 mel).
	if m := HzToMel(1000, MelHTK); math.Abs(m-1000) > 0.1 {
		t.Errorf("HTK 1000 Hz = %v mel", m)
	}
	if m := HzToMel(1000, MelSlaney); m != 15 {
		t.Errorf("Slaney 1000 Hz = %v mel, want 15", m)
	}
	for _, s := range []string{"htk", "slaney"} {
		v, err := ParseMelScale(s)
		if err != nil || v.String() != s {
			t.Errorf("ParseMelScale(%q) = %v, %v", s, v, err)
		}
	}
	for _, s := range []string{"none", "slaney"} {
		v, err := ParseMelNorm(s)
		if err != nil || v.String() != s {
			t.Errorf("ParseMelNorm(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := ParseMelScale("bark"); err == nil {
		t.Error("ParseMelScale(bark): no error")
	}
	if _, err := ParseMelNorm("l2"); err == nil {
		t.Error("ParseMelNorm(l2): no error")
	}
}

func TestMelFilterbankErrors(t *testing.T) {
	testsize.Skip32(t)
	for _, c := range []struct {
		nFFT           int
		sr, fmin, fmax float64
		nMels          int
		scale          MelScale
		norm           MelNorm
		word           string
	}{
		{1, 16000, 0, 8000, 40, MelHTK, MelNormNone, "nFFT"},
		{400, 0, 0, 8000, 40, MelHTK, MelNormNone, "sampleRate"},
		{400, math.NaN(), 0, 8000, 40, MelHTK, MelNormNone, "sampleRate"},
		{400, 16000, 0, 8000, 0, MelHTK, MelNormNone, "nMels"},
		{testsize.Huge, 16000, 0, 8000, 40, MelHTK, MelNormNone, "nFFT"},
		{1 << 24, 16000, 0, 8000, 1 << 20, MelHTK, MelNormNone, "mels"},
		{400, 16000, -1, 8000, 40, MelHTK, MelNormNone, "fmin"},
		{400, 16000, 100, 100, 40, MelHTK, MelNormNone, "fmax"},
		{400, 16000, 0, 8001, 40, MelHTK, MelNormNone, "fmax"},
		{400, 16000, 0, 8000, 40, MelScale(7), MelNormNone, "scale"},
		{400, 16000, 0, 8000, 40, MelHTK, MelNorm(7), "norm"},
	} {
		_, err := MelFilterbank(c.nFFT, c.sr, c.fmin, c.fmax, c.nMels, c.scale, c.norm)
		if err == nil || !strings.Contains(err.Error(), c.word) {
			t.Errorf("MelFilterbank(%+v) error = %v, want one naming %s", c, err, c.word)
		}
	}
}

func TestApplyMel(t *testing.T) {
	fb, err := MelFilterbank(16, 16000, 0, 8000, 4, MelHTK, MelNormSlaney)
	if err != nil {
		t.Fatal(err)
	}
	const frames, bins, nMels = 3, 9, 4
	spec := make([]float64, frames*bins)
	for i := range spec {
		spec[i] = float64(i%7) + 0.5
	}
	got, err := ApplyMel(fb, nMels, spec, frames, bins)
	if err != nil {
		t.Fatal(err)
	}
	for f := 0; f < frames; f++ {
		for m := 0; m < nMels; m++ {
			var want float64
			for k := 0; k < bins; k++ {
				want += fb[m*bins+k] * spec[f*bins+k]
			}
			if math.Abs(got[f*nMels+m]-want) > 1e-12 {
				t.Errorf("mel[%d,%d] = %v, want %v", f, m, got[f*nMels+m], want)
			}
		}
	}
	if _, err := ApplyMel(fb, nMels, spec[1:], frames, bins); err == nil {
		t.Error("short spectrogram: no error")
	}
	if _, err := ApplyMel(fb[1:], nMels, spec, frames, bins); err == nil {
		t.Error("short filterbank: no error")
	}
}
