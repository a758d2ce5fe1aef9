package spectrogram

import (
	"math"
	"testing"
)

// convergence returns ‖|S(y)| − |S(x)|‖ / ‖|S(x)|‖ with magnitude spectrograms.
func convergence(t *testing.T, x, y []float64, c Config) float64 {
	t.Helper()
	c.Power, c.DB, c.TopDB = 1, false, 0
	a, err := Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compute(y, c)
	if err != nil {
		t.Fatal(err)
	}
	var num, den float64
	for i := range a.Data {
		d := float64(b.Data[i] - a.Data[i])
		num += d * d
		den += float64(a.Data[i]) * float64(a.Data[i])
	}
	return math.Sqrt(num / den)
}

// TestInvertSpeech inverts the speech spectrogram (power and dB forms): the
// rebuilt signal's spectrogram must be close to the original, and much
// closer than after a single iteration.
func TestInvertSpeech(t *testing.T) {
	x := goldenInput(t, "speech.wav")
	c := DefaultConfig(16000)
	c.Window = "hann" // Griffin-Lim's usual window; hamming works too
	for _, db := range []bool{false, true} {
		cc := c
		cc.DB = db
		s, err := Compute(x, cc)
		if err != nil {
			t.Fatal(err)
		}
		y1, err := s.Invert(InvertOptions{Iters: 1, Length: len(x)})
		if err != nil {
			t.Fatal(err)
		}
		var last float64
		y, err := s.Invert(InvertOptions{Iters: 32, Momentum: 0.99, Length: len(x), Observe: func(i int, c float64) { last = c }})
		if err != nil {
			t.Fatal(err)
		}
		if len(y) != len(x) {
			t.Fatalf("length %d, want %d", len(y), len(x))
		}
		got, one := convergence(t, x, y, c), convergence(t, x, y1, c)
		t.Logf("db=%v: spectral convergence %.3f after 32 iterations (observed %.3f), %.3f after 1", db, got, last, one)
		if got > 0.25 || got > one/2 {
			t.Errorf("db=%v: spectral convergence %.3f, want ≤ 0.25 and ≤ half of 1 iteration's %.3f", db, got, one)
		}
	}
	c.NMels = 40
	s, err := Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Invert(InvertOptions{}); err == nil {
		t.Error("mel spectrogram inverted")
	}
}

// TestInvertBlocks inverts the speech spectrogram in overlapping blocks:
// the cross-faded result must be about as close to the original as one
// Griffin-Lim over the whole, have the same length, and report every
// block's iterations.
func TestInvertBlocks(t *testing.T) {
	x := goldenInput(t, "speech.wav")
	c := DefaultConfig(16000)
	c.Window = "hann"
	s, err := Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := s.Invert(InvertOptions{Iters: 32, Momentum: 0.99, Length: len(x)})
	if err != nil {
		t.Fatal(err)
	}
	o := InvertOptions{Iters: 32, Momentum: 0.99, Length: len(x), Block: 64}
	iters := 0
	o.Observe = func(i int, _ float64) { iters = i }
	blocked, err := s.Invert(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocked) != len(x) {
		t.Fatalf("length %d, want %d", len(blocked), len(x))
	}
	nb := o.Blocks(s.Frames)
	if nb < 3 || iters != 32*nb {
		t.Errorf("%d frames in blocks of 64: %d blocks, last iteration %d; want ≥ 3 blocks and %d", s.Frames, nb, iters, 32*nb)
	}
	cw, cb := convergence(t, x, whole, c), convergence(t, x, blocked, c)
	t.Logf("%d frames, %d blocks: spectral convergence %.3f blocked, %.3f whole", s.Frames, nb, cb, cw)
	if cb > 0.25 || cb > 1.2*cw {
		t.Errorf("blocked spectral convergence %.3f, want ≤ 0.25 and ≤ 1.2 × whole's %.3f", cb, cw)
	}
	if _, err := s.Invert(InvertOptions{Block: 16}); err == nil {
		t.Error("a block shorter than 8·(NFFT/Hop+1) frames was accepted")
	}
}

// TestInvertMel: a log-mel spectrogram of a chirp, inverted to a linear
// spectrogram and then to sound, gives back nearly the same log-mel
// spectrogram.
func TestInvertMel(t *testing.T) {
	const sr = 16000
	x := make([]float64, sr/2)
	for i := range x {
		tt := float64(i) / sr
		x[i] = 0.3 * math.Sin(2*math.Pi*(300*tt+800*tt*tt))
	}
	c := DefaultConfig(sr)
	c.NMels, c.DB = 40, true
	mel, err := Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := mel.InvertMel(300)
	if err != nil {
		t.Fatal(err)
	}
	if lin.Kind != Linear || lin.Scale != Power || lin.Bins != c.NFFT/2+1 || lin.Frames != mel.Frames {
		t.Fatalf("got %s %s %d×%d", lin.Kind, lin.Scale, lin.Bins, lin.Frames)
	}
	y, err := lin.Invert(InvertOptions{Iters: 32, Momentum: 0.99, Length: len(x)})
	if err != nil {
		t.Fatal(err)
	}
	mel2, err := Compute(y, c)
	if err != nil {
		t.Fatal(err)
	}
	var d float64
	for i := range mel.Data {
		d += math.Abs(float64(mel.Data[i] - mel2.Data[i]))
	}
	d /= float64(len(mel.Data))
	t.Logf("mean log-mel difference %.2f dB", d)
	if d > 4 {
		t.Errorf("log-mel of the resynthesis differs by %.1f dB on average", d)
	}
	if _, err := lin.InvertMel(10); err == nil {
		t.Error("InvertMel of a linear spectrogram accepted")
	}
}
