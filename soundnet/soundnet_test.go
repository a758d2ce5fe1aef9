package soundnet

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// TestFullTableShapes builds the paper-size SoundNet-8 and checks every
// layer's shape for a 20 s input against the table's arithmetic.
func TestFullTableShapes(t *testing.T) {
	m, err := New(PaperConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	want := map[string][2]int{ // channels, steps for 441,000 samples
		"conv1": {16, 220501}, "pool1": {16, 27562}, "conv2": {32, 13782}, "pool2": {32, 1722},
		"conv3": {64, 862}, "conv4": {128, 432}, "conv5": {256, 217}, "pool5": {256, 54},
		"conv6": {512, 28}, "conv7": {1024, 15}, "conv8_objs": {1000, 4}, "conv8_scns": {401, 4}, "conv8": {1401, 4},
	}
	n := 20 * Rate
	ls := Lengths(n)
	for name, w := range want {
		if ls[name] != w[1] {
			t.Errorf("Lengths(%d)[%s] = %d, want %d", n, name, ls[name], w[1])
		}
	}
	rng := rand.New(rand.NewSource(1))
	wave := make([]float64, n)
	for i := range wave {
		wave[i] = 0.1 * rng.NormFloat64()
	}
	x, _, err := prepare(wave)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := m.run(x, 1, n, Layers)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		f := fs[name][0]
		if f.Channels != w[0] || f.Steps != w[1] || len(f.Data) != w[0]*w[1] {
			t.Errorf("%s: %d×%d (%d values), want %d×%d", name, f.Channels, f.Steps, len(f.Data), w[0], w[1])
		}
	}
	shapes := map[string][]int{}
	for _, p := range m.Params() {
		shapes[p.Name] = p.Shape
	}
	for name, s := range map[string][]int{
		"conv1.weight": {16, 1, 64}, "conv1.bias": {16}, "bn1.running_mean": {16}, "bn1.num_batches_tracked": {},
		"conv5.weight": {256, 128, 4}, "conv7.weight": {1024, 512, 4}, "bn7.running_var": {1024},
		"conv8_objs.weight": {1000, 1024, 8}, "conv8_scns.weight": {401, 1024, 8}, "conv8_scns.bias": {401},
	} {
		if !slices.Equal(shapes[name], s) {
			t.Errorf("param %s shape %v, want %v", name, shapes[name], s)
		}
	}
	if len(m.Params()) != 7*7+4 {
		t.Errorf("%d params, want %d", len(m.Params()), 7*7+4)
	}
}

func TestReceptiveField(t *testing.T) {
	n := MinSamples()
	if n != 209374 {
		t.Errorf("MinSamples = %d, want 209374", n)
	}
	if Lengths(n)["conv8"] != 1 || Lengths(n - 1)["conv8"] != 0 {
		t.Errorf("conv8 length %d at %d samples, %d at %d", Lengths(n)["conv8"], n, Lengths(n - 1)["conv8"], n-1)
	}
	a0, b0 := StepSpan(0)
	a1, b1 := StepSpan(1)
	if a1-a0 != StepStride || b1-b0 != StepStride {
		t.Errorf("step spans [%d,%d] and [%d,%d] are not %d apart", a0, b0, a1, b1, StepStride)
	}
	// The last sample step 0 needs lies inside the shortest input: one more
	// conv8 step appears exactly StepStride samples later.
	if Lengths(n + StepStride)["conv8"] != 2 || Lengths(n + StepStride - 1)["conv8"] != 1 {
		t.Errorf("second step should appear at %d samples", n+StepStride)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{Width: 0, Objects: 2, Scenes: 2, Window: 6},
		{Width: 1, Objects: 0, Scenes: 2, Window: 6},
		{Width: 1, Objects: 2, Scenes: 2, Window: 5},
		{Width: 1, Objects: 2, Scenes: 2, Window: 6, ObjectNames: []string{"a"}},
		{Width: 1, Objects: 2, Scenes: 2, Window: 10, Shift: 6},
		{Width: 1, Objects: 2, Scenes: 2, Window: 10, Shift: -1},
		{Width: 1, Objects: 2, Scenes: 2, Window: 10, Gain: 41},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	for _, c := range []Config{DefaultConfig(), PaperConfig()} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestAugment checks that a training excerpt reaches the network shifted
// circularly by at most Shift seconds and scaled by at most ±Gain dB.
func TestAugment(t *testing.T) {
	cfg := tinyConfig()
	cfg.Shift, cfg.Gain = 0.01, 6
	k := &distillTask{m: &Model{Config: cfg}, rng: rand.New(rand.NewSource(1))}
	x := make([]float32, 1000)
	x[500] = 1
	dst := make([]float32, len(x))
	moved := false
	for range 50 {
		k.augment(dst, x)
		peak := 0
		for i, v := range dst {
			if v != 0 {
				peak = i
			}
		}
		g := float64(dst[peak])
		if d := peak - 500; d < -221 || d > 221 || g < 0.5 || g > 2 {
			t.Fatalf("impulse moved by %d samples, gain %v", d, g)
		}
		moved = moved || peak != 500
	}
	if !moved {
		t.Error("no shift in 50 draws")
	}
	cfg.Shift, cfg.Gain = 0, 0
	k.m.Config = cfg
	k.augment(dst, x)
	if dst[500] != 1 {
		t.Error("without augmentation the excerpt changed")
	}
}

// tinyConfig trains in seconds.
func tinyConfig() Config {
	return Config{Width: 0.125, Objects: 3, Scenes: 2, Window: 9.5, Seed: 3}
}

// makeCorpus writes n clips of 9.50 s with one frame per second: scene
// 0 clips hum at 150 Hz, scene 1 clips whistle at 3 kHz; the NPY teacher
// files say so (scene 0 → [0.9, 0.1], objects depend on scene too).
func makeCorpus(t *testing.T, dir string, n int) []*avio.Clip {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	samples := MinSamples()
	for i := 0; i < n; i++ {
		scene := i % 2
		cd := filepath.Join(dir, fmt.Sprintf("clip%02d", i))
		if err := os.MkdirAll(filepath.Join(cd, "frames"), 0o755); err != nil {
			t.Fatal(err)
		}
		f0 := []float64{150, 3000}[scene]
		x := make([]float64, samples)
		for j := range x {
			x[j] = 0.3*math.Sin(2*math.Pi*f0*float64(j)/Rate) + 0.02*rng.NormFloat64()
		}
		if err := avio.WriteMonoWAV(filepath.Join(cd, "audio.wav"), x, Rate, avio.PCM16); err != nil {
			t.Fatal(err)
		}
		frames := 10
		for k := 0; k < frames; k++ {
			img := image.NewRGBA(image.Rect(0, 0, 16, 16))
			for p := range img.Pix {
				img.Pix[p] = uint8(40 + 160*scene)
				if p%4 == 3 {
					img.Pix[p] = 255 // opaque
				}
			}
			img.Set(k, k, color.RGBA{255, 0, 0, 255})
			f, err := os.Create(filepath.Join(cd, "frames", fmt.Sprintf("%06d.png", k)))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, img); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		sc := []float32{0.9, 0.1}
		ob := []float32{0.7, 0.2, 0.1}
		if scene == 1 {
			sc, ob = []float32{0.1, 0.9}, []float32{0.1, 0.1, 0.8}
		}
		var so, oo []float32
		for k := 0; k < frames; k++ {
			so, oo = append(so, sc...), append(oo, ob...)
		}
		if err := avio.WriteNPY(filepath.Join(cd, TeacherScenesFile), so, frames, 2); err != nil {
			t.Fatal(err)
		}
		if err := avio.WriteNPY(filepath.Join(cd, TeacherObjectsFile), oo, frames, 3); err != nil {
			t.Fatal(err)
		}
		split := "train"
		if i >= n-4 {
			split = "test"
		}
		m := avio.Meta{FPS: 1, Split: split, Labels: map[string]string{"scene": []string{"hum", "whistle"}[scene], "object": "x"}}
		if err := avio.WriteMeta(filepath.Join(cd, "meta.json"), m); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := avio.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ds.Clips
}

func TestDistillLowersKL(t *testing.T) {
	clips := makeCorpus(t, t.TempDir(), 8)
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	teacher := NewNPYTeacher(3, 2)
	before, err := Evaluate(m, clips, teacher)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Train(context.Background(), m, Data{Train: clips, Teacher: teacher}, TrainOptions{Epochs: 16, BatchSize: 2, LR: 3e-3})
	if err != nil {
		t.Fatal(err)
	}
	after, err := Evaluate(m, clips, teacher)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before:\n%v\nafter:\n%v\nloss per epoch: %v", before, after, rep.History.Epochs)
	if rep.TrainWindows != 8 || rep.Conv8Steps != 1 || rep.Steps != 16*4 {
		t.Errorf("%d windows of %d steps, %d optimiser steps, want 8 of 1, 64", rep.TrainWindows, rep.Conv8Steps, rep.Steps)
	}
	if !(after.ObjectKL+after.SceneKL < 0.5*(before.ObjectKL+before.SceneKL)) {
		t.Errorf("KL %.4f → %.4f: distillation did not halve it", before.ObjectKL+before.SceneKL, after.ObjectKL+after.SceneKL)
	}
	if after.SceneTop1 != 1 {
		t.Errorf("scene top-1 agreement %.2f after training on the same clips, want 1", after.SceneTop1)
	}
}

func TestFeaturesDeterministicAndSaveLoad(t *testing.T) {
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	rng := rand.New(rand.NewSource(2))
	wave := make([]float64, 3*Rate) // shorter than MinSamples: padded
	for i := range wave {
		wave[i] = 0.2 * rng.NormFloat64()
	}
	a, err := m.Features(wave, "pool5")
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Features(wave, "pool5")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Data, b.Data) {
		t.Error("two Features calls differ")
	}
	if a.Padded != MinSamples()-len(wave) || a.Steps != Lengths(MinSamples())["pool5"] || a.Channels != 32 {
		t.Errorf("pool5 %d×%d padded %d", a.Channels, a.Steps, a.Padded)
	}
	// Make the BatchNorm statistics non-trivial so that Save/Load must keep them.
	for _, p := range m.Params() {
		if p.Name == "bn5.running_mean" || p.Name == "bn5.running_var" {
			for i := range p.Data {
				p.Data[i] = 0.5 + float32(i%3)
			}
		}
	}
	c, err := m.Features(wave, "pool5")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Data, c.Data) {
		t.Error("changing bn5 running statistics did not change pool5")
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
	d, err := m2.Features(wave, "pool5")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Data, d.Data) {
		t.Error("features differ after Save/Load")
	}
	if m2.Config.Width != m.Config.Width || m2.Config.Objects != 3 {
		t.Errorf("loaded config %+v", m2.Config)
	}
	// A different seed gives different weights, hence features.
	cfg := tinyConfig()
	cfg.Seed++
	m3, _ := New(cfg)
	defer m3.Close()
	e, err := m3.Features(wave, "pool5")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Data, e.Data) {
		t.Error("seed does not change the weights")
	}
}

func TestFeaturesErrors(t *testing.T) {
	m, _ := New(tinyConfig())
	defer m.Close()
	if _, err := m.Features(make([]float64, 100), "pool9"); err == nil {
		t.Error("unknown layer accepted")
	}
	if _, err := m.Features(nil, "pool5"); err == nil {
		t.Error("empty wave accepted")
	}
	if _, err := m.Features([]float64{math.NaN()}, "pool5"); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file loaded")
	}
}

// TestFeatureStream: a signal given in uneven blocks gives the feature map
// of the whole signal, windows and padding counted alike, for a signal of
// two full windows and a short one.
func TestFeatureStream(t *testing.T) {
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	r := rand.New(rand.NewSource(3))
	x := make([]float64, 2*MaxSamples+MinSamples()/3)
	for i := range x {
		x[i] = 0.1 * r.NormFloat64()
	}
	// The reference: each window on its own, joined along time here.
	want := &FeatureMap{}
	var parts []*FeatureMap
	for start := 0; start < len(x); start += MaxSamples {
		f, err := m.Features(x[start:min(len(x), start+MaxSamples)], "pool5")
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, f)
		want.Channels, want.Steps, want.Padded = f.Channels, want.Steps+f.Steps, want.Padded+f.Padded
	}
	for c := 0; c < want.Channels; c++ {
		for _, f := range parts {
			want.Data = append(want.Data, f.Data[c*f.Steps:(c+1)*f.Steps]...)
		}
	}
	s, err := m.NewFeatureStream("pool5")
	if err != nil {
		t.Fatal(err)
	}
	for rest := x; len(rest) > 0; {
		n := min(len(rest), 1+r.Intn(MaxSamples/2))
		if err := s.Write(rest[:n]); err != nil {
			t.Fatal(err)
		}
		rest = rest[n:]
	}
	got, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.Windows != 3 || got.Padded != want.Padded || got.Padded == 0 || got.Steps != want.Steps || got.Channels != want.Channels {
		t.Fatalf("stream: %d windows, %d padded, %d×%d; windows one by one: %d padded, %d×%d",
			got.Windows, got.Padded, got.Channels, got.Steps, want.Padded, want.Channels, want.Steps)
	}
	if !slices.Equal(got.Data, want.Data) {
		t.Fatal("streamed features differ from the whole signal's")
	}
	if err := s.Write(x[:10]); err == nil {
		t.Error("Write after Close accepted")
	}
	if _, err := s.Close(); err == nil {
		t.Error("second Close accepted")
	}
}

// TestTrainReadsAudioPastMemory: a corpus whose windows do not fit
// windowMemory is read from disk batch by batch, with the same losses and
// agreement as when every window is held.
func TestTrainReadsAudioPastMemory(t *testing.T) {
	defer func(v int) { windowMemory = v }(windowMemory)
	clips := makeCorpus(t, t.TempDir(), 6)
	teacher := NewNPYTeacher(3, 2)
	run := func(budget int) ([]float64, Metrics) {
		windowMemory = budget
		cfg := tinyConfig()
		cfg.Shift, cfg.Gain = 0.01, 3 // the augmentation draws must line up too
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		rep, err := Train(context.Background(), m, Data{Train: clips[:4], Val: clips[4:], Teacher: teacher}, TrainOptions{Epochs: 2, BatchSize: 2, LR: 3e-3})
		if err != nil {
			t.Fatal(err)
		}
		a, err := Evaluate(m, clips[4:], teacher)
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		for _, e := range rep.History.Epochs {
			losses = append(losses, e.TrainLoss, e.ValLoss, e.GradNorm)
		}
		return losses, a
	}
	heldE, heldA := run(1 << 30)
	readE, readA := run(0)
	if len(heldE) != 6 || !slices.Equal(heldE, readE) || heldA != readA {
		t.Errorf("held: %+v %+v\nread: %+v %+v", heldE, heldA, readE, readA)
	}
	w, err := allWindows(context.Background(), clips, teacher, MinSamples(), nil)
	if err != nil || w[0].audio != nil {
		t.Errorf("with no memory the windows still hold audio (err %v)", err)
	}
}
