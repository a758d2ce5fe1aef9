package dsp

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/internal/testsize"
)

func TestISTFTRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name string
		c    STFTConfig
		n    int
	}{
		{"hann512/128 center reflect", STFTConfig{NFFT: 512, Hop: 128, Window: Hann(512, true), Center: true}, 4001},
		{"hamming400/160 center reflect", STFTConfig{NFFT: 400, Hop: 160, Window: Hamming(400, true), Center: true}, 3999},
		{"hamming512 win400 hop160", STFTConfig{NFFT: 512, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true}, 8000},
		{"hann win301 constant", STFTConfig{NFFT: 512, Hop: 100, WinLength: 301, Window: Hann(301, true), Center: true, Pad: PadConstant}, 2777},
		{"hamming no center", STFTConfig{NFFT: 256, Hop: 64, Window: Hamming(256, true)}, 64*20 + 256},
		{"odd nfft 441", STFTConfig{NFFT: 441, Hop: 110, Window: Hann(441, true), Center: true}, 5001},
		{"rect hop=win", STFTConfig{NFFT: 64, Hop: 64, Center: true}, 1000},
		{"blackman symmetric", STFTConfig{NFFT: 128, Hop: 32, Window: Blackman(128, false), Center: true}, 1001},
	}
	for _, tc := range cases {
		x := fftRandSignal(r, tc.n)
		s, err := STFT(x, tc.c)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		y, err := ISTFT(s, tc.c, len(x))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(y) != len(x) {
			t.Fatalf("%s: %d samples back, want %d", tc.name, len(y), len(x))
		}
		// Samples past the end of the last frame are not covered (torch
		// returns zeros there); compare only the covered part.
		cover := min(len(x), tc.c.NFFT+tc.c.Hop*(s.Frames-1)-tc.c.padding())
		for i := 0; i < cover; i++ {
			if math.Abs(y[i]-x[i]) > 1e-10 {
				t.Fatalf("%s: ISTFT(STFT(x))[%d] = %g, want %g", tc.name, i, y[i], x[i])
			}
		}
		// Natural length.
		y2, err := ISTFT(s, tc.c, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := tc.c.NFFT + tc.c.Hop*(s.Frames-1) - 2*tc.c.padding()
		if len(y2) != want {
			t.Errorf("%s: natural length %d, want %d", tc.name, len(y2), want)
		}
	}
}

func TestISTFTZeroExtends(t *testing.T) {
	c := STFTConfig{NFFT: 64, Hop: 16, Window: Hann(64, true), Center: true}
	x := fftRandSignal(rand.New(rand.NewPCG(1, 1)), 200)
	s, _ := STFT(x, c)
	y, err := ISTFT(s, c, 300)
	if err != nil {
		t.Fatal(err)
	}
	// Output samples past the last frame's end (minus the centre offset) are zeros.
	full := c.NFFT + c.Hop*(s.Frames-1) - c.NFFT/2
	for i := full; i < len(y); i++ {
		if y[i] != 0 {
			t.Fatalf("y[%d] = %g, want 0 (zero extension)", i, y[i])
		}
	}
	if len(y) != 300 {
		t.Fatalf("len %d", len(y))
	}
}

func TestISTFTNOLAFailure(t *testing.T) {
	// A rectangular window of 100 samples with hop 150 leaves gaps.
	c := STFTConfig{NFFT: 128, Hop: 150, WinLength: 100, Center: true}
	x := fftRandSignal(rand.New(rand.NewPCG(2, 2)), 2000)
	s, err := STFT(x, c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ISTFT(s, c, 0)
	if err == nil || !strings.Contains(err.Error(), "NOLA") {
		t.Fatalf("err = %v, want a NOLA error", err)
	}
	// torch also fails here: a window of 300 inside NFFT 400 without
	// Center leaves the first samples uncovered.
	c = STFTConfig{NFFT: 400, Hop: 100, WinLength: 300, Window: Hamming(300, true)}
	s, _ = STFT(x, c)
	if _, err := ISTFT(s, c, 0); err == nil || !strings.Contains(err.Error(), "NOLA") {
		t.Fatalf("err = %v, want a NOLA error", err)
	}
}

func TestISTFTBadInput(t *testing.T) {
	c := STFTConfig{NFFT: 64, Hop: 16, Center: true}
	for _, s := range []*ComplexSpectrogram{
		nil,
		{Bins: 32, Frames: 2, Data: make([]complex128, 64)},
		{Bins: 33, Frames: 0},
		{Bins: 33, Frames: 2, Data: make([]complex128, 10)},
	} {
		if _, err := ISTFT(s, c, 0); err == nil {
			t.Errorf("ISTFT(%v) gave no error", s)
		}
	}
}

func TestSTFTErrors(t *testing.T) {
	testsize.Skip32(t)
	x := make([]float64, 600)
	cases := []struct {
		c    STFTConfig
		x    []float64
		want string
	}{
		{STFTConfig{NFFT: 0, Hop: 1}, x, "NFFT"},
		{STFTConfig{NFFT: testsize.Huge, Hop: 1}, x, "exceeds the maximum"},
		{STFTConfig{NFFT: 64, Hop: 0}, x, "Hop"},
		{STFTConfig{NFFT: 64, Hop: 16, WinLength: 65}, x, "WinLength"},
		{STFTConfig{NFFT: 64, Hop: 16, WinLength: 32, Window: Hann(64, true)}, x, "Window has 64"},
		{STFTConfig{NFFT: 64, Hop: 16, Pad: PadMode(7)}, x, "Pad"},
		{STFTConfig{NFFT: 4, Hop: 1, Window: []float64{1, math.NaN(), 1, 1}}, x, "Window[1]"},
		{STFTConfig{NFFT: 1024, Hop: 16, Center: true}, x[:512], "too short for reflect padding of 512; use PadConstant"},
		{STFTConfig{NFFT: 512, Hop: 16}, x[:300], "shorter than NFFT=512"},
		{STFTConfig{NFFT: 64, Hop: 16, Center: true, Pad: PadConstant}, nil, "empty"},
	}
	for _, tc := range cases {
		_, err := STFT(tc.x, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("STFT(%d samples, %+v): err = %v, want it to mention %q", len(tc.x), tc.c, err, tc.want)
		}
		_, _, err = PowerSpectrogram(tc.x, tc.c, 2, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("PowerSpectrogram: err = %v, want it to mention %q", err, tc.want)
		}
	}
	// Reflect padding needs more than NFFT/2 samples, exactly as torch.
	if _, err := STFT(x[:513], STFTConfig{NFFT: 1024, Hop: 16, Center: true}); err != nil {
		t.Errorf("513 samples with pad 512: %v", err)
	}
	// Constant padding works on any non-empty signal.
	s, err := STFT(x[:5], STFTConfig{NFFT: 1024, Hop: 16, Center: true, Pad: PadConstant})
	if err != nil || s.Frames != 1 {
		t.Errorf("5 samples, constant pad: %v, %v", s, err)
	}
	if _, _, err := PowerSpectrogram(x, STFTConfig{NFFT: 64, Hop: 16}, 0, nil); err == nil {
		t.Error("p = 0 accepted")
	}
}

func TestNumFramesFormula(t *testing.T) {
	for _, c := range []STFTConfig{
		{NFFT: 512, Hop: 160, Center: true},
		{NFFT: 441, Hop: 100, Center: true},
		{NFFT: 400, Hop: 97},
	} {
		for n := 1; n < 2000; n += 37 {
			want := 0
			if c.Center {
				// Frames start every Hop while NFFT samples fit in the padded signal.
				for s := 0; s+c.NFFT <= n+2*(c.NFFT/2); s += c.Hop {
					want++
				}
				if c.NFFT%2 == 0 && want != 1+n/c.Hop {
					t.Errorf("center even NFFT: %d frames, 1+n/hop = %d", want, 1+n/c.Hop)
				}
			} else {
				for s := 0; s+c.NFFT <= n; s += c.Hop {
					want++
				}
			}
			if got := c.NumFrames(n); got != want {
				t.Errorf("%+v NumFrames(%d) = %d, want %d", c, n, got, want)
			}
		}
	}
}

func TestPadModeStrings(t *testing.T) {
	for _, m := range []PadMode{PadReflect, PadConstant} {
		got, err := ParsePadMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParsePadMode(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParsePadMode("edge"); err == nil || !strings.Contains(err.Error(), `"edge"`) {
		t.Errorf("ParsePadMode(edge): %v", err)
	}
	if _, err := WindowByName("kaiser", 8, true); err == nil || !strings.Contains(err.Error(), `"kaiser"`) {
		t.Errorf("WindowByName(kaiser): %v", err)
	}
}

func TestPowerExponents(t *testing.T) {
	c := STFTConfig{NFFT: 256, Hop: 100, Window: Hann(256, true), Center: true}
	x := fftRandSignal(rand.New(rand.NewPCG(5, 5)), 3000)
	s, _ := STFT(x, c)
	for _, p := range []float64{1, 2, 0.5, 3} {
		got, _, err := PowerSpectrogram(x, c, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := s.Power(p)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12*math.Max(1, want[i]) {
				t.Fatalf("p=%g: [%d] %g vs %g", p, i, got[i], want[i])
			}
		}
	}
}

// TestPowerSpectrogramParallel checks that the goroutine split gives the
// same values as one worker, and that dst is reused.
func TestPowerSpectrogramParallel(t *testing.T) {
	c := STFTConfig{NFFT: 512, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true}
	x := fftRandSignal(rand.New(rand.NewPCG(9, 9)), 160*2000+33)
	got, frames, err := PowerSpectrogram(x, c, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := stftFramerPower(t, x, c, 2, 4096)
	if len(want) != frames*c.Bins() {
		t.Fatalf("framer %d values, PowerSpectrogram %d frames", len(want), frames)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d: %g (parallel) vs %g (framer)", i, got[i], want[i])
		}
	}
	again, _, _ := PowerSpectrogram(x, c, 2, got)
	if &again[0] != &got[0] {
		t.Error("dst not reused")
	}
}

func TestFramerMatchesSTFT(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range []STFTConfig{
		{NFFT: 64, Hop: 16, Window: Hann(64, true), Center: true},
		{NFFT: 64, Hop: 100, Window: Hann(64, true), Center: true}, // hop > NFFT
		{NFFT: 64, Hop: 100, WinLength: 50, Window: Hann(50, true), Center: true, Pad: PadConstant},
		{NFFT: 63, Hop: 7, Window: Hamming(63, true), Center: true},
		{NFFT: 64, Hop: 16},
		{NFFT: 1, Hop: 1, Center: true},
	} {
		for _, n := range []int{33, 64, 65, 1000} {
			x := fftRandSignal(r, n)
			s, err := STFT(x, c)
			for _, chunk := range []int{1, 5, 64, 1000} {
				f, _ := NewFramer(c)
				var got []complex128
				var col []complex128
				var ok bool
				for i := 0; i < n; i += chunk {
					if err := f.Push(x[i:min(i+chunk, n)]); err != nil {
						t.Fatal(err)
					}
					for col, ok = f.NextComplex(col); ok; col, ok = f.NextComplex(col) {
						got = append(got, col...)
					}
				}
				ferr := f.Close()
				if (err == nil) != (ferr == nil) {
					t.Fatalf("%+v n=%d: STFT err %v, Framer err %v", c, n, err, ferr)
				}
				if err != nil {
					continue
				}
				for col, ok = f.NextComplex(col); ok; col, ok = f.NextComplex(col) {
					got = append(got, col...)
				}
				if f.Frames() != s.Frames || len(got) != len(s.Data) {
					t.Fatalf("%+v n=%d chunk=%d: %d frames, STFT %d", c, n, chunk, f.Frames(), s.Frames)
				}
				for i := range got {
					if got[i] != s.Data[i] {
						t.Fatalf("%+v n=%d chunk=%d: value %d differs", c, n, chunk, i)
					}
				}
				if err := f.Push(x); err == nil {
					t.Fatal("Push after Close accepted")
				}
			}
		}
	}
}

func TestFramerRawFrames(t *testing.T) {
	// Reflect padding of [1 2 3 4 5] by 2: 3 2 | 1 2 3 4 5 | 4 3.
	c := STFTConfig{NFFT: 4, Hop: 3, Center: true}
	f, err := NewFramer(c)
	if err != nil {
		t.Fatal(err)
	}
	f.Push([]float64{1, 2})
	if _, ok := f.Next(nil); ok {
		t.Fatal("frame before the left padding can be formed")
	}
	f.Push([]float64{3, 4, 5})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{3, 2, 1, 2}, {2, 3, 4, 5}}
	for i, w := range want {
		fr, ok := f.Next(nil)
		if !ok {
			t.Fatalf("frame %d missing", i)
		}
		for j := range w {
			if fr[j] != w[j] {
				t.Fatalf("frame %d = %v, want %v", i, fr, w)
			}
		}
	}
	if _, ok := f.Next(nil); ok || c.NumFrames(5) != 2 {
		t.Fatal("extra frame")
	}
}

// TestPowerSpectrogramSizes compares the fused power path with the complex
// STFT for every power-of-two size whose last FFT pass it fuses (both
// parities of h = NFFT/8) and a few others.
func TestPowerSpectrogramSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	x := fftRandSignal(r, 5000)
	for _, n := range []int{2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 400, 441, 6, 30} {
		c := STFTConfig{NFFT: n, Hop: 97, Window: Hann(n, true), Center: true}
		got, _, err := PowerSpectrogram(x, c, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := STFT(x, c)
		if err != nil {
			t.Fatal(err)
		}
		if d := stftRelErr(got, s.Power(2)); d > 1e-13 {
			t.Errorf("NFFT %d: fused power differs from |STFT|² by %g", n, d)
		}
	}
}

// TestFramerBoundedMemory streams 10 s of audio in 1000-sample chunks and
// checks that the Framer's buffer stays near NFFT plus one chunk.
func TestFramerBoundedMemory(t *testing.T) {
	for _, c := range []STFTConfig{
		{NFFT: 512, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true},
		{NFFT: 512, Hop: 1000, Center: true, Pad: PadConstant},
		{NFFT: 256, Hop: 100},
	} {
		f, err := NewFramer(c)
		if err != nil {
			t.Fatal(err)
		}
		chunk := fftRandSignal(rand.New(rand.NewPCG(1, 2)), 1000)
		var col []float64
		drain := func() {
			for ok := true; ok; {
				col, ok = f.NextPower(col, 2)
			}
		}
		maxCap := 0
		for i := 0; i < 160; i++ {
			if err := f.Push(chunk); err != nil {
				t.Fatal(err)
			}
			drain()
			maxCap = max(maxCap, cap(f.buf))
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		drain()
		if limit := 2 * (c.NFFT + len(chunk) + c.NFFT/2); maxCap > limit {
			t.Errorf("%+v: buffer grew to %d samples (limit %d)", c, maxCap, limit)
		}
		if f.Frames() != c.NumFrames(160000) || f.Samples() != 160000 {
			t.Errorf("%v: want %d frames", f, c.NumFrames(160000))
		}
	}
}

// TestParallelDeterminism: STFT, PowerSpectrogram and ISTFT give the same
// bits whatever the number of goroutines.
func TestParallelDeterminism(t *testing.T) {
	c := STFTConfig{NFFT: 256, Hop: 64, Window: Hann(256, true), Center: true}
	x := fftRandSignal(rand.New(rand.NewPCG(31, 32)), 64*3000+17)
	run := func(procs int) ([]complex128, []float64, []float64) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		s, err := STFT(x, c)
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := PowerSpectrogram(x, c, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		y, err := ISTFT(s, c, len(x))
		if err != nil {
			t.Fatal(err)
		}
		return s.Data, p, y
	}
	s1, p1, y1 := run(1)
	s4, p4, y4 := run(4)
	for i := range s1 {
		if s1[i] != s4[i] {
			t.Fatalf("STFT value %d differs between 1 and 4 goroutines", i)
		}
	}
	for i := range p1 {
		if p1[i] != p4[i] {
			t.Fatalf("power value %d differs between 1 and 4 goroutines", i)
		}
	}
	for i := range y1 {
		if y1[i] != y4[i] {
			t.Fatalf("ISTFT sample %d differs between 1 and 4 goroutines", i)
		}
	}
}

// TestRandomConfigs checks, over random small configs and signals, that
// PowerSpectrogram agrees with a direct evaluation of the STFT definition
// (frame the padded signal, window, DFT), that the Framer agrees with
// PowerSpectrogram bit for bit, and that errors agree.
func TestRandomConfigs(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	checked := 0
	for iter := 0; iter < 300; iter++ {
		nfft := 1 + r.IntN(70)
		win := nfft - r.IntN(nfft)
		c := STFTConfig{NFFT: nfft, Hop: 1 + r.IntN(90), WinLength: win, Center: r.IntN(3) > 0, Pad: PadMode(r.IntN(2))}
		if r.IntN(4) > 0 {
			c.Window = Hann(win, r.IntN(2) == 0)
		}
		x := fftRandSignal(r, r.IntN(200))
		got, frames, err := PowerSpectrogram(x, c, 2, nil)
		fp, ferr := func() ([]float64, error) {
			f, err := NewFramer(c)
			if err != nil {
				return nil, err
			}
			var out, col []float64
			chunk := 1 + r.IntN(50)
			for i := 0; i <= len(x); i += chunk {
				f.Push(x[i:min(i+chunk, len(x))])
				for ok := true; ok; {
					if col, ok = f.NextPower(col, 2); ok {
						out = append(out, col...)
					}
				}
			}
			if err := f.Close(); err != nil {
				return nil, err
			}
			for ok := true; ok; {
				if col, ok = f.NextPower(col, 2); ok {
					out = append(out, col...)
				}
			}
			return out, nil
		}()
		if (err == nil) != (ferr == nil) {
			t.Fatalf("%+v, %d samples: PowerSpectrogram err %v, Framer err %v", c, len(x), err, ferr)
		}
		if err != nil {
			continue
		}
		if len(fp) != len(got) {
			t.Fatalf("%+v: Framer %d values, PowerSpectrogram %d", c, len(fp), len(got))
		}
		for i := range got {
			if fp[i] != got[i] {
				t.Fatalf("%+v: Framer value %d differs", c, i)
			}
		}
		// Direct definition.
		checked++
		p := stftPlanForTest(t, c)
		bins := c.Bins()
		frame := make([]float64, nfft)
		cs, err := STFT(x, c)
		if err != nil {
			t.Fatal(err)
		}
		for tt := 0; tt < frames; tt++ {
			for i := range frame {
				frame[i] = p.paddedAt(x, tt*c.Hop+i) * p.wpad[i]
			}
			want := fftNaiveRDFT(frame)
			for k := 0; k < bins; k++ {
				if d := cmplx.Abs(cs.Data[tt*bins+k] - want[k]); d > 1e-9*(1+cmplx.Abs(want[k])) {
					t.Fatalf("%+v, %d samples: STFT frame %d bin %d = %v, definition %v", c, len(x), tt, k, cs.Data[tt*bins+k], want[k])
				}
				w := real(want[k])*real(want[k]) + imag(want[k])*imag(want[k])
				if math.Abs(got[tt*bins+k]-w) > 1e-9*(1+w) {
					t.Fatalf("%+v, %d samples: frame %d bin %d = %g, definition %g", c, len(x), tt, k, got[tt*bins+k], w)
				}
			}
		}
	}
	if checked < 200 {
		t.Fatalf("only %d of 300 random configs were valid", checked)
	}
}

func stftPlanForTest(t *testing.T, c STFTConfig) *stftPlan {
	t.Helper()
	p, err := newSTFTPlan(c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
