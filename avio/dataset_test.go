package avio

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/avlearn/avlearn/dsp"
)

// clipSpec describes a clip folder to build for a test.
type clipSpec struct {
	fps     float64
	split   string
	labels  map[string]string
	frames  int
	rate    int
	seconds float64
}

// makeClip writes a well-formed clip: a ramp of audio and frames whose red
// value is the frame number.
func makeClip(t *testing.T, root, name string, s clipSpec) string {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Join(dir, FramesDir), 0o755); err != nil {
		t.Fatal(err)
	}
	n := int(math.Round(s.seconds * float64(s.rate)))
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i%100) / 200
	}
	if err := WriteMonoWAV(filepath.Join(dir, AudioFile), x, s.rate, Float32); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < s.frames; i++ {
		writeFrame(t, filepath.Join(dir, FramesDir, fmt.Sprintf("%06d.png", i)), uint8(i), 8, 6)
	}
	if err := WriteMeta(filepath.Join(dir, MetaFile), Meta{FPS: s.fps, Split: s.split, Labels: s.labels}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFrame(t *testing.T, path string, red uint8, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{red, uint8(10 * x), uint8(20 * y), 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

var goodSpec = clipSpec{fps: 25, split: "train", labels: map[string]string{"speaker": "s01"}, frames: 10, rate: 8000, seconds: 0.4}

func TestOpenDataset(t *testing.T) {
	root := t.TempDir()
	makeClip(t, root, "b", goodSpec)
	s := goodSpec
	s.split, s.labels = "test", map[string]string{"speaker": "s02", "scene": "room"}
	makeClip(t, root, "a", s)
	// Things that are not clips.
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte("hi"), 0o644)
	os.Mkdir(filepath.Join(root, "empty"), 0o755)
	os.MkdirAll(filepath.Join(root, ".tmp-x", FramesDir), 0o755)
	os.MkdirAll(filepath.Join(root, "_trash", FramesDir), 0o755)

	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Clips) != 2 || d.Clips[0].Name != "a" || d.Clips[1].Name != "b" {
		t.Fatalf("clips %v", d.Clips)
	}
	if got := d.Splits(); !reflect.DeepEqual(got, []string{"test", "train"}) {
		t.Errorf("Splits %v", got)
	}
	if got := d.Split("train"); len(got) != 1 || got[0].Name != "b" {
		t.Errorf("Split(train) %v", got)
	}
	if got := d.Labels("speaker"); !reflect.DeepEqual(got, []string{"s01", "s02"}) {
		t.Errorf("Labels %v", got)
	}
	if got := d.Labels("scene"); !reflect.DeepEqual(got, []string{"room"}) {
		t.Errorf("Labels(scene) %v", got)
	}
	c := d.Clip("b")
	if c == nil || d.Clip("zz") != nil {
		t.Fatal("Clip lookup")
	}
	if c.NumFrames != 10 || c.Duration() != 0.4 {
		t.Errorf("NumFrames %d Duration %v", c.NumFrames, c.Duration())
	}
	// Frame i shows time i/fps.
	for i := 0; i < 10; i++ {
		if c.FrameAt(c.FrameTime(i)) != i || c.FrameAt(c.FrameTime(i)+0.039) != i {
			t.Errorf("FrameAt(FrameTime(%d))", i)
		}
	}
	if c.FrameAt(-1) != 0 || c.FrameAt(100) != 9 {
		t.Error("FrameAt clamps")
	}
	// Frames 3 and 4 show 0.12 s and 0.16 s, inside [0.1, 0.2).
	if got := c.FramesIn(0.1, 0.1); !reflect.DeepEqual(got, []int{3, 4}) {
		t.Errorf("FramesIn(0.1, 0.1) = %v", got)
	}
	if got := c.FramesIn(0.08, 0.08); !reflect.DeepEqual(got, []int{2, 3}) {
		t.Errorf("FramesIn(0.08, 0.08) = %v", got)
	}
	img, err := c.Frame(7)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := img.At(0, 0).RGBA(); r>>8 != 7 {
		t.Errorf("frame 7 has red %d", r>>8)
	}
	all, err := c.Frames()
	if err != nil || len(all) != c.NumFrames {
		t.Fatalf("Frames: %v, %d frames", err, len(all))
	}
	for i, f := range all {
		if r, _, _, _ := f.At(0, 0).RGBA(); int(r>>8) != i {
			t.Errorf("Frames()[%d] has red %d", i, r>>8)
		}
	}
	// Stacked frames: (T, C, H, W), frame 7's red plane second.
	st, err := c.FramesTensor([]int{3, 7}, FrameOptions{})
	if err != nil || len(st) != 2*3*6*8 || st[3*6*8] != float32(7)/255 || st[0] != float32(3)/255 {
		t.Fatalf("FramesTensor: %v, %d values", err, len(st))
	}
	if _, err := c.FramesTensor([]int{3, 10}, FrameOptions{}); err == nil || !strings.Contains(err.Error(), "frame 10") {
		t.Errorf("FramesTensor out of range: %v", err)
	}
	writeFrame(t, c.FramePath(9), 9, 4, 4)
	if _, err := c.FramesTensor([]int{8, 9}, FrameOptions{}); err == nil || !strings.Contains(err.Error(), "another size") {
		t.Errorf("FramesTensor of mixed sizes: %v", err)
	}
	if st, err := c.FramesTensor([]int{8, 9}, FrameOptions{Width: 2, Height: 2}); err != nil || len(st) != 24 {
		t.Errorf("FramesTensor resized: %v %d", err, len(st))
	}
	if _, err := c.Frame(10); err == nil || !strings.Contains(err.Error(), "clip b: frame 10 out of range") {
		t.Errorf("Frame(10): %v", err)
	}
	// Audio at its own rate, resampled, and windows of it.
	x, rate, err := c.AudioNative()
	if err != nil || rate != 8000 || len(x) != 3200 {
		t.Fatalf("AudioNative: %v %d %d", err, rate, len(x))
	}
	y, err := c.Audio(16000)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := dsp.Resample(x, 8000, 16000)
	if !slices.Equal(y, ref) {
		t.Error("Audio(16000) differs from dsp.Resample")
	}
	w, err := c.AudioWindow(0.39, 0.02, 8000)
	if err != nil || len(w) != 160 {
		t.Fatalf("AudioWindow: %v %d", err, len(w))
	}
	if w[0] != x[3120] || w[79] != x[3199] || w[80] != 0 || w[159] != 0 {
		t.Error("AudioWindow past the end is not zero-padded")
	}
	if got := Segment(x, 8000, -0.001, 0.002); got[0] != 0 || got[7] != 0 || got[8] != x[0] {
		t.Errorf("Segment before the start: %v", got)
	}
	if _, err := c.AudioWindow(0, 1, 0); err == nil {
		t.Error("AudioWindow rate 0")
	}
	for _, w := range [][2]float64{{math.NaN(), 1}, {math.Inf(-1), 1}, {0, -1}, {0, math.NaN()}, {0, 1e12}} {
		if _, err := c.AudioWindow(w[0], w[1], 8000); err == nil || !strings.Contains(err.Error(), "window") {
			t.Errorf("AudioWindow(%g, %g): error %v", w[0], w[1], err)
		}
	}
}

// TestExampleDataset opens the committed fixture made by gen_clips.py.
func TestExampleDataset(t *testing.T) {
	d, err := Open("../testdata/avio/clips")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Clips) != 2 {
		t.Fatalf("%d clips", len(d.Clips))
	}
	c := d.Clips[0]
	if c.Meta.FPS != 25 || c.Meta.Split != "train" || c.Meta.Labels["speaker"] != "s01" || c.NumFrames != 5 {
		t.Fatalf("%+v", c)
	}
	if string(c.Meta.Extra["source"]) != `{"generator":"gen_clips.py"}` && !strings.Contains(string(c.Meta.Extra["source"]), "gen_clips.py") {
		t.Errorf("extra key lost: %q", c.Meta.Extra)
	}
	r, err := Check("../testdata/avio/clips", CheckOptions{Decode: true})
	if err != nil || len(r.Problems) != 0 || r.Clips != 2 || r.Frames != 10 {
		t.Fatalf("Check: %v %+v", err, r)
	}
}

func TestMeta(t *testing.T) {
	in := `{"fps": 29.97, "split": "val", "labels": {"speaker": "s03", "caption": "hi"},
		"faces": ["s01", "s07"], "source": {"url": "x"}, "note": 3}`
	var m Meta
	if err := json.Unmarshal([]byte(in), &m); err != nil {
		t.Fatal(err)
	}
	if m.FPS != 29.97 || m.Split != "val" || m.Labels["caption"] != "hi" || !reflect.DeepEqual(m.Faces, []string{"s01", "s07"}) ||
		len(m.Extra) != 2 || string(m.Extra["note"]) != "3" {
		t.Fatalf("%+v", m)
	}
	p := filepath.Join(t.TempDir(), "meta.json")
	if err := WriteMeta(p, m); err != nil {
		t.Fatal(err)
	}
	m2, err := ReadMeta(p)
	if err != nil {
		t.Fatal(err)
	}
	// Extra values round-trip as JSON (indentation may differ).
	var a, b any
	json.Unmarshal(m.Extra["source"], &a)
	json.Unmarshal(m2.Extra["source"], &b)
	if m2.FPS != m.FPS || !reflect.DeepEqual(m2.Labels, m.Labels) || !reflect.DeepEqual(m2.Faces, m.Faces) || !reflect.DeepEqual(a, b) {
		t.Fatalf("round trip %+v", m2)
	}
	bad := map[string]string{
		`{"fps": "25"}`:                  `"fps" is "25"`,
		`{"labels": {"speaker": 3}}`:     `label "speaker" is 3, want a string`,
		`{"labels": ["a"]}`:              `"labels" is ["a"]`,
		`{"faces": "s01"}`:               `"faces" is "s01"`,
		`[1, 2]`:                         `cannot unmarshal array`,
		`null`:                           `null`,
		`{"fps": 25, "split": "train",}`: `invalid character`,
	}
	for js, want := range bad {
		os.WriteFile(p, []byte(js), 0o644)
		if _, err := ReadMeta(p); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err %v, want %q", js, err, want)
		}
	}
	for _, fps := range []float64{0, -1, math.Inf(1)} {
		if err := (Meta{FPS: fps}).Validate(); err == nil {
			t.Errorf("fps %v accepted", fps)
		}
	}
	if err := WriteMeta(p, Meta{FPS: 1, Extra: map[string]json.RawMessage{"fps": json.RawMessage("2")}}); err == nil {
		t.Error("Extra shadowing a known key accepted")
	}
}

// TestCheckProblems builds one broken clip per kind of problem and checks
// that Check names each, and that Open refuses the dataset.
func TestCheckProblems(t *testing.T) {
	root := t.TempDir()
	makeClip(t, root, "good", goodSpec)
	type breaker func(dir string)
	cases := []struct {
		clip   string
		break_ breaker
		want   string
	}{
		{"nometa", func(d string) { os.Remove(filepath.Join(d, MetaFile)) }, "no meta.json"},
		{"badjson", func(d string) { os.WriteFile(filepath.Join(d, MetaFile), []byte("{fps: 25"), 0o644) }, "unreadable meta.json"},
		{"nofps", func(d string) {
			os.WriteFile(filepath.Join(d, MetaFile), []byte(`{"split":"train","labels":{"a":"b"}}`), 0o644)
		}, `"fps" is missing or 0`},
		{"negfps", func(d string) {
			os.WriteFile(filepath.Join(d, MetaFile), []byte(`{"fps":-25,"split":"train","labels":{"a":"b"}}`), 0o644)
		}, `"fps" is -25`},
		{"nolabels", func(d string) { os.WriteFile(filepath.Join(d, MetaFile), []byte(`{"fps":25,"split":"train"}`), 0o644) }, `no "labels"`},
		{"nosplit", func(d string) {
			os.WriteFile(filepath.Join(d, MetaFile), []byte(`{"fps":25,"labels":{"a":"b"}}`), 0o644)
		}, `no "split"`},
		{"noaudio", func(d string) { os.Remove(filepath.Join(d, AudioFile)) }, "no audio.wav"},
		{"badaudio", func(d string) { os.WriteFile(filepath.Join(d, AudioFile), []byte("ID3 this is an mp3"), 0o644) }, "unreadable audio.wav: not a WAV file"},
		{"shortaudio", func(d string) { WriteMonoWAV(filepath.Join(d, AudioFile), make([]float64, 1000), 8000, PCM16) }, "audio is 0.125 s but the 10 frames at 25 fps span 0.400 s"},
		{"truncaudio", func(d string) {
			p := filepath.Join(d, AudioFile)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-3000], 0o644)
		}, "audio.wav is truncated"},
		{"noframesdir", func(d string) { os.RemoveAll(filepath.Join(d, FramesDir)) }, "no frames folder"},
		{"noframes", func(d string) {
			os.RemoveAll(filepath.Join(d, FramesDir))
			os.Mkdir(filepath.Join(d, FramesDir), 0o755)
		}, "no frames (frames/000000.png"},
		{"gap", func(d string) {
			os.Remove(filepath.Join(d, FramesDir, "000003.png"))
			os.Remove(filepath.Join(d, FramesDir, "000005.png"))
			os.Remove(filepath.Join(d, FramesDir, "000006.png"))
		}, "frames missing from the numbering: 000003, 000005–000006"},
		{"nozero", func(d string) { os.Remove(filepath.Join(d, FramesDir, "000000.png")) }, "frames missing from the numbering: 000000 (ffmpeg numbers images from 1 unless given -start_number 0)"},
		{"stray", func(d string) { os.WriteFile(filepath.Join(d, FramesDir, "thumbs.db"), nil, 0o644) }, "not named like 000000.png: thumbs.db"},
		{"mixed", func(d string) {
			os.Rename(filepath.Join(d, FramesDir, "000009.png"), filepath.Join(d, FramesDir, "000009.jpg"))
		}, "frames mix .png with .jpg"},
		{"corrupt", func(d string) { os.WriteFile(filepath.Join(d, FramesDir, "000004.png"), []byte("not a png"), 0o644) }, "1 unreadable frames: 000004.png"},
		{"resized", func(d string) { writeFrame(t, filepath.Join(d, FramesDir, "000002.png"), 2, 4, 4) }, "frame size changes (frame 000000 is 8x6): 000002.png is 4x4"},
		{"huge", func(d string) {
			// A valid PNG header claiming 100000×100000 pixels, no pixel data.
			p := filepath.Join(d, FramesDir, "000001.png")
			b, _ := os.ReadFile(p)
			binary.BigEndian.PutUint32(b[16:], 100000)
			binary.BigEndian.PutUint32(b[20:], 100000)
			binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
			os.WriteFile(p, b[:33], 0o644)
		}, "000001.png (image of 100000×100000 pixels (at most 67108864"},
	}
	for _, c := range cases {
		dir := makeClip(t, root, c.clip, goodSpec)
		c.break_(dir)
	}
	calls := 0
	r, err := Check(root, CheckOptions{Workers: 1, Progress: func(done, total int) {
		calls++
		if done != calls || total != len(cases)+1 {
			t.Errorf("progress %d/%d at call %d", done, total, calls)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != len(cases)+1 {
		t.Errorf("%d progress calls", calls)
	}
	// The report does not depend on the number of workers.
	if r4, _ := Check(root, CheckOptions{Workers: 4}); !reflect.DeepEqual(r, r4) {
		t.Errorf("Workers 1 and 4 differ:\n%+v\n%+v", r, r4)
	}
	by := r.ProblemsByClip()
	if len(by["good"]) != 0 {
		t.Errorf("good clip has problems: %v", by["good"])
	}
	for _, c := range cases {
		found := false
		for _, m := range by[c.clip] {
			if strings.Contains(m, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("clip %s: problems %q, want one containing %q", c.clip, by[c.clip], c.want)
		}
		// Every breakage but a missing split/labels also stops Open on that clip.
		sub := t.TempDir()
		os.Rename(filepath.Join(root, c.clip), filepath.Join(sub, c.clip))
		_, err := Open(sub)
		os.Rename(filepath.Join(sub, c.clip), filepath.Join(root, c.clip))
		strict := c.clip != "nolabels" && c.clip != "nosplit" && c.clip != "shortaudio" &&
			c.clip != "truncaudio" && c.clip != "corrupt" && c.clip != "resized" && c.clip != "badaudio" && c.clip != "huge"
		if strict && (err == nil || !strings.Contains(err.Error(), "clip "+c.clip+": ")) {
			t.Errorf("Open with clip %s: %v", c.clip, err)
		}
	}
	// Decoding the huge frame is refused from its header.
	huge := &Clip{Name: "huge", Dir: filepath.Join(root, "huge"), Meta: Meta{FPS: 25}, NumFrames: 10, frameExt: ".png"}
	if _, err := huge.Frame(1); err == nil || !strings.Contains(err.Error(), "100000×100000") {
		t.Errorf("huge frame: %v", err)
	}
	if r, _ := Check(filepath.Join(root), CheckOptions{Decode: true}); !strings.Contains(fmt.Sprint(r.ProblemsByClip()["huge"]), "100000×100000") {
		t.Errorf("deep check of the huge frame: %v", r.ProblemsByClip()["huge"])
	}
	if r.Clips != len(cases)+1 {
		t.Errorf("%d clips, want %d", r.Clips, len(cases)+1)
	}
	var sb strings.Builder
	r.WriteTo(&sb)
	out := sb.String()
	if testing.Verbose() {
		t.Log("\n" + out)
	}
	for _, want := range []string{"problems:", "  gap: frames missing", "splits:", "audio rates: 8000 Hz (18)", "frame rates: 25 fps (16)", "label speaker: 1 values", "  s01 "} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Many-valued labels are summarised.
	many := &Report{Root: "x", Labels: map[string]map[string]int{"caption": {}}}
	for i := 0; i < 30; i++ {
		many.Labels["caption"][fmt.Sprintf("c%02d", i)] = 1 + i%3
	}
	sb.Reset()
	many.WriteTo(&sb)
	if want := `label caption: 30 values on 60 clips; most common: "c02" (3), "c05" (3), "c08" (3), "c11" (3), "c14" (3)` + "\n"; !strings.Contains(sb.String(), want) {
		t.Errorf("summary:\n%s\nwant %s", sb.String(), want)
	}
	// A deep check also decodes pixel data: a PNG with a valid header and
	// broken pixels passes the header check only.
	root2 := t.TempDir()
	dir := makeClip(t, root2, "x", goodSpec)
	p := filepath.Join(dir, FramesDir, "000001.png")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-20], 0o644)
	if r, _ := Check(root2, CheckOptions{}); len(r.Problems) != 0 {
		t.Errorf("header check: %v", r.Problems)
	}
	if r, _ := Check(root2, CheckOptions{Decode: true}); len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Msg, "000001.png") {
		t.Errorf("deep check: %v", r.Problems)
	}
	if _, err := Check(filepath.Join(root, "missing"), CheckOptions{}); err == nil {
		t.Error("Check of a missing root")
	}
}

func TestLoader(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 11; i++ {
		makeClip(t, root, fmt.Sprintf("c%02d", i), clipSpec{fps: 25, split: "train", labels: map[string]string{"k": "v"}, frames: 2, rate: 100, seconds: 0.08})
	}
	d, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int64
	load := func(c *Clip) (string, error) {
		loads.Add(1)
		if _, err := c.Audio(0); err != nil {
			return "", err
		}
		return c.Name, nil
	}
	collect := func(l *Loader[string], epoch int) ([][]string, error) {
		var out [][]string
		for b, err := range l.Batches(context.Background(), epoch) {
			if err != nil {
				return out, err
			}
			if len(b.Items) != len(b.Clips) {
				t.Fatal("items and clips differ")
			}
			out = append(out, b.Items)
		}
		return out, nil
	}
	// The same batches whatever the number of workers.
	var first [][]string
	for _, workers := range []int{1, 2, 7} {
		l, _ := NewLoader(d.Clips, load, LoaderOptions{BatchSize: 4, Shuffle: true, Seed: 5, Workers: workers})
		got, err := collect(l, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || len(got[2]) != 3 || l.NumBatches() != 3 {
			t.Fatalf("batches %v", got)
		}
		if first == nil {
			first = got
		} else if !reflect.DeepEqual(got, first) {
			t.Fatalf("workers=%d: %v, want %v", workers, got, first)
		}
	}
	l, _ := NewLoader(d.Clips, load, LoaderOptions{BatchSize: 4, Shuffle: true, Seed: 5, DropLast: true, CacheItems: 20})
	e0, _ := collect(l, 0)
	e1, _ := collect(l, 1)
	if len(e0) != 2 || reflect.DeepEqual(e0, e1) {
		t.Errorf("epochs 0 and 1: %v %v", e0, e1)
	}
	// The cache served epoch 1's clips that epoch 0 had loaded.
	loads.Store(0)
	e0again, _ := collect(l, 0)
	if !reflect.DeepEqual(e0, e0again) || loads.Load() != 0 {
		t.Errorf("cached epoch: %v, %d loads", e0again, loads.Load())
	}
	// Unshuffled order is the clip order.
	l, _ = NewLoader(d.Clips, load, LoaderOptions{BatchSize: 5})
	got, _ := collect(l, 0)
	if got[0][0] != "c00" || got[2][0] != "c10" {
		t.Errorf("unshuffled %v", got)
	}

	// A broken clip: stop with an error naming it, or skip it.
	os.WriteFile(filepath.Join(root, "c04", AudioFile), []byte("garbage!garbage!"), 0o644)
	l, _ = NewLoader(d.Clips, load, LoaderOptions{BatchSize: 3, Workers: 2})
	_, err = collect(l, 0)
	var le *LoadError
	if !errors.As(err, &le) || le.Clip != "c04" || !strings.HasPrefix(err.Error(), "clip c04: ") {
		t.Fatalf("stop: %v", err)
	}
	l, _ = NewLoader(d.Clips, load, LoaderOptions{BatchSize: 3, Workers: 2, SkipBad: true})
	got, err = collect(l, 0)
	if err != nil || len(got) != 4 || len(got[1]) != 2 || len(l.Skipped()) != 1 || l.Skipped()[0].Clip != "c04" {
		t.Fatalf("skip: %v %v %v", err, got, l.Skipped())
	}
	collect(l, 1)
	if len(l.Skipped()) != 1 {
		t.Error("a skipped clip is reported twice")
	}

	// Breaking out early and cancelling both return promptly.
	l, _ = NewLoader(d.Clips, load, LoaderOptions{BatchSize: 1, SkipBad: true})
	n := 0
	for range l.Batches(context.Background(), 0) {
		n++
		if n == 2 {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range l.Batches(ctx, 0) {
		if !errors.Is(err, context.Canceled) {
			// A batch may already be done when the loop starts; the next
			// one must see the cancellation.
			continue
		}
		break
	}
	if _, err := NewLoader[string](d.Clips, nil, LoaderOptions{}); err == nil {
		t.Error("nil load accepted")
	}
}
