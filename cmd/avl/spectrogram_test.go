package main

import (
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

const speech = "../../testdata/speech.wav" // 16 kHz mono, 42828 samples

// avl runs the command line and returns the exit status and stderr.
func avl(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var errb strings.Builder
	code := run(args, io.Discard, &errb)
	return code, errb.String()
}

func TestSpectrogramPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.png")
	if code, e := avl(t, "spectrogram", speech, "-o", out, "--mel", "64"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 300 {
		t.Errorf("PNG is only %v", b.Size())
	}
}

func TestSpectrogramNPYShapes(t *testing.T) {
	dir := t.TempDir()
	frames := 1 + 42828/160
	for _, tc := range []struct {
		args []string
		rows int
		cols int
	}{
		{nil, 257, frames},
		{[]string{"--mel", "40", "--db"}, 40, frames},
		{[]string{"--mel", "40", "--mfcc", "13"}, 13, frames},
		{[]string{"--n-fft", "1024", "--hop", "256", "--window", "hann", "--center=false"}, 513, 1 + (42828-1024)/256},
		{[]string{"--sr", "8000", "--mel", "32"}, 32, 1 + 21414/80},
	} {
		out := filepath.Join(dir, "s.npy")
		args := append([]string{"spectrogram", speech, "-o", out}, tc.args...)
		if code, e := avl(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, e)
		}
		a, err := avio.ReadNPY(out)
		if err != nil {
			t.Fatal(err)
		}
		if a.DType != "<f4" || len(a.Shape) != 2 || a.Shape[0] != tc.rows || a.Shape[1] != tc.cols {
			t.Errorf("%v: %s %v, want <f4 (%d, %d)", tc.args, a.DType, a.Shape, tc.rows, tc.cols)
		}
	}
}

func TestSpectrogramBadArgs(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "s.png")
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"spectrogram", speech, "-o", filepath.Join(dir, "s.jpg")}, 2, `".jpg"`},
		{[]string{"spectrogram", speech}, 2, "-o"},
		{[]string{"spectrogram", "-o", png}, 2, "one input"},
		{[]string{"spectrogram", speech, "-o", png, "--window", "kaiser"}, 2, "--window"},
		{[]string{"spectrogram", speech, "-o", png, "--power", "3"}, 2, "--power"},
		{[]string{"spectrogram", speech, "-o", png, "--mfcc", "13"}, 2, "--mel"},
		{[]string{"spectrogram", speech, "-o", png, "--mel", "40", "--fmax", "9000"}, 2, "FMax"},
		{[]string{"spectrogram", speech, "-o", png, "--win-length", "1024", "--n-fft", "512"}, 2, "--win-length"},
		{[]string{"spectrogram", speech, "-o", png, "--pad-mode", "edge"}, 2, "--pad-mode"},
		{[]string{"spectrogram", speech, "-o", png, "--bogus"}, 2, "bogus"},
		{[]string{"spectrogram", filepath.Join(dir, "missing.wav"), "-o", png}, 1, "missing.wav"},
		{[]string{"resample", speech, "-o", filepath.Join(dir, "r.wav")}, 2, "--rate"},
		{[]string{"resample", filepath.Join(dir, "missing.wav"), "-o", filepath.Join(dir, "r.wav"), "--rate", "8000"}, 1, "missing.wav"},
		{[]string{"griffinlim", filepath.Join(dir, "missing.npy"), "-o", filepath.Join(dir, "g.wav")}, 1, "missing.npy"},
		{[]string{"griffinlim", speech, "-o", filepath.Join(dir, "g.mp3")}, 2, `".mp3"`},
	} {
		code, e := avl(t, tc.args...)
		if code != tc.code || !strings.Contains(e, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, e, tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(png); err == nil {
		t.Error("a failed run left an output file")
	}
}

func TestResample(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.wav")
	if code, e := avl(t, "resample", "../../testdata/spectrogram/stereo44k.wav", "-o", out, "--rate", "16000"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	a, _, err := avio.ReadWAV(out)
	if err != nil {
		t.Fatal(err)
	}
	// 65740 samples at 44.1 kHz → ceil(65740·16000/44100) = 23852.
	if a.SampleRate != 16000 || len(a.Channels) != 2 || a.Len() != 23852 {
		t.Errorf("got %d Hz, %d channels, %d samples", a.SampleRate, len(a.Channels), a.Len())
	}
}

// TestGriffinLim rebuilds speech from its linear dB spectrogram and checks
// the result's spectrogram against the original's.
func TestGriffinLim(t *testing.T) {
	dir := t.TempDir()
	spec, wav := filepath.Join(dir, "s.npy"), filepath.Join(dir, "g.wav")
	if code, e := avl(t, "spectrogram", speech, "-o", spec, "--db", "--window", "hann", "--meta=false"); code != 0 {
		t.Fatalf("spectrogram: exit %d: %s", code, e)
	}
	if _, err := os.Stat(filepath.Join(dir, "s.json")); err == nil {
		t.Error("--meta=false wrote s.json")
	}
	if code, e := avl(t, "griffinlim", spec, "-o", wav, "--db", "--window", "hann", "-q"); code != 0 {
		t.Fatalf("griffinlim: exit %d: %s", code, e)
	}
	a, _, err := avio.ReadWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	if a.SampleRate != 16000 || a.Len() != 267*160 {
		t.Fatalf("%d Hz, %d samples", a.SampleRate, a.Len())
	}
	// The rebuilt audio must have the original's spectrogram shape and
	// most of its energy in the same cells.
	spec2 := filepath.Join(dir, "s2.npy")
	if code, e := avl(t, "spectrogram", wav, "-o", spec2, "--window", "hann"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if code, e := avl(t, "spectrogram", speech, "-o", spec, "--window", "hann"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	x, err := avio.ReadNPY(spec)
	if err != nil {
		t.Fatal(err)
	}
	y, err := avio.ReadNPY(spec2)
	if err != nil {
		t.Fatal(err)
	}
	if x.Shape[0] != y.Shape[0] {
		t.Fatalf("shapes %v and %v", x.Shape, y.Shape)
	}
	// Compare magnitudes over the common frames (the rebuilt signal is a
	// little shorter): spectral convergence ‖|Y|−|X|‖/‖|X|‖.
	var num, den float64
	fx, fy := x.Shape[1], y.Shape[1]
	for b := 0; b < x.Shape[0]; b++ {
		for t := 0; t < min(fx, fy); t++ {
			mx, my := math.Sqrt(x.Data[b*fx+t]), math.Sqrt(y.Data[b*fy+t])
			num += (mx - my) * (mx - my)
			den += mx * mx
		}
	}
	if sc := math.Sqrt(num / den); sc > 0.3 {
		t.Errorf("spectral convergence %.3f, want ≤ 0.3", sc)
	}
}

// TestGriffinLimSidecar: griffinlim takes the configuration from the JSON
// avl spectrogram writes beside the .npy, and explicit flags override it.
func TestGriffinLimSidecar(t *testing.T) {
	dir := t.TempDir()
	spec, wav := filepath.Join(dir, "s.npy"), filepath.Join(dir, "g.wav")
	if code, e := avl(t, "spectrogram", speech, "-o", spec, "--n-fft", "1024", "--hop", "256", "--power", "1", "--db"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if code, e := avl(t, "griffinlim", spec, "-o", wav, "-q", "--iters", "4"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	a, _, err := avio.ReadWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	if want := (1 + 42828/256 - 1) * 256; a.Len() != want {
		t.Errorf("%d samples, want %d (hop 256 from the sidecar)", a.Len(), want)
	}
	// An explicit --n-fft that contradicts the rows is an error naming the file.
	if code, e := avl(t, "griffinlim", spec, "-o", wav, "-q", "--n-fft", "512"); code != 1 || !strings.Contains(e, "s.npy") {
		t.Errorf("--n-fft 512 on 513 rows: exit %d, %s", code, e)
	}
	// A mel spectrogram cannot be inverted.
	mel := filepath.Join(dir, "m.npy")
	if code, e := avl(t, "spectrogram", speech, "-o", mel, "--mel", "40"); code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if code, e := avl(t, "griffinlim", mel, "-o", wav, "-q"); code != 1 || !strings.Contains(e, "mel") {
		t.Errorf("mel input: exit %d, %s", code, e)
	}
}

// TestSpectrogramMatchesTorchaudio runs the command on the fixtures and
// compares the .npy with goldens made by torchaudio
// (testdata/spectrogram/gen.py), including the stereo file averaged to mono.
func TestSpectrogramMatchesTorchaudio(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"linear_default", []string{speech}},
		{"mfcc13", []string{speech, "--mel", "40", "--mfcc", "13"}},
		{"stereo44k_mel128_db", []string{"../../testdata/spectrogram/stereo44k.wav", "--mel", "128", "--db", "--top-db", "80"}},
		{"linear_hann_mag_nocenter", []string{speech, "--window", "hann", "--n-fft", "256", "--win-length", "256", "--hop", "128", "--center=false", "--power", "1"}},
	} {
		out := filepath.Join(dir, tc.golden+".npy")
		if code, e := avl(t, append([]string{"spectrogram", "-o", out}, tc.args...)...); code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.golden, code, e)
		}
		got, err := avio.ReadNPY(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := avio.ReadNPY(filepath.Join("../../testdata/spectrogram", tc.golden+".npy"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Shape) != 2 || got.Shape[0] != want.Shape[0] || got.Shape[1] != want.Shape[1] {
			t.Fatalf("%s: shape %v, torchaudio %v", tc.golden, got.Shape, want.Shape)
		}
		var e, m float64
		for i, w := range want.Data {
			e = max(e, math.Abs(got.Data[i]-w))
			m = max(m, math.Abs(w))
		}
		if e > 1e-4*m {
			t.Errorf("%s: max error %g > 1e-4 × %g", tc.golden, e, m)
		}
	}
}
