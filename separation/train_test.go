package separation

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
	"github.com/avlearn/avlearn/task"
)

var (
	corpusOnce sync.Once
	corpus     *avio.Dataset
	corpusErr  error
	corpusDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

// tinyCorpus writes 12 one-second clips of 6 speakers (32-pixel frames).
func tinyCorpus(t testing.TB) *avio.Dataset {
	t.Helper()
	corpusOnce.Do(func() {
		if corpusDir, corpusErr = os.MkdirTemp("", "separation-test"); corpusErr != nil {
			return
		}
		dir := filepath.Join(corpusDir, "spk")
		if corpusErr = synth.Speakers(dir, synth.SpeakersOptions{N: 12, Speakers: 6, Duration: 1, Size: 32, Seed: 3, ValFrac: 0.01, TestFrac: 0.01}); corpusErr != nil {
			return
		}
		corpus, corpusErr = avio.Open(dir)
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return corpus
}

// Mixtures are the exact sums of the returned sources (and noise), of
// different speakers, with face crops per source.
func TestMixerExact(t *testing.T) {
	ds := tinyCorpus(t)
	for _, spk := range []int{2, 1} {
		c := tinyConfig()
		c.Speakers = spk
		srcs, err := c.loadSources(context.Background(), ds.Clips, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		mx, err := newMixer(c, srcs, c.SegmentFrames())
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewSource(1))
		for i := 0; i < 20; i++ {
			ex := mx.draw(r)
			if len(ex.srcs) != spk || len(ex.mouths) != spk || len(ex.mix) != c.SegmentSamples() {
				t.Fatalf("speakers %d: %d sources, %d faces, %d samples", spk, len(ex.srcs), len(ex.mouths), len(ex.mix))
			}
			if (spk == 1) != (ex.noise != nil) {
				t.Fatalf("speakers %d: noise present = %v", spk, ex.noise != nil)
			}
			for j := range ex.mix {
				sum := 0.0
				for _, s := range ex.srcs {
					sum += s[j]
				}
				if ex.noise != nil {
					sum += ex.noise[j]
				}
				if sum != ex.mix[j] {
					t.Fatalf("sample %d: mixture %g, sum of parts %g", j, ex.mix[j], sum)
				}
			}
			for _, m := range ex.mouths {
				if len(m) != ex.vf*c.MouthW*c.MouthH {
					t.Fatalf("mouth crops of %d values", len(m))
				}
			}
		}
	}
	c := tinyConfig()
	one := []*source{{speaker: "a", frames: 1}, {speaker: "a", frames: 1}}
	if _, err := newMixer(c, one, 5); err == nil {
		t.Fatal("mixing clips of one speaker into two-speaker mixtures was accepted")
	}
}

// A few Adam steps lower the loss on fresh mixtures, for the face-guided
// model with its options and the PIT model, and Evaluate produces
// the table.
func TestTrainLowersLoss(t *testing.T) {
	ds := tinyCorpus(t)
	for _, v := range []struct {
		audioOnly bool
		combs     int
		track     bool
		multi     bool
	}{{false, 0, false, false}, {true, 0, false, false},
		{false, 12, false, false}, {false, 12, true, false}, {false, 12, true, true}} {
		c := tinyConfig()
		c.AudioOnly, c.Combs, c.TrackPitch, c.MultiPitch = v.audioOnly, v.combs, v.track, v.multi
		name := fmt.Sprintf("audio-only=%v combs=%d track-pitch=%v multi-pitch=%v", v.audioOnly, v.combs, v.track, v.multi)
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Train(context.Background(), m, Data{Train: ds.Clips}, TrainOptions{Epochs: 4, StepsPerEpoch: 5, BatchSize: 4, LR: 1e-2})
		if err != nil {
			t.Fatal(err)
		}
		h := rep.History.Epochs
		first, last := h[0].TrainLoss, h[len(h)-1].TrainLoss
		if !(last < 0.8*first) || math.IsNaN(last) {
			t.Fatalf("%s: loss %g → %g", name, first, last)
		}
		if rep.Steps != 20 || rep.TrainSpeakers != 6 {
			t.Fatalf("report %+v", rep)
		}
		met, err := Evaluate(m, ds.Clips, EvalOptions{Mixtures: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(met.Rows) != 4 || met.Rows[3].SISDRi != 0 {
			t.Fatalf("rows %+v", met.Rows)
		}
		if met.Rows[1].SISDRi < 3 {
			t.Fatalf("oracle IRM improves SI-SDR by only %.1f dB", met.Rows[1].SISDRi)
		}
		if met.Rows[2].SISDRi < met.Rows[1].SISDRi {
			t.Fatalf("oracle PSM (%.1f dB) below oracle IRM (%.1f dB)", met.Rows[2].SISDRi, met.Rows[1].SISDRi)
		}
	}
	// The similar-voices condition scores the same systems on its own
	// mixtures.
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	met, err := Evaluate(m, ds.Clips, EvalOptions{Mixtures: 2, Similar: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(met.Rows) != 8 || met.Rows[4].Condition != "similar (≤12 st)" || met.Rows[4].Mixtures != 2 {
		t.Fatalf("rows %+v", met.Rows)
	}
	// the lowest and the highest voice are many semitones apart (typical
	// F0s are quantised, so two other voices may share a value)
	lo, hi := ds.Clips[0], ds.Clips[0]
	f0 := func(c *avio.Clip) float64 { v, _ := strconv.ParseFloat(c.Meta.Labels["f0_hz"], 64); return v }
	for _, c := range ds.Clips {
		if f0(c) < f0(lo) {
			lo = c
		}
		if f0(c) > f0(hi) {
			hi = c
		}
	}
	var apart []*avio.Clip
	for _, c := range ds.Clips {
		if s := c.Meta.Labels["speaker"]; s == lo.Meta.Labels["speaker"] || s == hi.Meta.Labels["speaker"] {
			apart = append(apart, c)
		}
	}
	if _, err := Evaluate(m, apart, EvalOptions{Mixtures: 1, Similar: 1}); err == nil {
		t.Fatalf("no voices within 1 semitone (%s at %s Hz, %s at %s Hz), yet no error", lo.Meta.Labels["speaker"], lo.Meta.Labels["f0_hz"], hi.Meta.Labels["speaker"], hi.Meta.Labels["f0_hz"])
	}
}

func TestTrainCancelled(t *testing.T) {
	ds := tinyCorpus(t)
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, m, Data{Train: ds.Clips}, TrainOptions{Epochs: 1, StepsPerEpoch: 2, BatchSize: 2}); err == nil {
		t.Fatal("cancelled context did not stop training")
	}
}

// With validation clips, every epoch records the SI-SDR improvement on the
// fixed validation mixtures, and it is the figure Evaluate gives for the
// same mixtures (drawn with the training seed + 7919).
func TestTrainScoresValidation(t *testing.T) {
	ds := tinyCorpus(t)
	c := tinyConfig()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	train, val := ds.Clips[:8], ds.Clips[8:]
	rep, err := Train(context.Background(), m, Data{Train: train, Val: val}, TrainOptions{Epochs: 1, StepsPerEpoch: 2, BatchSize: 2, ValExamples: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	h := rep.History
	if h.Score != "SI-SDRi (dB)" || len(h.Epochs) != 1 || math.IsNaN(h.Epochs[0].ValScore) || rep.ValMixtures != 3 {
		t.Fatalf("score %q, epochs %+v, %d val mixtures", h.Score, h.Epochs, rep.ValMixtures)
	}
	met, err := Evaluate(m, val, EvalOptions{Mixtures: 3, Seed: 5 + 7919})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Epochs[0].ValScore, met.Rows[0].SISDRi; math.Abs(got-want) > 1e-9 {
		t.Fatalf("validation score %v, Evaluate on the same mixtures %v", got, want)
	}
}

// The user's page states the default training run; it must be the one
// DefaultTrainOptions gives.
func TestDefaultTrainOptionsDocumented(t *testing.T) {
	d := DefaultTrainOptions()
	sched := d.Schedule
	if sched == "" {
		sched = task.ScheduleConstant
	}
	want := fmt.Sprintf("%d epochs × %d steps × %d mixtures, %s learning rate %g", d.Epochs, d.StepsPerEpoch, d.BatchSize, sched, d.LR)
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(b)), " "), want) {
		t.Fatalf("separation/README.md does not say %q", want)
	}
}

// A face-guided SI-SDR model that stays below plateauScore for
// plateauSteps steps gets fresh weights, at most maxRestarts times; one
// that has left the plateau keeps its weights.
func TestTrainRestartsOnPlateau(t *testing.T) {
	ds := tinyCorpus(t)
	defer func(s int, sc float64) { plateauSteps, plateauScore = s, sc }(plateauSteps, plateauScore)
	plateauSteps = 2
	for _, c := range []struct {
		score float64
		want  int
	}{{math.Inf(1), 2}, {math.Inf(-1), 0}} {
		plateauScore = c.score
		cfg := tinyConfig()
		cfg.Mask, cfg.Loss = MaskReal, LossSISDR
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		rep, err := Train(context.Background(), m, Data{Train: ds.Clips[:8], Val: ds.Clips[8:]},
			TrainOptions{Epochs: 6, StepsPerEpoch: 1, BatchSize: 2, ValExamples: 2, Seed: 5, LR: 1e-9, Progress: &log})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Restarts != c.want || strings.Count(log.String(), "fresh weights") != c.want {
			t.Errorf("plateau score %v: %d restarts, want %d; log:\n%s", c.score, rep.Restarts, c.want, log.String())
		}
	}
}

// The visual auxiliary loss: its targets are standardised loudness, it adds
// about VisualAux to the first step's loss (a fresh read-out predicts
// nothing), and its read-out, drawn last, changes neither the other
// weights nor what the model separates.
func TestVisualAux(t *testing.T) {
	c := tinyConfig()
	x := make([]float64, 4000)
	for i := range x[:2000] {
		x[i] = math.Sin(float64(i))
	}
	act, err := c.loudness(x)
	if err != nil || len(act) != c.STFT().NumFrames(len(x)) || act[10] <= 0 || act[90] >= 0 {
		t.Errorf("loudness of a loud then silent source (%v): %d frames, %v … %v", err, len(act), act[10], act[90])
	}
	silent, err := c.loudness(make([]float64, 4000))
	for _, v := range silent {
		if err != nil || v != 0 {
			t.Fatalf("loudness of silence: %v (%v)", v, err)
		}
	}

	ds := tinyCorpus(t)
	c.Mask, c.Loss = MaskReal, LossSISDR
	var first [2]float64
	var models [2]*Model
	for i, w := range []float64{0, 2} {
		c.VisualAux = w
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		models[i] = m
		rep, err := Train(context.Background(), m, Data{Train: ds.Clips[:8]}, TrainOptions{Epochs: 1, StepsPerEpoch: 1, BatchSize: 2, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		first[i] = rep.History.Epochs[0].TrainLoss
	}
	if d := first[1] - first[0]; !(d > 0.5*2 && d < 3*2) {
		t.Errorf("first-step loss %v with VisualAux 2, %v without: the auxiliary term adds %v, want about 2", first[1], first[0], d)
	}
	a, b := models[0].Params(), models[1].Params()
	if len(b) != len(a)+2 || b[len(b)-2].Name != "face_aux.weight" {
		t.Fatalf("%d params without the read-out, %d with; last %q", len(a), len(b), b[len(b)-2].Name)
	}
	// models[0] and models[1] have trained; draw both afresh
	var fresh [2]*Model
	for i, w := range []float64{0, 2} {
		c.VisualAux = w
		if fresh[i], err = New(c); err != nil {
			t.Fatal(err)
		}
		defer fresh[i].Close()
	}
	for i, p := range fresh[0].Params() {
		q := fresh[1].Params()[i]
		for j := range p.Data {
			if p.Data[j] != q.Data[j] {
				t.Fatalf("%s differs with the read-out: the read-out must be drawn last", p.Name)
			}
		}
	}
}
