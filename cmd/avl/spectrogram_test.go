package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/spectrogram"
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
	tiny := filepath.Join(dir, "tiny.wav") // 10 samples: shorter than any frame
	if err := avio.WriteMonoWAV(tiny, make([]float64, 10), 16000, avio.PCM16); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"spectrogram", speech, "-o", filepath.Join(dir, "s.jpg")}, 2, `".jpg"`},
		{[]string{"spectrogram", tiny, "-o", filepath.Join(dir, "t.npy")}, 1, "tiny.wav: 10 samples are too short for centred frames with reflect padding of 256; use --pad-mode constant"},
		{[]string{"spectrogram", tiny, "-o", png, "--center=false"}, 1, "tiny.wav: 10 samples are fewer than one frame of --n-fft 512"},
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
		t.Fatalf("got %d Hz, %d channels, %d samples", a.SampleRate, len(a.Channels), a.Len())
	}
	// Each channel is dsp.Resample of the same input channel (checked
	// against torchaudio in package dsp), up to 16-bit rounding: the command
	// must neither mix nor swap channels.
	in, _, err := avio.ReadWAV("../../testdata/spectrogram/stereo44k.wav")
	if err != nil {
		t.Fatal(err)
	}
	for c, ch := range in.Channels {
		want, err := dsp.Resample(ch, in.SampleRate, 16000)
		if err != nil {
			t.Fatal(err)
		}
		var e float64
		for i, w := range want {
			e = max(e, math.Abs(a.Channels[c][i]-max(-1, min(w, 32767.0/32768))))
		}
		if e > 0.5/32768+1e-12 {
			t.Errorf("channel %d: max |out − dsp.Resample| = %g, want ≤ half a 16-bit step", c, e)
		}
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
	// Decibels read without --db (no sidecar) are negative: the error says
	// to pass --db.
	os.Remove(filepath.Join(dir, "s.json"))
	if code, e := avl(t, "griffinlim", spec, "-o", wav, "-q", "--n-fft", "1024", "--hop", "256"); code != 1 || !strings.Contains(e, "s.npy") || !strings.Contains(e, "--db") {
		t.Errorf("dB input without --db: exit %d, %s", code, e)
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

// TestSpectrogramStreamEqualsCompute: the streamed .npy (no --sr, no
// --top-db) and the in-memory one (--top-db) hold the bytes of
// spectrogram.Compute on ReadWAV's mono down-mix, and the sidecars match.
func TestSpectrogramStreamEqualsCompute(t *testing.T) {
	dir := t.TempDir()
	stereo := "../../testdata/spectrogram/stereo44k.wav"
	def := spectrogram.DefaultConfig(16000)
	mel := def
	mel.NMels, mel.DB = 40, true
	mfcc := mel
	mfcc.DB, mfcc.NMFCC = false, 13
	mfccTop := mfcc
	mfccTop.TopDB = 80
	hann := def
	hann.Window, hann.NFFT, hann.WinLength, hann.Hop, hann.Center, hann.Power = "hann", 256, 256, 128, false, 1
	st := spectrogram.DefaultConfig(44100)
	st.NMels, st.MelScale, st.MelNorm = 64, dsp.MelSlaney, dsp.MelNormSlaney
	for _, tc := range []struct {
		in   string
		args []string
		c    spectrogram.Config
	}{
		{speech, nil, def},
		{speech, []string{"--sr", "16000"}, def}, // the file's own rate: no resampling
		{speech, []string{"--mel", "40", "--db"}, mel},
		{speech, []string{"--mel", "40", "--mfcc", "13", "--top-db", "0"}, mfcc},
		{speech, []string{"--mel", "40", "--mfcc", "13"}, mfccTop}, // in memory
		{speech, []string{"--window", "hann", "--n-fft", "256", "--hop", "128", "--center=false", "--power", "1"}, hann},
		{stereo, []string{"--mel", "64", "--mel-scale", "slaney", "--mel-norm", "slaney"}, st},
	} {
		got := filepath.Join(dir, "got.npy")
		if code, e := avl(t, append([]string{"spectrogram", tc.in, "-o", got, "-q"}, tc.args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, e)
		}
		a, _, err := avio.ReadWAV(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		s, err := spectrogram.Compute(a.Mono(), tc.c)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(dir, "want.npy")
		if err := s.WriteNPY(want); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteMeta(filepath.Join(dir, "want.json")); err != nil {
			t.Fatal(err)
		}
		for _, p := range [][2]string{{"want.npy", "got.npy"}, {"want.json", "got.json"}} {
			w, _ := os.ReadFile(filepath.Join(dir, p[0]))
			g, _ := os.ReadFile(filepath.Join(dir, p[1]))
			if len(w) == 0 || !bytes.Equal(w, g) {
				t.Errorf("%s %v: %s differs from Compute's", tc.in, tc.args, p[1])
			}
		}
	}
	// Errors of the streaming path name the input; nothing is left behind.
	short := filepath.Join(dir, "short.wav")
	if err := avio.WriteMonoWAV(short, make([]float64, 100), 16000, avio.PCM16); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "short.npy")
	if code, e := avl(t, "spectrogram", short, "-o", out); code != 1 || !strings.Contains(e, "short.wav") {
		t.Errorf("100 samples: exit %d, %s", code, e)
	}
	if code, e := avl(t, "spectrogram", short, "-o", out, "--center=false"); code != 1 || !strings.Contains(e, "short.wav: 100 samples are fewer than one frame of --n-fft 512; use --center") {
		t.Errorf("100 samples, no centring: exit %d, %s", code, e)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left short.npy")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 5 { // got/want .npy/.json, short.wav
		t.Errorf("%d files in the directory, want 5", len(ents))
	}
}

// writeLongWAV writes n samples of 16-bit mono PCM at rate, sample i being
// pcm(i), straight to disk (a canonical 44-byte header, then the samples).
func writeLongWAV(t *testing.T, path string, n, rate int, pcm func(i int) int16) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	h := []byte("RIFF")
	h = le.AppendUint32(h, uint32(36+2*n))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)
	h = le.AppendUint16(h, 1)
	h = le.AppendUint16(h, 1)
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(2*rate))
	h = le.AppendUint16(h, 2)
	h = le.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(2*n))
	w := bufio.NewWriter(f)
	w.Write(h)
	var b [2]byte
	for i := 0; i < n; i++ {
		le.PutUint16(b[:], uint16(pcm(i)))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// longPCM is a deterministic test signal: a slow chirp plus a hash-driven
// noise floor, so every frame differs.
func longPCM(i int) int16 {
	ts := float64(i) / 16000
	v := 0.4*math.Sin(2*math.Pi*(200+5*ts)*ts) + 0.05*float64(int32(uint32(i)*2654435761)>>16)/32768
	return int16(math.Round(v * 32767))
}

// TestSpectrogramStreamLong runs ten minutes of 16 kHz audio (19 MB of
// PCM16; ReadWAV + Mono + Compute would hold about 340 MB) through the
// streaming path while sampling the heap, then checks the .npy's shape and
// its first and last 100 frames against Compute on a prefix and a suffix.
func TestSpectrogramStreamLong(t *testing.T) {
	if testing.Short() {
		t.Skip("ten minutes of audio")
	}
	const rate, n = 16000, 10 * 60 * 16000
	dir := t.TempDir()
	in, out := filepath.Join(dir, "long.wav"), filepath.Join(dir, "long.npy")
	writeLongWAV(t, in, n, rate, longPCM)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := before.HeapAlloc
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
		}
	}()
	code, e := avl(t, "spectrogram", in, "-o", out)
	close(stop)
	<-sampled
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e)
	}
	if !strings.Contains(e, "spectrogram (seconds) 600/600") {
		t.Errorf("no progress on stderr: %q", e)
	}
	grow := int64(max(peak, after.HeapAlloc)) - int64(before.HeapAlloc)
	t.Logf("heap: peak %.1f MB above the start; %.1f MB allocated in all", float64(grow)/1e6, float64(after.TotalAlloc-before.TotalAlloc)/1e6)
	if grow > 20e6 {
		t.Errorf("the heap grew by %.1f MB for a %.1f MB file", float64(grow)/1e6, float64(2*n)/1e6)
	}

	const bins, frames = 257, 1 + n/160
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hdr := make([]byte, 128)
	if _, err := io.ReadFull(f, hdr); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(hdr, []byte("'shape': (257, 60001)")) || hdr[127] != '\n' {
		t.Fatalf("header %q", hdr)
	}
	if st, _ := f.Stat(); st.Size() != 128+4*bins*frames {
		t.Fatalf("file of %d bytes, want %d", st.Size(), 128+4*bins*frames)
	}
	// frames t0..t0+99 of the file must equal frames s0..s0+99 of Compute
	// on samples [from, to).
	check := func(what string, from, to, t0, s0 int) {
		x := make([]float64, to-from)
		for i := range x {
			x[i] = float64(longPCM(from+i)) / 32768
		}
		s, err := spectrogram.Compute(x, spectrogram.DefaultConfig(rate))
		if err != nil {
			t.Fatal(err)
		}
		row := make([]byte, 4*100)
		for b := 0; b < bins; b++ {
			if _, err := f.ReadAt(row, 128+4*int64(b*frames+t0)); err != nil {
				t.Fatal(err)
			}
			for j := 0; j < 100; j++ {
				g := math.Float32frombits(binary.LittleEndian.Uint32(row[4*j:]))
				if w := s.At(b, s0+j); g != w {
					t.Fatalf("%s: bin %d frame %d = %g, Compute %g", what, b, t0+j, g, w)
				}
			}
		}
	}
	check("start", 0, 200*160, 0, 0)
	// A suffix starting at frame 59801's centre has the same frames from
	// the one whose window lies wholly inside it up to the end.
	check("end", (frames-200)*160, n, frames-100, 100)
}
