package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// avl resample streams the file through dsp.Resampler and writes the bytes
// of ResampleWith on each whole channel + WriteWAV, with either filter.
func TestResampleCommand(t *testing.T) {
	dir := t.TempDir()
	const n = 100_003 // several of the command's blocks
	a := &avio.Audio{SampleRate: 44100, Channels: [][]float64{make([]float64, n), make([]float64, n)}}
	for i := 0; i < n; i++ {
		a.Channels[0][i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/44100)
		a.Channels[1][i] = 0.3 * math.Sin(2*math.Pi*9000*float64(i)/44100)
	}
	in := filepath.Join(dir, "in.wav")
	if err := avio.WriteWAV(in, a, avio.Float32); err != nil {
		t.Fatal(err)
	}
	a, _, err := avio.ReadWAV(in) // the values the command reads
	if err != nil {
		t.Fatal(err)
	}
	for filter, o := range map[string]dsp.ResampleOptions{"hq": dsp.HighQualityResampleOptions(), "torchaudio": dsp.TorchaudioResampleOptions()} {
		want := &avio.Audio{SampleRate: 16000, Channels: make([][]float64, 2)}
		for c, ch := range a.Channels {
			if want.Channels[c], err = dsp.ResampleWith(ch, 44100, 16000, o); err != nil {
				t.Fatal(err)
			}
		}
		wp, gp := filepath.Join(dir, filter+"-want.wav"), filepath.Join(dir, filter+"-got.wav")
		if err := avio.WriteWAV(wp, want, avio.PCM16); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		if code := run([]string{"resample", in, "-o", gp, "--rate", "16000", "--filter", filter}, &bytes.Buffer{}, &stderr); code != 0 {
			t.Fatalf("--filter %s: exit %d: %s", filter, code, stderr.String())
		}
		wb, _ := os.ReadFile(wp)
		gb, _ := os.ReadFile(gp)
		if !bytes.Equal(wb, gb) {
			t.Errorf("--filter %s: bytes differ from ResampleWith + WriteWAV", filter)
		}
	}
	if code := run([]string{"resample", in, "-o", filepath.Join(dir, "x.wav"), "--rate", "16000", "--filter", "soxr"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("--filter soxr: exit %d, want 2", code)
	}
}
