package cli

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

func TestReadMono(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.wav")
	a := &avio.Audio{SampleRate: 8000, Channels: [][]float64{make([]float64, 800), make([]float64, 800)}}
	for i := range 800 {
		a.Channels[0][i], a.Channels[1][i] = 0.5, -0.25
	}
	if err := avio.WriteWAV(path, a, avio.Float32); err != nil {
		t.Fatal(err)
	}
	x, err := ReadMono(path, 8000, io.Discard)
	if err != nil || len(x) != 800 || x[10] != 0.125 {
		t.Errorf("at the file's rate: %d samples, x[10] = %v, %v; want 800 and the channel average 0.125", len(x), x[10], err)
	}
	if x, err = ReadMono(path, 16000, io.Discard); err != nil || len(x) != 1600 {
		t.Errorf("resampled to 16 kHz: %d samples, %v; want 1600", len(x), err)
	}
	a.Channels[1][7] = math.NaN()
	if err := avio.WriteWAV(path, a, avio.Float32); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMono(path, 8000, io.Discard); err == nil || !strings.Contains(err.Error(), "channel 2, sample 7") {
		t.Errorf("NaN sample: %v", err)
	}
}

func TestParseEncoding(t *testing.T) {
	for s, want := range map[string]avio.Encoding{"pcm16": avio.PCM16, "PCM16": avio.PCM16, "float32": avio.Float32} {
		if e, err := ParseEncoding(s); err != nil || e != want {
			t.Errorf("ParseEncoding(%q) = %v, %v", s, e, err)
		}
	}
	var u UsageError
	if _, err := ParseEncoding("pcm24"); !errors.As(err, &u) || !strings.Contains(err.Error(), "--encoding") {
		t.Errorf("pcm24: %v, want a usage error naming --encoding", err)
	}
}
