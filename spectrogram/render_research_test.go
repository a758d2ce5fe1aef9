//go:build research

package spectrogram

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRenderSpeech writes linear, mel and MFCC PNGs of the bundled speech
// recording into $AVLEARN_PNG_DIR, for a person to look at:
//
//	AVLEARN_PNG_DIR=/tmp/png go test -tags research ./spectrogram -run RenderSpeech
func TestRenderSpeech(t *testing.T) {
	dir := os.Getenv("AVLEARN_PNG_DIR")
	if dir == "" {
		t.Skip("set AVLEARN_PNG_DIR to write speech PNGs")
	}
	x := goldenInput(t, "speech.wav")
	c := DefaultConfig(16000)
	for name, cfg := range map[string]func(*Config){
		"linear": func(*Config) {},
		"mel":    func(c *Config) { c.NMels = 80 },
		"mfcc":   func(c *Config) { c.NMels = 40; c.NMFCC = 13; c.TopDB = 80 },
	} {
		cc := c
		cfg(&cc)
		s, err := Compute(x, cc)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WritePNG(filepath.Join(dir, name+".png"), RenderOptions{Axes: true, Title: name}); err != nil {
			t.Fatal(err)
		}
	}
}
