package spectrogram

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNPYWriterEqualsWriteNPY streams every golden configuration (TopDB 0)
// through a Stream into an NPYWriter and wants the bytes of Compute's
// WriteNPY and WriteMeta.
func TestNPYWriterEqualsWriteNPY(t *testing.T) {
	dir := t.TempDir()
	for _, g := range loadCases(t) {
		c := g.Config
		c.TopDB = 0
		x := goldenInput(t, g.Input)
		s, err := Compute(x, c)
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
		got, gotMeta := filepath.Join(dir, "got.npy"), filepath.Join(dir, "got.json")
		w, err := CreateNPY(got, c, len(x))
		if err != nil {
			t.Fatal(err)
		}
		if w.Frames() != s.Frames {
			t.Fatalf("%s: CreateNPY expects %d frames, Compute gives %d", g.Name, w.Frames(), s.Frames)
		}
		st, err := NewStream(c, w.WriteFrame)
		if err != nil {
			t.Fatal(err)
		}
		for len(x) > 0 {
			n := min(len(x), 1000)
			if err := st.Write(x[:n]); err != nil {
				t.Fatal(err)
			}
			x = x[n:]
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMeta(gotMeta); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]string{{want, got}, {wantMeta, gotMeta}} {
			a, _ := os.ReadFile(p[0])
			b, _ := os.ReadFile(p[1])
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs from %s", g.Name, filepath.Base(p[1]), filepath.Base(p[0]))
			}
		}
	}
}

func TestNPYWriterErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.npy")
	c := DefaultConfig(16000)
	c.Center = false
	if _, err := CreateNPY(p, c, 511); err == nil || !strings.Contains(err.Error(), "511 samples gives no frame") {
		t.Errorf("too short: %v", err)
	}
	c.Hop = 0
	if _, err := CreateNPY(p, c, 5000); err == nil || !strings.Contains(err.Error(), "Hop") {
		t.Errorf("bad config: %v", err)
	}
	// A stream that ends early leaves no file.
	c = DefaultConfig(16000)
	w, err := CreateNPY(p, c, 16000)
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStream(c, w.WriteFrame)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(make([]float64, 8000)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "51 of the 101 columns") {
		t.Errorf("short stream: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left behind", len(ents))
	}
}
