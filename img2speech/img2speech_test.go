package img2speech

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
)

// tinyConfig is a model small enough to train in a test.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Codes, c.CodeDim, c.Hidden, c.Segment = 8, 4, 8, 32
	c.ImageSize, c.CapEmbed, c.CapHidden, c.MaxUnits = 16, 4, 8, 6
	c.CapCoords = true // the captioner's attention sees the cells' coordinates
	return c
}

func corpus(t *testing.T, n int, seed int64) *avio.Dataset {
	t.Helper()
	root := filepath.Join(t.TempDir(), "c")
	if err := synth.Captions(root, synth.CaptionsOptions{N: n, Seed: seed, MaxItems: 1, Size: 16, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.NMels = 2 }, "n_mels"},
		{func(c *Config) { c.PreEmphasis = 1 }, "pre_emphasis"},
		{func(c *Config) { c.Stride = 3 }, "stride"},
		{func(c *Config) { c.Codes = 1 }, "codes"},
		{func(c *Config) { c.Beta = math.NaN() }, "beta"},
		{func(c *Config) { c.Segment = 30 }, "segment"},
		{func(c *Config) { c.CapVoices = -1 }, "cap_voices"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v; want one naming %s", err, tc.want)
		}
	}
}

func TestCollapse(t *testing.T) {
	if got := Collapse([]int{3, 3, 7, 7, 7, 3}); !slices.Equal(got, []int{3, 7, 3}) {
		t.Errorf("Collapse: %v", got)
	}
	if got := Collapse(nil); len(got) != 0 {
		t.Errorf("Collapse(nil): %v", got)
	}
}

// TestTrainUnitsSaveLoad trains a tiny autoencoder: the validation loss
// falls, every 40 ms of speech gets a unit, a saved model gives the same
// units, and Evaluate measures them beside the baselines.
func TestTrainUnitsSaveLoad(t *testing.T) {
	ds := corpus(t, 16, 3)
	clips := ds.Clips
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Train(context.Background(), m, Data{Train: clips[:12], Val: clips[12:]}, TrainOptions{Epochs: 6, BatchSize: 8, LR: 3e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.History
	if len(h.Epochs) < 2 || !(h.BestLoss < h.Epochs[0].ValLoss) {
		t.Errorf("validation loss did not fall: %+v", h.Epochs)
	}
	if rep.CodesUsed < 2 {
		t.Errorf("%d codes used", rep.CodesUsed)
	}
	x, err := clips[13].Audio(m.Config.Rate)
	if err != nil {
		t.Fatal(err)
	}
	units, err := m.Units(x)
	if err != nil {
		t.Fatal(err)
	}
	frames := len(x)/160 + 1 // centred 10 ms frames
	if want := (frames + 3) / 4; len(units) != want {
		t.Errorf("%d units for %d frames; want %d", len(units), frames, want)
	}
	// a new captioner of another shape keeps the units
	img := m.Config
	img.ImageSize, img.CapCoords, img.ImageStem, img.Seed = 8, false, true, 2
	other, err := m.WithCaptioner(img)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := other.Units(x); err != nil || !slices.Equal(u, units) || other.Config.ImageSize != 8 || other.Config.CapCoords || !other.Config.ImageStem || other.Config.Codes != m.Config.Codes {
		t.Errorf("WithCaptioner: units %v (%v), config %+v", u, err, other.Config)
	}
	if !slices.ContainsFunc(other.params, func(p *nets.Param) bool { return strings.HasPrefix(p.Name, "img.stem.") }) {
		t.Error("WithCaptioner with ImageStem: the captioner has no stem convolution")
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	units2, err := m2.Units(x)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(units, units2) {
		t.Errorf("units after Load differ:\n%v\n%v", units, units2)
	}
	y, err := m.Speak(units)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(units) * 4 * 160; len(y) < want-400 || len(y) > want+400 {
		t.Errorf("%d samples spoken for %d units; want about %d", len(y), len(units), want)
	}
	if _, err := m.Speak([]int{0, 99}); err == nil || !strings.Contains(err.Error(), "position 1") {
		t.Errorf("unit outside the codebook: %v", err)
	}
	mt, err := Evaluate(m, clips[12:], EvalOptions{Reference: clips[:12], Seed: 1, Resynthesis: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(mt.Systems) != 4 || mt.Frames == 0 {
		t.Fatalf("metrics %+v", mt)
	}
	for _, s := range mt.Systems[:3] {
		if !(s.Purity > 0 && s.Purity <= 1) {
			t.Errorf("%s: purity %v", s.System, s.Purity)
		}
	}
	for _, s := range mt.Systems {
		if !(s.ABX >= 0 && s.ABX <= 1) {
			t.Errorf("%s: ABX error %v", s.System, s.ABX)
		}
	}
	// one unit cannot tell any phones apart: every triplet is a tie
	if abx := mt.Systems[2].ABX; abx != 0.5 {
		t.Errorf("one unit: ABX error %v; want 0.5", abx)
	}
	// one unit scores the share of the most common phone: never more than
	// a finer partition of the same frames
	if one := mt.Systems[2]; one.Purity > mt.Systems[1].Purity || one.Used != 1 {
		t.Errorf("one unit: %+v beside k-means %+v", one, mt.Systems[1])
	}
	if len(mt.Resynthesis) != 3 || mt.ResynthClips != 1 {
		t.Fatalf("resynthesis %+v", mt.Resynthesis)
	}
	for _, r := range mt.Resynthesis {
		if !(r.MelDB > 0 && r.MelDB < 100) {
			t.Errorf("%s: %v dB", r.System, r.MelDB)
		}
	}
	// image → units: the captioner learns on top of the trained units
	ckpt := filepath.Join(t.TempDir(), "ckpt.safetensors")
	crep, err := TrainImage(context.Background(), m, Data{Train: clips[:12], Val: clips[12:]}, TrainOptions{Epochs: 3, BatchSize: 4, LR: 1e-2, Seed: 1, CheckpointPath: ckpt})
	if err != nil {
		t.Fatal(err)
	}
	// a checkpoint of the image stage carries the units' durations
	if c, err := Load(ckpt); err != nil {
		t.Error(err)
	} else if !slices.Equal(c.durations, m.durations) {
		t.Errorf("checkpoint durations %v, want %v", c.durations, m.durations)
	}
	if ce := crep.History.Epochs; len(ce) == 0 || !(crep.History.BestLoss < ce[0].TrainLoss) {
		t.Errorf("captioner loss did not fall: %+v", ce)
	}
	// the judge: a tiny recogniser of the clean speech
	rcfg := DefaultRecogniserConfig(CaptionWords(clips))
	rcfg.Hidden, rcfg.Segment = 8, 64
	judge, err := NewRecogniser(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TrainRecogniser(context.Background(), judge, Data{Train: clips[:12]}, TrainOptions{Epochs: 1, BatchSize: 8, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	im, err := Evaluate(m, clips[12:], EvalOptions{Reference: clips[:12], Seed: 1, Images: true, Judge: judge, Resynthesis: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Images) != 3 || im.Images[2].UnitError != 0 {
		t.Fatalf("image rows %+v", im.Images)
	}
	for _, r := range im.Images {
		w := r.Words
		if !(r.UnitError >= 0) || r.Spoken != 2 || !(w.WordError >= 0) || !(w.Content >= 0 && w.Content <= 1) || !(w.Count >= 0 && w.Count <= 1) || !(w.BLEU4 >= 0 && w.BLEU4 <= 1) {
			t.Errorf("%s: %+v", r.System, r)
		}
	}
	if len(im.Resynthesis) != 4 || !(im.Resynthesis[0].WordError >= 0) || !math.IsNaN(im.Resynthesis[1].WordError) || !(im.Resynthesis[2].WordError >= 0) {
		t.Errorf("resynthesis with a judge: %+v", im.Resynthesis)
	}
	if !strings.Contains(im.ImageTable().String(), "BLEU-4") || !strings.Contains(im.ResynthesisTable().String(), "clean speech") {
		t.Errorf("tables:\n%s%s", im.ImageTable(), im.ResynthesisTable())
	}
	// the units' durations are saved with the model: a loaded one speaks pictures
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	m3, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m3.durations, m.durations) {
		t.Errorf("durations after Load %v; saved %v", m3.durations, m.durations)
	}
	frame, err := clips[12].Frame(0)
	if err != nil {
		t.Fatal(err)
	}
	if y, seq, err := m3.SpeakImage(frame); err != nil {
		t.Errorf("SpeakImage: %v", err)
	} else if len(seq) == 0 || len(y) < len(seq)*640-400 {
		t.Errorf("SpeakImage: %d samples for units %v", len(y), seq)
	}
	if _, _, err := m2.SpeakImage(frame); err == nil || !strings.Contains(err.Error(), "image stage") {
		t.Errorf("a model without the image stage spoke a picture: %v", err)
	}
	if !strings.Contains(mt.Table().String(), "k-means on MFCC") {
		t.Errorf("table:\n%s", mt.Table())
	}
}

func TestCellCoords(t *testing.T) {
	// two pictures of a 2-row, 3-column map: x across, y down, cell centres
	got := cellCoords(2, 2, 3)
	row := []float32{-2.0 / 3, -0.5, 0, -0.5, 2.0 / 3, -0.5, -2.0 / 3, 0.5, 0, 0.5, 2.0 / 3, 0.5}
	if want := append(slices.Clone(row), row...); len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	} else {
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				t.Fatalf("coords %v, want %v", got, want)
			}
		}
	}
}

func TestUntrainedAndBadInput(t *testing.T) {
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Units(make([]float64, 16000)); err == nil || !strings.Contains(err.Error(), "untrained") {
		t.Errorf("untrained model: %v", err)
	}
	if _, err := Train(context.Background(), m, Data{}, TrainOptions{}); err == nil {
		t.Error("no training clips accepted")
	}
}

// TestABX: representations that separate phones score 0, identical ones
// 0.5.
func TestABX(t *testing.T) {
	var segs []phoneSegment
	for i := 0; i < 40; i++ {
		ph, sp := []string{"a", "i"}[i%2], []string{"s1", "s2", "s3"}[i%3]
		v := []float64{1, 0.1}
		if ph == "i" {
			v = []float64{0.1, 1}
		}
		segs = append(segs, phoneSegment{phone: ph, speaker: sp, vec: v})
	}
	if e := abxError(segs, 1); e != 0 {
		t.Errorf("separable phones: ABX error %v", e)
	}
	for i := range segs {
		segs[i].vec = []float64{1, 1}
	}
	if e := abxError(segs, 1); e != 0.5 {
		t.Errorf("identical representations: ABX error %v", e)
	}
}

// TestCaptionerVoices trains a captioner told the voice of each caption:
// it numbers the training speakers, keeps them in the model file, and
// what it predicts depends on the voice.
func TestCaptionerVoices(t *testing.T) {
	ds := corpus(t, 16, 5)
	clips := ds.Clips
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	d := Data{Train: clips[:12], Val: clips[12:]}
	if _, err := Train(context.Background(), m, d, TrainOptions{Epochs: 2, BatchSize: 8, LR: 3e-3, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	var speakers []string
	for _, c := range d.Train {
		if sp := c.Meta.Labels["speaker"]; !slices.Contains(speakers, sp) {
			speakers = append(speakers, sp)
		}
	}
	slices.Sort(speakers)
	if len(speakers) < 2 {
		t.Fatalf("speakers %v; the test needs two", speakers)
	}
	img := m.Config
	img.CapVoices = len(speakers) - 1
	small, err := m.WithCaptioner(img)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TrainImage(context.Background(), small, d, TrainOptions{Epochs: 1, BatchSize: 4, Seed: 1}); err == nil || !strings.Contains(err.Error(), "CapVoices") {
		t.Errorf("more speakers than voices: %v", err)
	}
	img.CapVoices = len(speakers) + 2
	vm, err := m.WithCaptioner(img)
	if err != nil {
		t.Fatal(err)
	}
	o := TrainOptions{Epochs: 2, BatchSize: 4, LR: 1e-2, Seed: 1}
	rep, err := TrainImage(context.Background(), vm, d, o)
	if err != nil {
		t.Fatal(err)
	}
	// rows of no training speaker change nothing: more of them train the
	// same captioner
	img.CapVoices = len(speakers) + 5
	roomy, err := m.WithCaptioner(img)
	if err != nil {
		t.Fatal(err)
	}
	rep2, err := TrainImage(context.Background(), roomy, d, o)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range rep.History.Epochs {
		if e2 := rep2.History.Epochs[i]; e2.TrainLoss != e.TrainLoss || e2.ValLoss != e.ValLoss {
			t.Errorf("epoch %d: losses %v/%v with %d voices, %v/%v with %d", i+1, e.TrainLoss, e.ValLoss, len(speakers)+2, e2.TrainLoss, e2.ValLoss, img.CapVoices)
		}
	}
	if v := vm.Voices(); !slices.Equal(v, speakers) {
		t.Errorf("voices %v; want the training speakers %v", v, speakers)
	}
	// the predictions depend on the voice told
	exs, err := vm.captionExamplesFrom(clips[12:13], [][]int{{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	prog := nets.NewProgram(vm.defineCaption(), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	var logits [2][]float32
	for v := range logits {
		exs[0].voice = v
		pass, err := prog.Run(vm.captionFeeds(exs, false)...)
		if err != nil {
			t.Fatal(err)
		}
		l, _, err := pass.Value("logits")
		if err != nil {
			t.Fatal(err)
		}
		logits[v] = slices.Clone(l)
	}
	if slices.Equal(logits[0], logits[1]) {
		t.Error("the captioner's logits are the same in two voices")
	}
	path := filepath.Join(t.TempDir(), "v.safetensors")
	if err := vm.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Voices(), speakers) {
		t.Errorf("voices after Load %v; want %v", back.Voices(), speakers)
	}
	// a captioner with voices but a file without their names is refused
	nameless := filepath.Join(t.TempDir(), "nameless.safetensors")
	back.voices = nil
	if err := back.Save(nameless); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(nameless); err == nil || !strings.Contains(err.Error(), voicesKey) {
		t.Errorf("a file without the voices' names: %v", err)
	}
	if back, err = Load(path); err != nil {
		t.Fatal(err)
	}
	if err := back.SetVoice("nobody"); err == nil || !strings.Contains(err.Error(), speakers[0]) {
		t.Errorf("SetVoice of an unknown speaker: %v", err)
	}
	if err := back.SetVoice(speakers[1]); err != nil || back.Voices()[0] != speakers[1] {
		t.Errorf("SetVoice(%s): %v, voices %v", speakers[1], err, back.Voices())
	}
	frame, err := clips[12].Frame(0)
	if err != nil {
		t.Fatal(err)
	}
	if _, seq, err := back.SpeakImage(frame); err != nil || len(seq) == 0 {
		t.Errorf("SpeakImage in voice %s: %v, units %v", speakers[1], err, seq)
	}
}

// TestPretrainImage checks that the object pretraining trains the CNN and
// only the CNN, learns the colours at least (a quarter of the classes
// right without the shapes; chance is a twentieth), records what it did
// and refuses a bad count.
func TestPretrainImage(t *testing.T) {
	c := tinyConfig()
	c.ImageStem = true
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]float32{}
	for _, p := range m.params {
		before[p.Name] = slices.Clone(p.Data)
	}
	if _, err := PretrainImage(context.Background(), m, 0, TrainOptions{}); err == nil {
		t.Error("0 pictures: no error")
	}
	rep, err := PretrainImage(context.Background(), m, 640, TrainOptions{Epochs: 8, LR: 1e-2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ValPictures != 64 || rep.Steps != 160 || m.Config.ImagePretrain != 640 {
		t.Errorf("report %+v, ImagePretrain %d; want 64 val pictures, 160 steps, 640", rep, m.Config.ImagePretrain)
	}
	t.Logf("val accuracy %.3f", rep.ValAccuracy)
	if rep.ValAccuracy < 0.25 {
		t.Errorf("val accuracy %.3f; want ≥ 0.25 (the colours)", rep.ValAccuracy)
	}
	for _, p := range m.params {
		changed := !slices.Equal(before[p.Name], p.Data)
		if cnn := strings.HasPrefix(p.Name, "img."); changed != cnn {
			t.Errorf("%s: changed %v", p.Name, changed)
		}
	}
}
