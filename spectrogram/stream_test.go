package spectrogram

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// streamAll feeds x to a Stream in chunks whose sizes come from next and
// assembles the emitted columns into a Spectrogram.
func streamAll(t *testing.T, x []float64, c Config, next func() int) *Spectrogram {
	t.Helper()
	var cols []float32
	st, err := NewStream(c, func(col []float32) error {
		cols = append(cols, col...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for len(x) > 0 {
		n := min(next(), len(x))
		if err := st.Write(x[:n]); err != nil {
			t.Fatal(err)
		}
		x = x[n:]
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	bins, frames := st.Bins(), st.Frames()
	s := &Spectrogram{Data: make([]float32, bins*frames), Bins: bins, Frames: frames}
	for tt := 0; tt < frames; tt++ {
		for b := 0; b < bins; b++ {
			s.Data[b*frames+tt] = cols[tt*bins+b]
		}
	}
	return s
}

// TestStreamEqualsCompute streams every golden configuration (TopDB set to
// 0, which a Stream requires) in chunks of many sizes and wants Compute's
// values exactly.
func TestStreamEqualsCompute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	chunkers := map[string]func() int{
		"1":      func() int { return 1 },
		"hop":    func() int { return 160 },
		"random": func() int { return 1 + r.IntN(3000) },
		"whole":  func() int { return 1 << 30 },
	}
	for _, g := range loadCases(t) {
		c := g.Config
		c.TopDB = 0
		x := goldenInput(t, g.Input)
		want, err := Compute(x, c)
		if err != nil {
			t.Fatal(err)
		}
		for name, next := range chunkers {
			if name == "1" && len(x) > 50000 {
				continue // keep the test quick
			}
			got := streamAll(t, x, c, next)
			if got.Bins != want.Bins || got.Frames != want.Frames {
				t.Fatalf("%s/%s: stream %d×%d, Compute %d×%d", g.Name, name, got.Bins, got.Frames, want.Bins, want.Frames)
			}
			for i := range want.Data {
				if got.Data[i] != want.Data[i] && !(math.IsNaN(float64(got.Data[i])) && math.IsNaN(float64(want.Data[i]))) {
					t.Fatalf("%s/%s: value %d: stream %g, Compute %g", g.Name, name, i, got.Data[i], want.Data[i])
				}
			}
		}
	}
}

// TestStreamBoundedMemory streams four minutes of 16 kHz audio generated on
// the fly: the heap must not grow with the signal (it would by 31 MB if the
// samples were kept).
func TestStreamBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("long signal")
	}
	c := DefaultConfig(16000)
	c.NMels = 40
	frames := 0
	st, err := NewStream(c, func([]float32) error { frames++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	chunk := make([]float64, 4096)
	n := 0
	const total = 4 * 60 * 16000
	for n < total {
		for i := range chunk {
			chunk[i] = math.Sin(2 * math.Pi * 440 * float64(n+i) / 16000)
		}
		if err := st.Write(chunk); err != nil {
			t.Fatal(err)
		}
		n += len(chunk)
	}
	// Measured while st is still live (Close uses it below), so a Stream
	// that kept the signal and let go of it at Close would fail.
	runtime.GC()
	runtime.ReadMemStats(&after)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if want := 1 + n/c.Hop; frames != want {
		t.Errorf("%d frames, want %d", frames, want)
	}
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 1<<20 {
		t.Errorf("heap grew by %d bytes over %d samples", grow, n)
	}
}

func TestStreamErrors(t *testing.T) {
	c := DefaultConfig(16000)
	c.DB, c.TopDB = true, 80
	if _, err := NewStream(c, func([]float32) error { return nil }); err == nil {
		t.Error("TopDB accepted")
	}
	c.TopDB = 0
	if _, err := NewStream(c, nil); err == nil {
		t.Error("nil emit accepted")
	}
	// Too short for reflect padding: the error Compute gives, at Close.
	st, err := NewStream(c, func([]float32) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(make([]float64, 100)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err == nil {
		t.Error("100 samples accepted with NFFT 512, reflect")
	}
	if _, err := Compute(make([]float64, 100), c); err == nil {
		t.Error("Compute accepted 100 samples")
	}
	// An emit error stops the stream and is returned again.
	stop := errors.New("stop")
	st, err = NewStream(c, func([]float32) error { return stop })
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(make([]float64, 2000)); !errors.Is(err, stop) {
		t.Errorf("Write: %v, want stop", err)
	}
	if err := st.Close(); !errors.Is(err, stop) {
		t.Errorf("Close: %v, want stop", err)
	}
}
