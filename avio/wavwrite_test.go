package avio

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A WAVWriter fed in blocks of any size writes WriteWAV's bytes; misuse
// fails naming the file and leaves nothing behind.
func TestWAVWriter(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	for _, enc := range []Encoding{PCM16, Float32} {
		for _, nch := range []int{1, 2, 3} {
			const n = 10007
			a := &Audio{SampleRate: 22050, Channels: make([][]float64, nch)}
			for c := range a.Channels {
				a.Channels[c] = make([]float64, n)
				for i := range a.Channels[c] {
					a.Channels[c][i] = r.NormFloat64() * 0.4
				}
			}
			want, got := filepath.Join(dir, "want.wav"), filepath.Join(dir, "got.wav")
			if err := WriteWAV(want, a, enc); err != nil {
				t.Fatal(err)
			}
			w, err := CreateWAV(got, a.SampleRate, nch, n, enc)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < n; {
				k := min(n-i, r.IntN(3000))
				blk := make([][]float64, nch)
				for c := range blk {
					blk[c] = a.Channels[c][i : i+k]
				}
				if err := w.Write(blk); err != nil {
					t.Fatal(err)
				}
				i += k
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			wb, _ := os.ReadFile(want)
			gb, _ := os.ReadFile(got)
			if !bytes.Equal(wb, gb) {
				t.Errorf("%v, %d channels: bytes differ from WriteWAV", enc, nch)
			}
		}
	}
	p := filepath.Join(dir, "bad.wav")
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: left %s", name, p)
		}
	}
	_, err := CreateWAV(p, 0, 1, 10, PCM16)
	check("rate", err, "sample rate")
	w, _ := CreateWAV(p, 8000, 1, 10, PCM16)
	check("short", w.Close(), "0 of the 10 frames")
	w, _ = CreateWAV(p, 8000, 1, 3, PCM16)
	check("long", w.Write([][]float64{make([]float64, 4)}), "more than the 3 frames")
	w, _ = CreateWAV(p, 8000, 2, 3, PCM16)
	check("channels", w.Write([][]float64{make([]float64, 3)}), "1 channels, the file has 2")
	w, _ = CreateWAV(p, 8000, 1, 3, PCM16)
	w.Write([][]float64{make([]float64, 3)})
	w.Abort()
	check("abort", w.Close(), "aborted")
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%d files left in the directory, want 2", len(ents))
	}
}
