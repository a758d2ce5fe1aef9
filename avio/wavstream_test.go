package avio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sameBits reports whether a and b hold the same float64 bit patterns.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// readAllChunks reads every frame of w in blocks of chunk frames, per
// channel and (from a second reader) mono.
func readAllChunks(t testing.TB, w *WAVReader, chunk int) [][]float64 {
	t.Helper()
	nch := w.Info().Channels
	out := make([][]float64, nch)
	buf := make([][]float64, nch)
	for c := range buf {
		buf[c] = make([]float64, chunk)
	}
	for {
		n, err := w.Read(buf)
		if err == io.EOF {
			if n != 0 {
				t.Fatalf("io.EOF with %d frames", n)
			}
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 || n > chunk {
			t.Fatalf("Read returned %d frames for a %d-frame buffer", n, chunk)
		}
		for c := range out {
			out[c] = append(out[c], buf[c][:n]...)
		}
	}
}

func readMonoChunks(t testing.TB, w *WAVReader, chunk int) []float64 {
	t.Helper()
	var out []float64
	buf := make([]float64, chunk)
	for {
		n, err := w.ReadMono(buf)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, buf[:n]...)
	}
}

// TestWAVReaderEqualsReadWAV streams every fixture in blocks of 1, 7 and
// 4096 frames (and one block larger than the reader's buffer) and wants
// ReadWAV's values and Audio.Mono's exactly, and the same WAVInfo.
func TestWAVReaderEqualsReadWAV(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(wavDir, "*.wav"))
	files = append(files, "../testdata/speech.wav", "../testdata/spectrogram/stereo44k.wav")
	if len(files) < 15 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, path := range files {
		a, info, err := ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		mono := a.Mono()
		for _, chunk := range []int{1, 7, 4096, 3 * wavBlockBytes} {
			w, err := OpenWAV(path)
			if err != nil {
				t.Fatal(err)
			}
			if w.Info() != info || w.Remaining() != info.Frames {
				t.Fatalf("%s: Info %+v, ReadWAV %+v", path, w.Info(), info)
			}
			got := readAllChunks(t, w, chunk)
			for c := range a.Channels {
				if !sameBits(got[c], a.Channels[c]) {
					t.Fatalf("%s, chunks of %d: channel %d differs from ReadWAV", path, chunk, c)
				}
			}
			if w.Remaining() != 0 {
				t.Fatalf("%s: %d frames remain after EOF", path, w.Remaining())
			}
			// EOF is sticky.
			one := make([][]float64, info.Channels)
			for c := range one {
				one[c] = make([]float64, 1)
			}
			if n, err := w.Read(one); err != io.EOF || n != 0 {
				t.Fatalf("after EOF: %d, %v", n, err)
			}
			w.Close()

			w, err = OpenWAV(path)
			if err != nil {
				t.Fatal(err)
			}
			if m := readMonoChunks(t, w, chunk); !sameBits(m, mono) {
				t.Fatalf("%s, chunks of %d: ReadMono differs from Audio.Mono", path, chunk)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestWAVReaderErrors: the same header errors as DecodeWAV, naming the
// file; bad Read buffers; a file that shrinks while being read; Close.
func TestWAVReaderErrors(t *testing.T) {
	pcm := fmtChunk(1, 1, 8000, 2, 16)
	for _, b := range [][]byte{
		nil,
		[]byte("RIFX\x04\x00\x00\x00WAVE"),
		wavBytes(fmtChunk(7, 1, 8000, 1, 8), make([]byte, 20)),
		wavBytes(fmtChunk(1, 2, 8000, 2, 16), make([]byte, 20)),
		wavBytes(pcm[:12], make([]byte, 20)),
	} {
		_, _, want := DecodeWAV(bytes.NewReader(b), "bad.wav", int64(len(b)))
		_, err := NewWAVReader(bytes.NewReader(b), "bad.wav", int64(len(b)))
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("NewWAVReader: %v, DecodeWAV: %v", err, want)
		}
	}
	dir := t.TempDir()
	if _, err := OpenWAV(filepath.Join(dir, "missing.wav")); err == nil || !strings.Contains(err.Error(), "missing.wav") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := OpenWAV(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	mu := filepath.Join(dir, "mulaw.wav")
	os.WriteFile(mu, wavBytes(fmtChunk(7, 1, 8000, 1, 8), make([]byte, 20)), 0o644)
	if _, err := OpenWAV(mu); err == nil || !strings.Contains(err.Error(), mu+": μ-law") {
		t.Errorf("μ-law: %v", err)
	}

	// A truncated data chunk (size field 4 GiB) reads the frames present.
	huge := wavBytes(pcm, []byte{0, 0x40, 0, 0xC0, 0, 0x20, 7})
	binary.LittleEndian.PutUint32(huge[40:], 0xFFFFFFF0)
	w, err := NewWAVReader(bytes.NewReader(huge), "huge.wav", int64(len(huge)))
	if err != nil || !w.Info().Truncated || w.Info().Frames != 3 {
		t.Fatalf("truncated: %v %+v", err, w.Info())
	}
	if m := readMonoChunks(t, w, 2); !sameBits(m, []float64{0.5, -0.5, 0.25}) {
		t.Errorf("truncated: %v", m)
	}

	stereo := wavBytes(fmtChunk(1, 2, 8000, 4, 16), make([]byte, 40))
	w, err = NewWAVReader(bytes.NewReader(stereo), "s.wav", int64(len(stereo)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Read([][]float64{make([]float64, 4)}); err == nil || !strings.Contains(err.Error(), "s.wav: Read into 1 channels, the file has 2") {
		t.Errorf("wrong channel count: %v", err)
	}
	if _, err := w.Read([][]float64{make([]float64, 4), make([]float64, 3)}); err == nil || !strings.Contains(err.Error(), "channel 1") {
		t.Errorf("ragged buffers: %v", err)
	}
	// A zero-length buffer reads nothing, without EOF.
	if n, err := w.Read([][]float64{nil, nil}); n != 0 || err != nil {
		t.Errorf("empty buffer: %d, %v", n, err)
	}

	// The file shrinks after the header was read: an error naming it,
	// returned again on the next call.
	short := &shrunk{b: stereo, at: 44 + 8}
	w, err = NewWAVReader(short, "gone.wav", int64(len(stereo)))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]float64, 10)
	n, err := w.ReadMono(buf)
	if err == nil || !strings.Contains(err.Error(), "gone.wav: reading samples") || n != 0 {
		t.Errorf("shrunk file: %d, %v", n, err)
	}
	if _, err2 := w.ReadMono(buf); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("second read after an error: %v", err2)
	}

	// Reads after Close fail instead of touching a closed file.
	p := filepath.Join(dir, "ok.wav")
	os.WriteFile(p, stereo, 0o644)
	w, err = OpenWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadMono(buf); err == nil || !strings.Contains(err.Error(), "after Close") {
		t.Errorf("read after Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// shrunk is a ReaderAt whose bytes end at `at`, though its size was larger.
type shrunk struct {
	b  []byte
	at int64
}

func (s *shrunk) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.at {
		return 0, io.EOF
	}
	n := copy(p, s.b[off:s.at])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// FuzzWAVReader checks that streaming any input in small blocks gives
// exactly what DecodeWAV gives, or the same error, and never panics.
func FuzzWAVReader(f *testing.F) {
	addSeeds(f, filepath.Join(wavDir, "*.wav"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, info, err := DecodeWAV(bytes.NewReader(b), "fuzz.wav", int64(len(b)))
		w, err2 := NewWAVReader(bytes.NewReader(b), "fuzz.wav", int64(len(b)))
		if err != nil || err2 != nil {
			if err == nil || err2 == nil || err.Error() != err2.Error() {
				t.Fatalf("DecodeWAV: %v; NewWAVReader: %v", err, err2)
			}
			return
		}
		if w.Info() != info {
			t.Fatalf("info %+v vs %+v", w.Info(), info)
		}
		got := readAllChunks(t, w, 3)
		for c := range a.Channels {
			if !sameBits(got[c], a.Channels[c]) {
				t.Fatalf("channel %d differs", c)
			}
		}
		w2, _ := NewWAVReader(bytes.NewReader(b), "fuzz.wav", int64(len(b)))
		if !sameBits(readMonoChunks(t, w2, 5), a.Mono()) {
			t.Fatal("mono differs")
		}
		if _, err := w2.ReadMono(make([]float64, 1)); !errors.Is(err, io.EOF) {
			t.Fatalf("after the end: %v", err)
		}
	})
}

// BenchmarkWAVReaderMono streams the input of BenchmarkReadWAV (10 s,
// 16 kHz, 16-bit stereo) as mono in blocks of 4096 frames; the "whole"
// case is ReadWAV followed by Audio.Mono, for comparison.
func BenchmarkWAVReaderMono(b *testing.B) {
	x := make([]float64, 160000)
	for i := range x {
		x[i] = float64(i%200)/200 - 0.5
	}
	path := b.TempDir() + "/bench.wav"
	if err := WriteWAV(path, &Audio{SampleRate: 16000, Channels: [][]float64{x, x}}, PCM16); err != nil {
		b.Fatal(err)
	}
	b.Run("stream", func(b *testing.B) {
		buf := make([]float64, 4096)
		for b.Loop() {
			r, err := OpenWAV(path)
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.ReadMono(buf); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			a, _, err := ReadWAV(path)
			if err != nil {
				b.Fatal(err)
			}
			a.Mono()
		}
	})
}
