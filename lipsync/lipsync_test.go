package lipsync

import (
	"context"
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	for _, tc := range []struct {
		key string
		set func(*Config)
	}{
		{"size", func(c *Config) { c.Size = 48 }},
		{"window", func(c *Config) { c.Window = 0 }},
		{"sync_weight", func(c *Config) { c.SyncWeight = 1 }},
		{"sync_weight", func(c *Config) { c.SyncWeight = math.NaN() }},
		{"f_min/f_max", func(c *Config) { c.FMax = 9000 }},
		{"fps", func(c *Config) { c.FPS = math.NaN() }},
	} {
		c := DefaultConfig()
		tc.set(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("config with a bad %s: error %v, want one naming it", tc.key, err)
		}
	}
}

// tinyConfig is a model small enough to train in a test.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Width, c.Expert, c.Embed, c.ExpertEpochs = 4, 4, 8, 1
	return c
}

func speakersCorpus(t *testing.T, n int, seed int64) *avio.Dataset {
	t.Helper()
	root := filepath.Join(t.TempDir(), "c")
	if err := synth.Speakers(root, synth.SpeakersOptions{N: n, Seed: seed, Duration: 1, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// TestTrainSaveLoad trains a tiny model a few steps (expert, then the
// generator with the expert frozen), saves and loads it, and checks that
// the loaded model makes the same frames, one per 1/25 s of speech.
func TestTrainSaveLoad(t *testing.T) {
	ds := speakersCorpus(t, 8, 3)
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var expert0 []float32
	rep, err := Train(context.Background(), m, Data{Train: ds.Split("train"), Val: ds.Split("val")},
		TrainOptions{Epochs: 1, StepsPerEpoch: 2, BatchSize: 2, ValExamples: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExpertSteps != 2 || rep.Steps != 2 || !m.ExpertTrained() {
		t.Fatalf("report %+v, expert trained %v: want 2 expert and 2 generator steps", rep, m.ExpertTrained())
	}
	for _, p := range m.expertParams {
		if p.Name == "expert_v.0.weight" {
			expert0 = append([]float32(nil), p.Data...)
			if p.Buffer {
				t.Fatal("the expert stays frozen after Train")
			}
		}
	}
	// a second Train leaves the trained expert alone
	if _, err := Train(context.Background(), m, Data{Train: ds.Split("train")}, TrainOptions{Epochs: 1, StepsPerEpoch: 1, BatchSize: 2, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.expertParams {
		if p.Name == "expert_v.0.weight" {
			for i := range p.Data {
				if p.Data[i] != expert0[i] {
					t.Fatal("training the generator changed the frozen expert")
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	clip := ds.Clips[0]
	face, err := clip.Frame(0)
	if err != nil {
		t.Fatal(err)
	}
	x, err := clip.Audio(16000)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.LipFrames([]image.Image{face}, x, 16000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.LipFrames([]image.Image{face}, x, 16000)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 25 || len(b) != 25 {
		t.Fatalf("%d and %d frames for 1 s of speech, want 25", len(a), len(b))
	}
	for i := range a {
		if string(a[i].(*image.RGBA).Pix) != string(b[i].(*image.RGBA).Pix) {
			t.Fatalf("frame %d differs after Save and Load", i)
		}
	}
	if _, err := m.LipFrames(nil, x, 16000); err == nil {
		t.Error("LipFrames without a face: no error")
	}
	x[7] = math.NaN()
	if _, err := m.LipFrames([]image.Image{face}, x, 16000); err == nil || !strings.Contains(err.Error(), "sample 7") {
		t.Errorf("LipFrames with a NaN sample: error %v, want one naming sample 7", err)
	}
}

func TestPingPong(t *testing.T) {
	var got []int
	for i := range 9 {
		got = append(got, pingPong(i, 4))
	}
	want := []int{0, 1, 2, 3, 2, 1, 0, 1, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pingPong over 4 frames: %v, want %v", got, want)
		}
	}
}
