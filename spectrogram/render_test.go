package spectrogram

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tone returns n samples of a sine at f Hz.
func tone(f float64, rate, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*f*float64(i)/float64(rate))
	}
	return x
}

// brightestRow returns the image row (0 = top) whose pixels in column x are
// closest to the colour map's top colour.
func brightestRow(img image.Image, x int, cm Colormap) int {
	top := cm.At(1)
	best, bestD := -1, math.Inf(1)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		r, g, bl, _ := img.At(x, y).RGBA()
		d := math.Abs(float64(r>>8)-float64(top.R)) + math.Abs(float64(g>>8)-float64(top.G)) + math.Abs(float64(bl>>8)-float64(top.B))
		if d < bestD {
			best, bestD = y, d
		}
	}
	return best
}

func TestImageLowFrequenciesAtBottom(t *testing.T) {
	c := DefaultConfig(16000)
	for _, f := range []float64{1000, 6000} {
		s, err := Compute(tone(f, 16000, 16000), c)
		if err != nil {
			t.Fatal(err)
		}
		img, err := s.Image(RenderOptions{Width: 200, Height: 257})
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != image.Pt(200, 257) {
			t.Fatalf("size %v", got)
		}
		// Bin f·NFFT/sr is row Bins−1−bin from the top.
		want := s.Bins - 1 - int(math.Round(f*float64(c.NFFT)/16000))
		if got := brightestRow(img, 100, Viridis); got != want {
			t.Errorf("%g Hz: brightest row %d, want %d", f, got, want)
		}
	}
}

func TestImageAxesAndDefaultSize(t *testing.T) {
	c := DefaultConfig(16000)
	c.NMels = 40
	s, err := Compute(tone(440, 16000, 8000), c)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := s.Image(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 51 frames × 12 = 612 ≥ 600; 40 bins × 8 = 320 ≥ 300.
	if got := bare.Bounds().Size(); got != image.Pt(612, 320) {
		t.Errorf("default size %v", got)
	}
	ax, err := s.Image(RenderOptions{Axes: true, Title: "tone", Colormap: Magma})
	if err != nil {
		t.Fatal(err)
	}
	want := image.Pt(marginLeft+612+marginRight+colorbarWidth, marginTitle+320+marginBottom)
	if got := ax.Bounds().Size(); got != want {
		t.Errorf("size with axes %v, want %v", got, want)
	}
	// The margins hold black tick labels on white.
	dark := 0
	for y := 0; y < want.Y; y++ {
		for x := 0; x < marginLeft-8; x++ {
			if r, _, _, _ := ax.At(x, y).RGBA(); r < 0x4000 {
				dark++
			}
		}
	}
	if dark < 50 {
		t.Errorf("only %d dark pixels in the frequency labels", dark)
	}
	// The colour bar runs from the map's top colour at the top to its
	// bottom colour at the bottom.
	bx := marginLeft + 612 + marginRight + 2
	if got := ax.At(bx, marginTitle); got != Magma.At(1) {
		t.Errorf("colour bar top %v, want %v", got, Magma.At(1))
	}
	if got := ax.At(bx, marginTitle+319); got != Magma.At(0) {
		t.Errorf("colour bar bottom %v, want %v", got, Magma.At(0))
	}
	// MFCCs are scaled row by row: no colour bar.
	c.NMFCC, c.TopDB = 13, 80
	m, err := Compute(tone(440, 16000, 8000), c)
	if err != nil {
		t.Fatal(err)
	}
	mi, err := m.Image(RenderOptions{Axes: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := mi.Bounds().Dx(); got != marginLeft+612+marginRight {
		t.Errorf("MFCC width %d, want %d", got, marginLeft+612+marginRight)
	}
	// Values with nothing finite still render.
	nan := &Spectrogram{Data: []float32{float32(math.NaN()), float32(math.Inf(1))}, Bins: 1, Frames: 2, Config: DefaultConfig(16000), Scale: DB}
	if _, err := nan.Image(RenderOptions{Axes: true}); err != nil {
		t.Error(err)
	}
}

func TestWritePNG(t *testing.T) {
	s, err := Compute(tone(440, 16000, 8000), DefaultConfig(16000))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.png")
	if err := s.WritePNG(path, RenderOptions{Axes: true}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	// A folder that does not exist is an error naming it, and leaves nothing.
	bad := filepath.Join(t.TempDir(), "missing", "s.png")
	if err := s.WritePNG(bad, RenderOptions{}); err == nil {
		t.Error("no error writing into a missing folder")
	}
	if _, err := (&Spectrogram{Bins: 2, Frames: 3, Data: make([]float32, 5)}).Image(RenderOptions{}); err == nil {
		t.Error("no error for inconsistent Data length")
	}
	// Bad options are errors naming the option, not a silent default.
	for _, c := range []struct {
		o    RenderOptions
		word string
	}{
		{RenderOptions{Width: -1}, "size"},
		{RenderOptions{Height: 1 << 20}, "size"},
		{RenderOptions{Range: math.NaN()}, "range"},
		{RenderOptions{Range: -3}, "range"},
		{RenderOptions{Colormap: Gray + 1}, "colour map"},
	} {
		if _, err := s.Image(c.o); err == nil || !strings.Contains(err.Error(), c.word) {
			t.Errorf("Image(%+v): error %v, want one about the %s", c.o, err, c.word)
		}
	}
}

func TestColormaps(t *testing.T) {
	// Endpoints of the published tables (matplotlib _cm_listed.py).
	if c := Viridis.At(0); c.R != 68 || c.G != 1 || c.B != 84 {
		t.Errorf("viridis(0) = %v, want 68,1,84", c)
	}
	if c := Viridis.At(1); c.R != 253 || c.G != 231 || c.B != 37 {
		t.Errorf("viridis(1) = %v, want 253,231,37", c)
	}
	if c := Magma.At(0); c.R != 0 || c.G != 0 || c.B != 4 {
		t.Errorf("magma(0) = %v, want 0,0,4", c)
	}
	if c := Magma.At(1); c.R != 252 || c.G != 253 || c.B != 191 {
		t.Errorf("magma(1) = %v, want 252,253,191", c)
	}
	if Viridis.At(math.NaN()) != Viridis.At(0) || Viridis.At(7) != Viridis.At(1) {
		t.Error("NaN / out of range not clamped")
	}
	for _, n := range []string{"viridis", "Magma", "gray"} {
		if _, err := ParseColormap(n); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseColormap("jet"); err == nil {
		t.Error("jet accepted")
	}
}

func TestNPYRoundTrip(t *testing.T) {
	c := DefaultConfig(16000)
	c.NMels, c.DB = 40, true
	s, err := Compute(tone(440, 16000, 8000), c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.npy")
	if err := s.WriteNPY(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPY(path, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bins != 40 || got.Frames != s.Frames || got.Kind != Mel || got.Scale != DB {
		t.Fatalf("read back %d×%d %v %v", got.Bins, got.Frames, got.Kind, got.Scale)
	}
	for i := range s.Data {
		if got.Data[i] != s.Data[i] {
			t.Fatalf("value %d: %g, wrote %g", i, got.Data[i], s.Data[i])
		}
	}
	// Rows that do not fit the config are an error naming the file.
	c.NMels = 64
	if _, err := ReadNPY(path, c); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("64-mel config read a 40-row file: %v", err)
	}
}

// TestImagePoolsLongSpectrograms: ten minutes fit the default width and a
// 3 ms click is still visible after pooling.
func TestImagePoolsLongSpectrograms(t *testing.T) {
	x := make([]float64, 10*60*1000)   // 10 min at 1 kHz
	for i := 300057; i < 300060; i++ { // frames 30005–30007, between the frames a nearest pick would show
		x[i] = 1
	}
	c := DefaultConfig(1000)
	s, err := Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Image(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != maxAutoWidth {
		t.Fatalf("width %d, want %d", img.Bounds().Dx(), maxAutoWidth)
	}
	col := 2000 // 300 s of 600 s
	top := Viridis.At(1)
	found := false
	for dx := -2; dx <= 2; dx++ {
		for y := 0; y < img.Bounds().Dy(); y++ {
			r, g, b, _ := img.At(col+dx, y).RGBA()
			if uint8(r>>8) == top.R && uint8(g>>8) == top.G && uint8(b>>8) == top.B {
				found = true
			}
		}
	}
	if !found {
		t.Error("the click is not at full brightness near the middle")
	}
	// Away from the click everything is silence: the lowest colour.
	if got, want := img.At(100, 10), Viridis.At(0); got != want {
		t.Errorf("silence drawn as %v, want %v", got, want)
	}
}

func TestMetaRoundTrip(t *testing.T) {
	c := DefaultConfig(16000)
	c.Window, c.Power, c.DB = "hann", 1, true
	s, err := Compute(tone(440, 16000, 4000), c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "s.json")
	if err := s.WriteMeta(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"kind": "linear"`) || !strings.Contains(string(b), `"scale": "db"`) {
		t.Errorf("meta file:\n%s", b)
	}
	got, err := ReadMeta(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("read %+v, wrote %+v", got, c)
	}
	if err := os.WriteFile(path, []byte(`{"config": {"NFFT": -4}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMeta(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad meta: %v", err)
	}
}
