package speech2face

import (
	"bytes"
	"context"
	"image"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
)

// tinyConfig is a model small enough to train in a test.
func tinyConfig(ids []string) Config {
	c := DefaultConfig()
	c.Identities = ids
	c.FaceSize, c.Embed, c.Width, c.Voice, c.Window = 16, 8, 4, 8, 24
	return c
}

func corpus(t *testing.T, n, speakers int, seed int64) *avio.Dataset {
	t.Helper()
	root := filepath.Join(t.TempDir(), "c")
	if err := synth.Speakers(root, synth.SpeakersOptions{N: n, Speakers: speakers, Seed: seed, Duration: 0.6, Size: 32, FPS: 10}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestConfigValidate(t *testing.T) {
	if err := tinyConfig([]string{"a", "b"}).Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Identities = []string{"a"} }, "identities"},
		{func(c *Config) { c.Identities = []string{"a", "a"} }, "twice"},
		{func(c *Config) { c.FaceSize = 40 }, "face_size"},
		{func(c *Config) { c.NFFT = 500 }, "n_fft"},
		{func(c *Config) { c.WinMS = 100 }, "win_ms"},
		{func(c *Config) { c.HopMS = 0 }, "hop_ms"},
		{func(c *Config) { c.Power = 2 }, "power"},
		{func(c *Config) { c.Lambda2 = math.NaN() }, "lambda2"},
		{func(c *Config) { c.Temperature = 0 }, "temperature"},
	} {
		c := tinyConfig([]string{"a", "b"})
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error naming %s", err, tc.want)
		}
	}
}

// The three stages run end to end on a tiny corpus, each moving only its
// own network; Evaluate fills its table; a saved model draws the same face.
func TestTrainEvaluateSaveLoad(t *testing.T) {
	ds := corpus(t, 40, 20, 3)
	train := ds.Split("train")
	m, err := New(tinyConfig(IdentitiesOf(train)))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data := Data{Train: train, Val: ds.Split("val")}
	for _, s := range Stages {
		before := [][][]float32{snapshot(m.faceParams), snapshot(m.decParams), snapshot(m.voiceParams)}
		rep, err := TrainStage(context.Background(), m, s, data, TrainOptions{Epochs: 1, BatchSize: 8})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Steps == 0 {
			t.Fatalf("%s: no steps", s)
		}
		after := [][][]float32{snapshot(m.faceParams), snapshot(m.decParams), snapshot(m.voiceParams)}
		for k := range before {
			moved := !equal(before[k], after[k])
			if moved != (k == int(s)-1) {
				t.Errorf("stage %s: network %d moved = %v", s, k, moved)
			}
		}
	}
	for _, p := range m.Params() {
		if p.Buffer {
			t.Fatalf("%s is still frozen after training", p.Name)
		}
	}
	met, err := Evaluate(m, ds.Split("test"), EvalOptions{Train: train})
	if err != nil {
		t.Fatal(err)
	}
	tab := met.Table().String()
	for _, w := range []string{"voice → face (model)", "shuffled voices", "true face embedding", "mean face", "chance", "r jaw"} {
		if !strings.Contains(tab, w) {
			t.Errorf("table lacks %q:\n%s", w, tab)
		}
	}
	if met.Speakers < 2 || met.Clips < met.Speakers {
		t.Errorf("%d speakers, %d clips", met.Speakers, met.Clips)
	}
	x, err := ds.Split("test")[0].Audio(16000)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.FaceFromVoice(x)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	b, err := m2.FaceFromVoice(x)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.(*image.RGBA).Pix, b.(*image.RGBA).Pix) {
		t.Error("the loaded model draws another face")
	}
	sheet, err := ContactSheet(m, ds.Split("test"), 8)
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Bounds().Dy() != 3*(32+4)+4 {
		t.Errorf("contact sheet %v", sheet.Bounds())
	}
}

func TestTrainErrors(t *testing.T) {
	ds := corpus(t, 8, 4, 1)
	m, err := New(tinyConfig([]string{"x", "y"}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = TrainStage(context.Background(), m, StageFace, Data{Train: ds.Split("train")}, TrainOptions{Epochs: 1})
	if err == nil || !strings.Contains(err.Error(), "not one of the model's") {
		t.Errorf("unknown speaker: %v", err)
	}
	if _, err := TrainStage(context.Background(), m, StageFace, Data{}, TrainOptions{}); err == nil {
		t.Error("no clips: no error")
	}
	if _, err := ParseStage("ears"); err == nil {
		t.Error("ParseStage(ears): no error")
	}
	if s, err := ParseStage("decoder"); err != nil || s != StageDecoder {
		t.Errorf("ParseStage(decoder) = %v, %v", s, err)
	}
}

// Speech of any length gives a face; NaN samples are refused.
func TestFaceFromVoiceAnyLength(t *testing.T) {
	m, err := New(tinyConfig([]string{"a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, n := range []int{1, 300, m.Config.segment(), 3*m.Config.segment() + 17} {
		x := make([]float64, n)
		for i := range x {
			x[i] = math.Sin(float64(i) / 7)
		}
		img, err := m.FaceFromVoice(x)
		if err != nil {
			t.Fatalf("%d samples: %v", n, err)
		}
		if img.Bounds().Dx() != 16 {
			t.Errorf("%d samples: %v", n, img.Bounds())
		}
	}
	if _, err := m.FaceFromVoice([]float64{0, math.NaN()}); err == nil || !strings.Contains(err.Error(), "sample 1") {
		t.Errorf("NaN: %v", err)
	}
	if _, err := m.FaceFromVoice(nil); err == nil {
		t.Error("no samples: no error")
	}
}

// A VoiceEmbedder's windows cover the whole signal, half overlapping,
// the last ending at the last sample; writing the speech in blocks of any
// size gives the embedding of one write.
func TestVoiceEmbedderWindows(t *testing.T) {
	m, err := New(tinyConfig([]string{"a", "b"}))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n := m.Config.segment()
	step := n / 2
	rng := rand.New(rand.NewSource(1))
	for _, l := range []int{1, n - 1, n, n + 1, 2 * n, 5*n + 3, 40 * n} {
		x := make([]float64, l)
		for i := range x {
			x[i] = 0.1 * rng.NormFloat64()
		}
		want := 1 // windows at 0, step, … while they fit, and one ending at l
		if l > n {
			want = (l-n)/step + 1
			if (l-n)%step != 0 {
				want++
			}
		}
		whole := m.NewVoiceEmbedder()
		if err := whole.Write(x); err != nil {
			t.Fatal(err)
		}
		we, err := whole.Embedding()
		if err != nil {
			t.Fatal(err)
		}
		if whole.count != want {
			t.Errorf("%d samples: %d windows, want %d", l, whole.count, want)
		}
		blocks := m.NewVoiceEmbedder()
		for lo := 0; lo < l; {
			hi := min(l, lo+1+rng.Intn(n+7))
			if err := blocks.Write(x[lo:hi]); err != nil {
				t.Fatal(err)
			}
			lo = hi
		}
		be, err := blocks.Embedding()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(we, be) {
			t.Errorf("%d samples: blocks give %v, one write %v", l, be[:3], we[:3])
		}
		if len(blocks.buf) > 2*n+n+7 {
			t.Errorf("%d samples: %d held", l, len(blocks.buf))
		}
	}
}

func TestSSIM(t *testing.T) {
	const s = 16
	a := make([]float32, 3*s*s)
	b := make([]float32, 3*s*s)
	for i := range a {
		a[i] = float32(i%7) / 7
		b[i] = 1 - a[i]
	}
	if v := SSIM(a, a, s); math.Abs(v-1) > 1e-9 {
		t.Errorf("SSIM(a, a) = %v", v)
	}
	if v := SSIM(a, b, s); v > 0 {
		t.Errorf("SSIM of an image and its negative = %v, want < 0", v)
	}
}

func snapshot(ps []*nets.Param) [][]float32 {
	out := make([][]float32, len(ps))
	for i, p := range ps {
		out[i] = append([]float32(nil), p.Data...)
	}
	return out
}

func equal(a, b [][]float32) bool {
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// A teacher's embeddings (TeacherFile in every training clip) become the
// recogniser's targets: training brings the embeddings closer to them.
func TestTeacherEmbeddings(t *testing.T) {
	ds := corpus(t, 12, 6, 2)
	train := ds.Split("train")
	cfg := tinyConfig(IdentitiesOf(train))
	target := map[string][]float32{}
	for i, id := range cfg.Identities {
		v := make([]float32, cfg.Embed)
		v[i%cfg.Embed] = 2
		target[id] = v
	}
	for i, c := range train {
		if i == 0 {
			continue
		}
		if err := avio.WriteNPY(filepath.Join(c.Dir, TeacherFile), target[c.Meta.Labels["speaker"]], cfg.Embed); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	data := Data{Train: train}
	if _, err := TrainStage(context.Background(), m, StageFace, data, TrainOptions{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "some training clips") {
		t.Fatalf("a clip without the teacher's file: %v", err)
	}
	if err := avio.WriteNPY(filepath.Join(train[0].Dir, TeacherFile), make([]float32, cfg.Embed+1), cfg.Embed+1); err != nil {
		t.Fatal(err)
	}
	if _, err := TrainStage(context.Background(), m, StageFace, data, TrainOptions{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "9 values") {
		t.Fatalf("a file of the wrong size: %v", err)
	}
	if err := avio.WriteNPY(filepath.Join(train[0].Dir, TeacherFile), target[train[0].Meta.Labels["speaker"]], cfg.Embed); err != nil {
		t.Fatal(err)
	}
	dist := func() float64 {
		var d float64
		for _, c := range train {
			f, err := cfg.refFace(c)
			if err != nil {
				t.Fatal(err)
			}
			e, _, err := m.embedAll([][]float32{f})
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range e[0] {
				x := float64(v - target[c.Meta.Labels["speaker"]][i])
				d += x * x
			}
		}
		return d
	}
	before := dist()
	if _, err := TrainStage(context.Background(), m, StageFace, data, TrainOptions{Epochs: 100, BatchSize: 8, LR: 3e-3}); err != nil {
		t.Fatal(err)
	}
	if after := dist(); after > before/4 {
		t.Errorf("squared distance to the teacher's embeddings %.3f before, %.3f after training", before, after)
	}
}

// A corpus without face.png works: each clip's middle frame is its face.
func TestWithoutReferenceFaces(t *testing.T) {
	ds := corpus(t, 16, 8, 4)
	for _, c := range ds.Clips {
		if err := os.Remove(filepath.Join(c.Dir, FaceFile)); err != nil {
			t.Fatal(err)
		}
	}
	train := ds.Split("train")
	m, err := New(tinyConfig(IdentitiesOf(train)))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := Train(context.Background(), m, Data{Train: train, Val: ds.Split("val")}, TrainOptions{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	mid, err := ds.Clips[0].Frame(ds.Clips[0].NumFrames / 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.Config.faceTensor(mid)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Config.refFace(ds.Clips[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("the reference face is not the middle frame")
	}
	if _, err := Evaluate(m, append(ds.Split("test"), ds.Split("val")...), EvalOptions{}); err != nil {
		t.Fatal(err)
	}
}
