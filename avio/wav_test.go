package avio

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const wavDir = "../testdata/avio/wav"

type wavExpect struct {
	Rate       int         `json:"rate"`
	Channels   int         `json:"channels"`
	Bits       int         `json:"bits"`
	Tag        uint16      `json:"tag"`
	SubFormat  uint16      `json:"subformat"`
	Frames     int         `json:"frames"`
	Truncated  bool        `json:"truncated"`
	Numpy      [][]float64 `json:"numpy"`
	Torchaudio [][]float64 `json:"torchaudio"`
	// TorchaudioNote says why torchaudio is no reference for a file.
	TorchaudioNote string `json:"torchaudio_note"`
}

func loadWAVExpect(t *testing.T) map[string]wavExpect {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(wavDir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]wavExpect
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) < 13 {
		t.Fatalf("expected.json has %d fixtures", len(m))
	}
	return m
}

// TestReadWAVFixtures checks every fixture against the values numpy decoded
// (exactly) and torchaudio.load returned.
func TestReadWAVFixtures(t *testing.T) {
	for name, want := range loadWAVExpect(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(wavDir, name)
			a, info, err := ReadWAV(path)
			if err != nil {
				t.Fatal(err)
			}
			if info.SampleRate != want.Rate || a.SampleRate != want.Rate || info.Channels != want.Channels ||
				info.BitsPerSample != want.Bits || info.FormatTag != want.Tag || info.SubFormat != want.SubFormat ||
				info.Frames != want.Frames || info.Truncated != want.Truncated {
				t.Fatalf("info %+v, want %+v", info, want)
			}
			if len(a.Channels) != want.Channels || a.Len() != want.Frames {
				t.Fatalf("got %d channels × %d frames", len(a.Channels), a.Len())
			}
			for c := range want.Numpy {
				for i, w := range want.Numpy[c] {
					if g := a.Channels[c][i]; g != w {
						t.Fatalf("channel %d sample %d = %v, numpy %v", c, i, g, w)
					}
				}
			}
			// torchaudio (sox) returns float32 and converts float files through
			// int32, clipping them to [-1, 1]; within that it agrees to float32
			// precision.
			if want.Torchaudio == nil {
				if want.TorchaudioNote == "" {
					t.Fatal("no torchaudio reference")
				}
				t.Logf("not compared with torchaudio: %s", want.TorchaudioNote)
			}
			clipped := 0
			for c := range want.Torchaudio {
				for i, w := range want.Torchaudio[c] {
					g := a.Channels[c][i]
					if math.Abs(g) > 1 {
						clipped++
						if w != math.Copysign(1, g) && w != -1 {
							t.Errorf("channel %d sample %d: torchaudio %v for out-of-range %v", c, i, w, g)
						}
						continue
					}
					if math.Abs(g-w) > 6e-8 {
						t.Fatalf("channel %d sample %d = %v, torchaudio %v", c, i, g, w)
					}
				}
			}
			if clipped > 0 && name != "float32_stereo.wav" {
				t.Errorf("%d samples out of [-1, 1]", clipped)
			}
			// The fixtures' names tell their sample format; the decoded
			// values of integer formats are finite, as FloatSamples promises.
			if info.FloatSamples() != strings.Contains(name, "float") {
				t.Errorf("FloatSamples %v", info.FloatSamples())
			}
			for _, ch := range a.Channels {
				if !info.FloatSamples() && NonFinite(ch) >= 0 {
					t.Errorf("integer samples decoded to %v", ch[NonFinite(ch)])
				}
			}
			info2, err := ReadWAVInfo(path)
			if err != nil || info2 != info {
				t.Fatalf("ReadWAVInfo = %+v, %v; ReadWAV said %+v", info2, err, info)
			}
		})
	}
}

func TestAudioMonoDuration(t *testing.T) {
	a := &Audio{SampleRate: 4, Channels: [][]float64{{1, 2, 3}, {3, 4, -3}}}
	m := a.Mono()
	if want := []float64{2, 3, 0}; !slices.Equal(m, want) {
		t.Fatalf("Mono = %v, want %v", m, want)
	}
	if a.Len() != 3 || a.Duration() != 0.75 {
		t.Fatalf("Len %d Duration %v", a.Len(), a.Duration())
	}
	one := &Audio{SampleRate: 1, Channels: [][]float64{{5}}}
	m = one.Mono()
	m[0] = 0
	if one.Channels[0][0] != 5 {
		t.Fatal("Mono of one channel aliases the input")
	}
	if (&Audio{}).Len() != 0 || (&Audio{}).Duration() != 0 || len((&Audio{}).Mono()) != 0 {
		t.Fatal("empty audio")
	}
}

// TestWritePCM16MatchesTorchaudio compares the PCM16 conversion with the
// int16 values torchaudio.save wrote for the same floats.
func TestWritePCM16MatchesTorchaudio(t *testing.T) {
	b, err := os.ReadFile("../testdata/avio/pcm16_write.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Input []float64 `json:"input"`
		Int16 []int16   `json:"int16"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Input) != len(ref.Int16) || len(ref.Input) < 20 {
		t.Fatalf("bad reference: %d inputs, %d outputs", len(ref.Input), len(ref.Int16))
	}
	path := filepath.Join(t.TempDir(), "out.wav")
	if err := WriteMonoWAV(path, ref.Input, 16000, PCM16); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Canonical 44-byte header, then the samples.
	if len(raw) != 44+2*len(ref.Input) {
		t.Fatalf("file of %d bytes", len(raw))
	}
	for i, w := range ref.Int16 {
		if g := int16(binary.LittleEndian.Uint16(raw[44+2*i:])); g != w {
			t.Errorf("input %v: wrote %d, torchaudio %d", ref.Input[i], g, w)
		}
	}
	a, info, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Codec != "PCM" || info.BitsPerSample != 16 || info.SampleRate != 16000 || a.Len() != len(ref.Input) {
		t.Fatalf("read back %+v", info)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := &Audio{SampleRate: 22050, Channels: [][]float64{
		{0, 0.25, -1, 32767.0 / 32768, -0.123456789, math.NaN()},
		{1.5, -2, 1e-9, 0.5, -0.5, 0.1},
	}}
	// PCM16: every int16 code read back converts to the same code.
	p := filepath.Join(dir, "a.wav")
	if err := WriteWAV(p, src, PCM16); err != nil {
		t.Fatal(err)
	}
	a, _, err := ReadWAV(p)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{0, 0.25, -1, 32767.0 / 32768, math.Floor(-0.123456789*32768+0.5) / 32768, 0},
		{32767.0 / 32768, -1, 0, 0.5, -0.5, math.Floor(0.1*32768+0.5) / 32768},
	}
	for c := range want {
		if !slices.Equal(a.Channels[c], want[c]) {
			t.Errorf("PCM16 channel %d = %v, want %v", c, a.Channels[c], want[c])
		}
	}
	q := filepath.Join(dir, "b.wav")
	if err := WriteWAV(q, a, PCM16); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(p)
	b2, _ := os.ReadFile(q)
	if !bytes.Equal(b1, b2) {
		t.Error("PCM16 → read → PCM16 changed the bytes")
	}
	// Float32 keeps float32 precision, including values outside [-1, 1].
	f := filepath.Join(dir, "f.wav")
	if err := WriteWAV(f, src, Float32); err != nil {
		t.Fatal(err)
	}
	a, info, err := ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	if info.FormatTag != tagFloat || info.BitsPerSample != 32 || info.Frames != 6 || info.Channels != 2 {
		t.Fatalf("float info %+v", info)
	}
	for c := range src.Channels {
		for i, x := range src.Channels[c] {
			g := a.Channels[c][i]
			if w := float64(float32(x)); g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
				t.Errorf("Float32 [%d][%d] = %v, want %v", c, i, g, w)
			}
		}
	}
	// Nothing but the three outputs is left in the directory (no temp files).
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		t.Errorf("%d files in output dir, want 3", len(ents))
	}
}

func TestWriteWAVErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.wav")
	cases := map[string]*Audio{
		"nil audio":       nil,
		"sample rate 0":   {SampleRate: 0, Channels: [][]float64{{0}}},
		"0 channels":      {SampleRate: 8000},
		"channel 1 has 1": {SampleRate: 8000, Channels: [][]float64{{0, 0}, {0}}},
	}
	for want, a := range cases {
		err := WriteWAV(p, a, PCM16)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err %v", want, err)
		}
	}
	if err := WriteMonoWAV(p, []float64{0}, 8000, Encoding(9)); err == nil || !strings.Contains(err.Error(), "encoding") {
		t.Errorf("bad encoding: %v", err)
	}
	if err := WriteMonoWAV(filepath.Join(dir, "no", "such", "dir.wav"), []float64{0}, 8000, PCM16); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s", p)
	}
}

// wavBytes builds a WAV file from a fmt body and data, for malformed inputs.
func wavBytes(fmtBody, data []byte, extra ...[]byte) []byte {
	var b []byte
	b = append(b, "RIFF\x00\x00\x00\x00WAVE"...)
	b = append(b, "fmt "...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(fmtBody)))
	b = append(b, fmtBody...)
	for _, e := range extra {
		b = append(b, e...)
	}
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func fmtChunk(tag, ch uint16, rate uint32, block, bits uint16) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, ch)
	b = le.AppendUint32(b, rate)
	b = le.AppendUint32(b, rate*uint32(block))
	b = le.AppendUint16(b, block)
	return le.AppendUint16(b, bits)
}

func TestDecodeWAVErrors(t *testing.T) {
	pcm := fmtChunk(1, 1, 8000, 2, 16)
	data := make([]byte, 20)
	ext := append(fmtChunk(0xFFFE, 1, 8000, 2, 16), 22, 0, 16, 0, 1, 0, 0, 0, 1, 0)
	ext = append(ext, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9)
	hugeData := wavBytes(pcm, data)
	binary.LittleEndian.PutUint32(hugeData[len(hugeData)-24:], 0xFFFFFFF0)
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "only 0 bytes"},
		{"text", []byte("hello, this is not audio"), `not a WAV file: starts with "hell"`},
		{"avi", []byte("RIFF\x04\x00\x00\x00AVI "), `form "AVI "`},
		{"rifx", []byte("RIFX\x04\x00\x00\x00WAVE"), "big-endian"},
		{"rf64", []byte("RF64\x04\x00\x00\x00WAVE"), "RF64"},
		{"no fmt", []byte("RIFF\x0c\x00\x00\x00WAVEdata\x00\x00\x00\x00"), "no fmt chunk"},
		{"no data", []byte("RIFF\x1c\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + string(pcm)), "no data chunk"},
		{"short fmt", wavBytes(pcm[:12], data), "fmt chunk of 12 bytes"},
		{"zero channels", wavBytes(fmtChunk(1, 0, 8000, 0, 16), data), "0 channels"},
		{"zero rate", wavBytes(fmtChunk(1, 1, 0, 2, 16), data), "sample rate 0"},
		{"block align", wavBytes(fmtChunk(1, 2, 8000, 2, 16), data), "block align 2 does not match 2 channels × 16 bits"},
		{"mu-law", wavBytes(fmtChunk(7, 1, 8000, 1, 8), data), "μ-law (tag 7) is not supported"},
		{"a-law", wavBytes(fmtChunk(6, 1, 8000, 1, 8), data), "A-law (tag 6) is not supported"},
		{"mp3", wavBytes(fmtChunk(0x55, 1, 8000, 1, 8), data), "MPEG layer 3 (tag 85)"},
		{"pcm12", wavBytes(fmtChunk(1, 1, 8000, 2, 12), data), "PCM with 12 bits"},
		{"float16", wavBytes(fmtChunk(3, 1, 8000, 2, 16), data), "IEEE float with 16 bits"},
		{"short extensible", wavBytes(fmtChunk(0xFFFE, 1, 8000, 2, 16), data), "extensible fmt chunk of 16 bytes"},
		{"bad guid", wavBytes(ext, data), "unknown sub-format GUID"},
		{"fmt beyond end", []byte("RIFF\x1c\x00\x00\x00WAVEfmt \x00\x01\x00\x00" + string(pcm)), "fmt chunk claims 256 bytes but only 16 remain"},
	}
	for _, c := range cases {
		_, _, err := DecodeWAV(bytes.NewReader(c.b), "bad.wav", int64(len(c.b)))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.wav: ") {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
		// The same through a plain reader of unknown size.
		_, _, err2 := DecodeWAV(strings.NewReader(string(c.b)), "bad.wav", -1)
		if err2 == nil || err2.Error() != err.Error() {
			t.Errorf("%s: plain reader: %v vs %v", c.name, err2, err)
		}
	}
	// A data size field of 4 GiB on a 64-byte file reads what is there.
	a, info, err := DecodeWAV(bytes.NewReader(hugeData), "huge.wav", int64(len(hugeData)))
	if err != nil || !info.Truncated || a.Len() != 10 {
		t.Fatalf("huge data field: %v %+v", err, info)
	}
	// A streamed file's unknown size (0xFFFFFFFF) means "to the end".
	streamed := wavBytes(pcm, data)
	binary.LittleEndian.PutUint32(streamed[len(streamed)-24:], 0xFFFFFFFF)
	a, info, err = DecodeWAV(bytes.NewReader(streamed), "pipe.wav", int64(len(streamed)))
	if err != nil || info.Truncated || a.Len() != 10 {
		t.Fatalf("streamed: %v %+v", err, info)
	}
	// ReadWAV names the path for missing files and bad files alike.
	if _, _, err := ReadWAV("no-such.wav"); err == nil || !strings.Contains(err.Error(), "no-such.wav") {
		t.Errorf("missing file: %v", err)
	}
	p := filepath.Join(t.TempDir(), "mulaw.wav")
	os.WriteFile(p, wavBytes(fmtChunk(7, 1, 8000, 1, 8), data), 0o644)
	if _, _, err := ReadWAV(p); err == nil || !strings.Contains(err.Error(), p+": μ-law") {
		t.Errorf("ReadWAV μ-law: %v", err)
	}
	if _, err := ReadWAVInfo(p); err == nil || !strings.Contains(err.Error(), p+": μ-law") {
		t.Errorf("ReadWAVInfo μ-law: %v", err)
	}
	if _, _, err := ReadWAV(t.TempDir()); err == nil {
		t.Error("ReadWAV of a directory succeeded")
	}
}

// TestExtensibleValidBitsZero: wValidBitsPerSample 0 means all bits.
func TestExtensibleValidBitsZero(t *testing.T) {
	f := append(fmtChunk(0xFFFE, 1, 8000, 2, 16), 22, 0, 0, 0, 4, 0, 0, 0, 1, 0)
	f = append(f, guidTail...)
	b := wavBytes(f, []byte{0, 0x40})
	a, info, err := DecodeWAV(bytes.NewReader(b), "v.wav", int64(len(b)))
	if err != nil || info.ValidBits != 16 || info.SubFormat != 1 || a.Channels[0][0] != 0.5 {
		t.Fatalf("%v %+v", err, info)
	}
}

// TestDecodeWAVPartialFrame checks that a trailing partial frame is dropped.
func TestDecodeWAVPartialFrame(t *testing.T) {
	b := wavBytes(fmtChunk(1, 2, 8000, 4, 16), []byte{0, 0x40, 0, 0xC0, 1, 2})
	a, info, err := DecodeWAV(bytes.NewReader(b), "p.wav", int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Frames != 1 || a.Channels[0][0] != 0.5 || a.Channels[1][0] != -0.5 {
		t.Fatalf("%+v %v", info, a.Channels)
	}
}

func TestNonFinite(t *testing.T) {
	for _, tc := range []struct {
		x    []float64
		want int
	}{
		{nil, -1}, {[]float64{0, 1, -1}, -1}, {[]float64{0, math.NaN()}, 1}, {[]float64{math.Inf(-1), math.NaN()}, 0},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, math.NaN(), 10}, 9},
		{[]float64{0, 1, 2, 3, 4, math.Inf(1), math.NaN(), 7, 8}, 5},
		{[]float64{math.MaxFloat64, -math.MaxFloat64, 5e-324, 0, 1, 2, 3, 4, 5}, -1},
	} {
		if got := NonFinite(tc.x); got != tc.want {
			t.Errorf("NonFinite(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

// toPCM16 is floor(x·2^15 + ½) clipped to int16, NaN 0, at the edges of
// every rounding and clipping case.
func TestToPCM16(t *testing.T) {
	ref := func(x float64) int16 {
		if x != x {
			return 0
		}
		return int16(max(math.MinInt16, min(math.MaxInt16, math.Floor(x*32768+0.5))))
	}
	xs := []float64{0, math.Copysign(0, -1), 1, -1, 2, -2, math.Inf(1), math.Inf(-1), math.NaN(), 1e300, -1e300, 5e-324, -5e-324}
	for k := -32770; k <= 32770; k += 1 {
		for _, d := range []float64{-0.5, 0, 0.5} {
			y := (float64(k) + d) / 32768
			xs = append(xs, y, math.Nextafter(y, 2), math.Nextafter(y, -2))
		}
	}
	for _, x := range xs {
		if got, want := toPCM16(x), ref(x); got != want {
			t.Fatalf("toPCM16(%v) = %d, want %d", x, got, want)
		}
	}
}

// TestDecode16 decodes every 16-bit value, at every length up to a few
// steps of the vector loop and from odd addresses, with decode16 (AVX on
// amd64) and decode16Go, and wants v/32768 exactly.
func TestDecode16(t *testing.T) {
	src := make([]byte, 2*65536+1)
	for i := 0; i < 65536; i++ {
		binary.LittleEndian.PutUint16(src[1+2*i:], uint16(i))
	}
	want := func(i int) float64 { return float64(int16(uint16(i))) / 32768 }
	check := func(name string, dst []float64, from int) {
		t.Helper()
		for i, v := range dst {
			if w := want(from + i); v != w {
				t.Fatalf("%s: sample %d = %v, want %v", name, from+i, v, w)
			}
		}
	}
	for _, dec := range []struct {
		name string
		f    func([]float64, []byte)
	}{{"decode16", decode16}, {"decode16Go", decode16Go}} {
		all := make([]float64, 65536)
		dec.f(all, src[1:])
		check(dec.name, all, 0)
		for n := 0; n <= 40; n++ {
			from := 32768 - 17 + 3*n
			dst := make([]float64, n)
			dec.f(dst, src[1+2*from:1+2*(from+n)])
			check(dec.name, dst, from)
		}
	}
}
