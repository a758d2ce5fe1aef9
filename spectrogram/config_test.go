package spectrogram

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/dsp"
)

func TestDefaultConfig(t *testing.T) {
	for _, tc := range []struct{ rate, win, hop, nfft int }{
		{16000, 400, 160, 512},
		{8000, 200, 80, 256},
		{22050, 551, 221, 1024}, // 551.25 → 551, 220.5 → 221
		{44100, 1103, 441, 2048},
		{48000, 1200, 480, 2048},
	} {
		c := DefaultConfig(tc.rate)
		if c.WinLength != tc.win || c.Hop != tc.hop || c.NFFT != tc.nfft {
			t.Errorf("%d Hz: win %d hop %d nfft %d, want %d %d %d", tc.rate, c.WinLength, c.Hop, c.NFFT, tc.win, tc.hop, tc.nfft)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%d Hz: %v", tc.rate, err)
		}
		if c.Kind() != Linear || c.Scale() != Power || c.Bins() != tc.nfft/2+1 {
			t.Errorf("%d Hz: %v %v %d bins", tc.rate, c.Kind(), c.Scale(), c.Bins())
		}
	}
}

// TestValidateNamesField breaks one field at a time.
func TestValidateNamesField(t *testing.T) {
	for _, tc := range []struct {
		field string
		edit  func(*Config)
	}{
		{"SampleRate", func(c *Config) { c.SampleRate = 0 }},
		{"NFFT", func(c *Config) { c.NFFT = 1 }},
		{"NFFT", func(c *Config) { c.NFFT = 1 << 30 }},
		{"Hop", func(c *Config) { c.Hop = 0 }},
		{"WinLength", func(c *Config) { c.WinLength = 600 }},
		{"WinLength", func(c *Config) { c.WinLength = 0 }},
		{"Window", func(c *Config) { c.Window = "kaiser" }},
		{"Power", func(c *Config) { c.Power = 3 }},
		{"NMels", func(c *Config) { c.NMels = -1 }},
		{"FMax", func(c *Config) { c.NMels = 40; c.FMax = 9000 }},
		{"FMin", func(c *Config) { c.NMels = 40; c.FMin = 8000 }},
		{"FMin", func(c *Config) { c.NMels = 40; c.FMin = math.NaN() }},
		{"TopDB", func(c *Config) { c.TopDB = -1 }},
		{"NMFCC", func(c *Config) { c.NMFCC = 13 }},
		{"NMFCC", func(c *Config) { c.NMels = 10; c.NMFCC = 13 }},
		{"Power", func(c *Config) { c.NMels = 40; c.NMFCC = 13; c.Power = 1 }},
		{"Pad", func(c *Config) { c.Pad = dsp.PadMode(7) }},
		{"MelScale", func(c *Config) { c.NMels = 40; c.MelScale = dsp.MelScale(9) }},
	} {
		c := DefaultConfig(16000)
		tc.edit(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %v", tc.field, err)
		}
		if _, err := Compute(make([]float64, 4000), c); err == nil {
			t.Errorf("%s: Compute accepted the config", tc.field)
		}
	}
}

func TestComputeShortSignals(t *testing.T) {
	c := DefaultConfig(16000)
	for _, n := range []int{0, 1, 256} {
		if _, err := Compute(make([]float64, n), c); err == nil {
			t.Errorf("%d samples accepted with reflect padding of 256", n)
		}
	}
	if s, err := Compute(make([]float64, 257), c); err != nil || s.Frames != 2 {
		t.Errorf("257 samples: %v", err)
	}
	c.Pad = dsp.PadConstant
	if s, err := Compute(make([]float64, 1), c); err != nil || s.Frames != 1 {
		t.Errorf("1 sample, constant padding: %v", err)
	}
	c.Center = false
	if _, err := Compute(make([]float64, 511), c); err == nil {
		t.Error("511 samples accepted without centring, NFFT 512")
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	c := DefaultConfig(22050)
	c.Pad, c.NMels, c.MelScale, c.MelNorm, c.FMin, c.FMax, c.DB, c.TopDB = dsp.PadConstant, 64, dsp.MelSlaney, dsp.MelNormSlaney, 30, 8000, true, 80
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Pad":"constant"`, `"MelScale":"slaney"`, `"MelNorm":"slaney"`, `"NFFT":1024`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Errorf("round trip\n got %+v\nwant %+v", back, c)
	}
	// Missing fields keep defaults; bad names are errors naming the field.
	part := DefaultConfig(16000)
	if err := json.Unmarshal([]byte(`{"NMels": 40}`), &part); err != nil || part.NMels != 40 || part.NFFT != 512 {
		t.Errorf("partial: %+v, %v", part, err)
	}
	if err := json.Unmarshal([]byte(`{"Pad": "edge"}`), &part); err == nil || !strings.Contains(err.Error(), "Pad") {
		t.Errorf("bad pad: %v", err)
	}
}

func TestSummary(t *testing.T) {
	c := DefaultConfig(16000)
	c.NMels, c.DB, c.TopDB = 40, true, 80
	s, err := Compute(make([]float64, 4000), c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Summary(), "40 mels htk, power dB (top 80), hamming 400/512 hop 160, 16000 Hz"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	c.NMFCC = 13
	if s, err = Compute(make([]float64, 4000), c); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Summary(), "13 MFCC of 40 mels, power dB (top 80), hamming 400/512 hop 160, 16000 Hz"; got != want {
		t.Errorf("MFCC Summary() = %q, want %q", got, want)
	}
}
