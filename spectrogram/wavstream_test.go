package spectrogram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// WAVToNPY writes the bytes of Compute + WriteNPY and WriteMeta on the
// file's samples, shows every block to Check, and leaves no file behind
// after a Check error or a cancellation.
func TestWAVToNPY(t *testing.T) {
	dir := t.TempDir()
	const rate, n = 16000, 70000 // more than two of WAVToNPY's blocks
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/rate)
	}
	in := filepath.Join(dir, "in.wav")
	if err := avio.WriteMonoWAV(in, x, rate, avio.Float32); err != nil {
		t.Fatal(err)
	}
	a, _, err := avio.ReadWAV(in)
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig(rate)
	c.NMels = 40
	s, err := Compute(a.Mono(), c)
	if err != nil {
		t.Fatal(err)
	}
	want, wantMeta := filepath.Join(dir, "want.npy"), filepath.Join(dir, "want.json")
	if err := s.WriteNPY(want); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteMeta(wantMeta); err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, out string, check func([]float64, int) error) (*Spectrogram, error) {
		r, err := avio.OpenWAV(in)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return WAVToNPY(ctx, r, c, out, WAVToNPYOptions{Name: in, Sidecar: out + ".json", Check: check})
	}
	seen := 0
	got := filepath.Join(dir, "got.npy")
	g, err := run(context.Background(), got, func(b []float64, offset int) error {
		if offset != seen {
			t.Errorf("Check saw offset %d, want %d", offset, seen)
		}
		seen += len(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != n || g.Bins != s.Bins || g.Frames != s.Frames {
		t.Errorf("Check saw %d of %d samples; shape %d×%d, want %d×%d", seen, n, g.Bins, g.Frames, s.Bins, s.Frames)
	}
	for _, p := range [][2]string{{want, got}, {wantMeta, got + ".json"}} {
		a, _ := os.ReadFile(p[0])
		b, err := os.ReadFile(p[1])
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from %s (%v)", p[1], p[0], err)
		}
	}
	stop := errors.New("stop")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range []struct {
		ctx   context.Context
		check func([]float64, int) error
		want  error
	}{
		{context.Background(), func(_ []float64, offset int) error {
			if offset > 0 {
				return stop
			}
			return nil
		}, stop},
		{cancelled, nil, context.Canceled},
	} {
		out := filepath.Join(dir, "partial.npy")
		if _, err := run(r.ctx, out, r.check); !errors.Is(err, r.want) {
			t.Errorf("err = %v, want %v", err, r.want)
		}
		if ents, _ := filepath.Glob(filepath.Join(dir, "*partial*")); len(ents) != 0 {
			t.Errorf("left behind: %v", ents)
		}
	}
}

// With TopDB, WAVToNPY holds the frames, or reads the file twice when
// they would be too many, and still writes the bytes of Compute +
// WriteNPY, the clipping active (a quiet stretch lies more than TopDB
// below the tone).
func TestWAVToNPYTopDB(t *testing.T) {
	for _, hold := range []int{holdBytes, 0} {
		t.Run(fmt.Sprintf("hold %d", hold), func(t *testing.T) {
			defer func(h int) { holdBytes = h }(holdBytes)
			holdBytes = hold
			testWAVToNPYTopDB(t)
		})
	}
}

func testWAVToNPYTopDB(t *testing.T) {
	dir := t.TempDir()
	const rate, n = 16000, 40000
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/rate)
		if i > n/2 {
			x[i] *= 1e-5
		}
	}
	in := filepath.Join(dir, "in.wav")
	if err := avio.WriteMonoWAV(in, x, rate, avio.Float32); err != nil {
		t.Fatal(err)
	}
	a, _, err := avio.ReadWAV(in)
	if err != nil {
		t.Fatal(err)
	}
	for name, set := range map[string]func(c *Config){
		"mfcc":      func(c *Config) { c.NMels, c.NMFCC, c.TopDB = 40, 13, 80 },
		"mel-db":    func(c *Config) { c.NMels, c.DB, c.TopDB = 40, true, 60 },
		"linear-db": func(c *Config) { c.DB, c.TopDB = true, 50 },
		"magnitude": func(c *Config) { c.Power, c.DB, c.TopDB = 1, true, 40 },
		"no-db":     func(c *Config) { c.TopDB = 80 },
	} {
		c := DefaultConfig(rate)
		set(&c)
		s, err := Compute(a.Mono(), c)
		if err != nil {
			t.Fatal(err)
		}
		want, got := filepath.Join(dir, name+"-want.npy"), filepath.Join(dir, name+"-got.npy")
		if err := s.WriteNPY(want); err != nil {
			t.Fatal(err)
		}
		r, err := avio.OpenWAV(in)
		if err != nil {
			t.Fatal(err)
		}
		g, err := WAVToNPY(context.Background(), r, c, got, WAVToNPYOptions{Name: in})
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if g.Bins != s.Bins || g.Frames != s.Frames {
			t.Errorf("%s: shape %d×%d, want %d×%d", name, g.Bins, g.Frames, s.Bins, s.Frames)
		}
		wb, _ := os.ReadFile(want)
		gb, _ := os.ReadFile(got)
		if !bytes.Equal(wb, gb) {
			t.Errorf("%s: bytes differ from Compute + WriteNPY", name)
		}
	}
}

// With a Config at another rate than the file's, WAVToNPY resamples as it
// reads and writes the bytes of dsp.Resample + Compute + WriteNPY.
func TestWAVToNPYResamples(t *testing.T) {
	dir := t.TempDir()
	const rate, n = 22050, 80000
	x := make([]float64, n)
	for i := range x {
		x[i] = 0.5*math.Sin(2*math.Pi*440*float64(i)/rate) + 0.1*math.Sin(2*math.Pi*9000*float64(i)/rate)
	}
	in := filepath.Join(dir, "in.wav")
	if err := avio.WriteMonoWAV(in, x, rate, avio.Float32); err != nil {
		t.Fatal(err)
	}
	a, _, err := avio.ReadWAV(in)
	if err != nil {
		t.Fatal(err)
	}
	y, err := dsp.Resample(a.Mono(), rate, 16000)
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig(16000)
	c.NMels, c.NMFCC, c.TopDB = 40, 13, 80
	s, err := Compute(y, c)
	if err != nil {
		t.Fatal(err)
	}
	want, got := filepath.Join(dir, "want.npy"), filepath.Join(dir, "got.npy")
	if err := s.WriteNPY(want); err != nil {
		t.Fatal(err)
	}
	r, err := avio.OpenWAV(in)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := WAVToNPY(context.Background(), r, c, got, WAVToNPYOptions{Name: in}); err != nil {
		t.Fatal(err)
	}
	// and read twice (the maximum first), as for a long file
	defer func(h int) { holdBytes = h }(holdBytes)
	holdBytes = 0
	got2 := filepath.Join(dir, "got2.npy")
	if _, err := WAVToNPY(context.Background(), r, c, got2, WAVToNPYOptions{Name: in}); err != nil {
		t.Fatal(err)
	}
	if b1, _ := os.ReadFile(got); !bytes.Equal(b1, mustRead(t, got2)) {
		t.Errorf("two passes give other bytes than one")
	}
	wb, _ := os.ReadFile(want)
	gb, _ := os.ReadFile(got)
	if !bytes.Equal(wb, gb) {
		t.Error("bytes differ from Resample + Compute + WriteNPY")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
