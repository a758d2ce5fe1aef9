package fusion

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
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

// testCorpus is a small sensor corpus shared by the tests.
func testCorpus(t *testing.T) *avio.Dataset {
	t.Helper()
	corpusOnce.Do(func() {
		if corpusDir, corpusErr = os.MkdirTemp("", "fusion-test-"); corpusErr != nil {
			return
		}
		dir := filepath.Join(corpusDir, "c")
		if corpusErr = synth.Sensors(dir, synth.SensorsOptions{N: 720, Seed: 21}); corpusErr == nil {
			corpus, corpusErr = avio.Open(dir)
		}
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	return corpus
}

func trained(t *testing.T, cfg Config) *Model {
	t.Helper()
	ds := testCorpus(t)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Train(context.Background(), m, Data{Train: ds.Split("train"), Val: ds.Split("val")}, TrainOptions{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	return m
}

// On a fresh corpus, gated fusion of the three streams beats the best of
// them alone by far (one stream tells at most three of the nine events
// apart), loses less without a stream than that stream is worth alone,
// and gives a missing stream no weight.
func TestFusionBeatsSingleStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four models")
	}
	ds := testCorpus(t)
	singles := singleStreams(t)
	m := trained(t, DefaultConfig())
	checkBeats(t, m, singles)
	p, err := m.Classify(ds.Split("test")[0], StreamFrames)
	if err != nil {
		t.Fatal(err)
	}
	if p.Weights[StreamFrames] != 0 || math.Abs(p.Weights[StreamAudio]+p.Weights[StreamMotion]-1) > 1e-5 {
		t.Errorf("weights with frames missing: %v", p.Weights)
	}
}

// The shipped model, on a corpus it has not seen, beats the single-stream
// models trained on that corpus by 10 points and degrades gracefully.
func TestPretrained(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three models")
	}
	m, err := Pretrained()
	if err != nil {
		t.Fatal(err)
	}
	checkBeats(t, m, singleStreams(t))
}

var (
	singlesOnce sync.Once
	singles     []*Model
)

// singleStreams are one model per stream, trained on the test corpus.
func singleStreams(t *testing.T) []*Model {
	singlesOnce.Do(func() {
		for _, s := range AllStreams {
			cfg := DefaultConfig()
			cfg.Streams, cfg.Fusion = []Stream{s}, BlockEarly
			singles = append(singles, trained(t, cfg))
		}
	})
	if len(singles) != len(AllStreams) {
		t.Fatal("single-stream models failed to train")
	}
	return singles
}

// checkBeats checks that m beats every single-stream model by 10 points
// on the test split, and that losing a stream costs it less than that
// stream alone is worth above chance.
func checkBeats(t *testing.T, m *Model, singles []*Model) {
	t.Helper()
	ds := testCorpus(t)
	met, err := Evaluate(m, ds.Split("test"), EvalOptions{Baselines: singles, Corruptions: []Corruption{Missing}})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + met.Table().String() + met.Summary())
	fused, _ := met.Accuracy(m.Name(), AllStreamsCondition)
	best := 0.0
	chance := 1.0 / 9
	for _, s := range singles {
		a, _ := met.Accuracy(s.Name(), AllStreamsCondition)
		best = math.Max(best, a)
		lost, _ := met.Accuracy(m.Name(), Condition(s.Config.Streams[0], Missing))
		if fused-lost >= a-chance {
			t.Errorf("without %s: %.3f, losing more than %s alone is above chance (%.3f)", s.Config.Streams[0], lost, s.Name(), a-chance)
		}
	}
	if fused < best+0.10 {
		t.Errorf("fusion %.3f, best single stream %.3f: want 10 points more", fused, best)
	}
}

// Every block trains a little, saves and loads to the same predictions,
// and Evaluate covers every condition.
func TestBlocksSaveLoad(t *testing.T) {
	ds := testCorpus(t)
	clip := ds.Split("test")[0]
	for _, b := range Blocks {
		t.Run(string(b), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Fusion, cfg.Hidden = b, 16
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Classify(clip); err == nil {
				t.Fatal("an untrained model classified")
			}
			if _, err := Train(context.Background(), m, Data{Train: ds.Split("train")[:60]}, TrainOptions{Epochs: 2}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "m.safetensors")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			l, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			p1, err := m.Classify(clip, StreamMotion)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := l.Classify(clip, StreamMotion)
			if err != nil {
				t.Fatal(err)
			}
			for i := range p1.Probs {
				if p1.Probs[i] != p2.Probs[i] {
					t.Fatalf("loaded model: %v, saved %v", p2.Probs, p1.Probs)
				}
			}
			met, err := Evaluate(l, ds.Split("test")[:20], EvalOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(met.Rows) != 10 || len(met.Table().Rows) != 1 {
				t.Fatalf("%d results, %d table rows; want 10 and 1", len(met.Rows), len(met.Table().Rows))
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Streams = nil }, "streams"},
		{func(c *Config) { c.Streams = []Stream{"sonar"} }, "sonar"},
		{func(c *Config) { c.Streams = []Stream{StreamMotion, StreamAudio} }, "order"},
		{func(c *Config) { c.Fusion = "max" }, "fusion"},
		{func(c *Config) { c.Classes = []string{"a", "a"} }, "twice"},
		{func(c *Config) { c.NFFT = 500 }, "n_fft"},
		{func(c *Config) { c.DropStream = 1 }, "drop_stream"},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to name %q", err, c.want)
		}
	}
	ds := testCorpus(t)
	m, _ := New(DefaultConfig())
	other := DefaultConfig()
	other.Classes = []string{"x", "y"}
	o, _ := New(other)
	if _, err := Evaluate(m, ds.Split("test")[:2], EvalOptions{Baselines: []*Model{o}}); err == nil {
		t.Error("models of different classes compared")
	}
	if _, err := m.Classify(ds.Split("test")[0], "sonar"); err == nil {
		t.Error("unknown stream accepted")
	}
	if _, err := m.Classify(ds.Split("test")[0], AllStreams...); err == nil {
		t.Error("a clip with every stream missing classified")
	}
}

// Features have the sizes the encoders expect and stay finite for a dead
// sensor and for frames whose size the grid does not divide; a flash is
// seen as the frame's peak above its median.
func TestFeatures(t *testing.T) {
	c := DefaultConfig()
	d := &clipData{name: "x", audio: make([]float64, 16000), motion: make([]float64, 200), fw: 7, fh: 5}
	for i := 0; i < 10; i++ {
		f := make([]float32, 35)
		for p := range f {
			f[p] = 0.5
			if i == 4 {
				f[p] = 0.9
			}
		}
		d.frames = append(d.frames, f)
	}
	for _, s := range AllStreams {
		f, err := c.features(d, s)
		if err != nil || len(f) != c.dim(s) {
			t.Fatalf("%s: %d features (%v), want %d", s, len(f), err, c.dim(s))
		}
		for i, v := range f {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("%s: feature %d is %v", s, i, v)
			}
		}
		if s == StreamFrames {
			if peak := f[2*c.Grid*c.Grid]; math.Abs(float64(peak)-0.4) > 1e-6 {
				t.Errorf("flash peak %v, want 0.4", peak)
			}
		}
	}
}

// The gradients of every block's whole network, with a stream missing in
// some examples, match central differences of its loss.
func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, b := range Blocks {
		cfg := DefaultConfig()
		cfg.Fusion, cfg.Hidden, cfg.Attn = b, 6, 5
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var exs []*example
		for i := 0; i < 4; i++ {
			ex := &example{class: i * 2}
			for _, s := range cfg.Streams {
				x := make([]float32, cfg.dim(s))
				for j := range x {
					x[j] = float32(rng.NormFloat64())
				}
				ex.x = append(ex.x, x)
			}
			exs = append(exs, ex)
		}
		mask := []float32{1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0}
		train := nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Train})
		eval := nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Eval})
		if _, err := train.Run(m.feeds(exs, mask, true)...); err != nil {
			t.Fatal(err)
		}
		loss := func() float64 {
			p, err := eval.Run(m.feeds(exs, mask, true)...)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := p.Loss()
			return l
		}
		for _, p := range nets.Learnable(m.Params()) {
			for _, i := range []int{0, len(p.Data) / 2, len(p.Data) - 1} {
				old := p.Data[i]
				p.Data[i] = old + 1e-3
				hi := loss()
				p.Data[i] = old - 1e-3
				lo := loss()
				p.Data[i] = old
				fd := (hi - lo) / 2e-3
				if math.Abs(fd-float64(p.Grad[i])) > 2e-3+2e-2*math.Abs(fd) {
					t.Errorf("%s: gradient of %s[%d] = %v, finite differences %v", b, p.Name, i, p.Grad[i], fd)
				}
			}
		}
		train.Close()
		eval.Close()
	}
}
