package separation

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/synth"
)

// source is one clip loaded for mixing: its voice and its mouth crops.
type source struct {
	name, speaker string
	audio         []float64 // at Config.Rate
	mouths        []float32 // [frames, MouthH·MouthW]
	frames        int
}

// loadSources reads the audio and mouth crops of clips. Every clip needs a
// "speaker" label and the model's frame rate.
func (c Config) loadSources(ctx context.Context, clips []*avio.Clip, w io.Writer, label string) ([]*source, error) {
	bar := progress.New(w, label, len(clips))
	defer bar.Done()
	out := make([]*source, 0, len(clips))
	px := c.MouthH * c.MouthW
	for _, cl := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		spk := cl.Meta.Labels["speaker"]
		if spk == "" {
			return nil, fmt.Errorf("separation: clip %s has no \"speaker\" label (mixtures need different speakers)", cl.Dir)
		}
		if math.Abs(cl.Meta.FPS-c.FPS) > 1e-6*c.FPS {
			return nil, fmt.Errorf("separation: clip %s is at %g fps, the model's Config.FPS is %g", cl.Dir, cl.Meta.FPS, c.FPS)
		}
		if cl.NumFrames < 1 {
			return nil, fmt.Errorf("separation: clip %s has no frames", cl.Dir)
		}
		a, err := cl.Audio(c.Rate)
		if err != nil {
			return nil, fmt.Errorf("separation: %w", err)
		}
		if d := float64(len(a))/float64(c.Rate) - cl.Duration(); math.Abs(d) > 1.5/c.FPS {
			return nil, fmt.Errorf("separation: clip %s: audio lasts %.3f s but its %d frames last %.3f s", cl.Dir, float64(len(a))/float64(c.Rate), cl.NumFrames, cl.Duration())
		}
		s := &source{name: cl.Name, speaker: spk, audio: a, frames: cl.NumFrames, mouths: make([]float32, cl.NumFrames*px)}
		for i := 0; i < cl.NumFrames; i++ {
			img, err := cl.Frame(i)
			if err != nil {
				return nil, fmt.Errorf("separation: %w", err)
			}
			c.mouthCrop(s.mouths[i*px:(i+1)*px], img)
		}
		out = append(out, s)
		bar.Add(1)
	}
	return out, nil
}

// mixer draws training and evaluation mixtures from sources.
type mixer struct {
	cfg    Config
	srcs   []*source
	frames int // video frames per mixture
	n      int // samples per mixture
	// tilt, when not nil, tilts each source's spectrum by a random slope
	// (training mixtures only; Config.Tilt)
	tilt *dsp.Tilter
}

func newMixer(cfg Config, srcs []*source, frames int) (*mixer, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("separation: no clips to mix")
	}
	if cfg.Speakers > 1 {
		seen := map[string]bool{}
		for _, s := range srcs {
			seen[s.speaker] = true
		}
		if len(seen) < cfg.Speakers {
			return nil, fmt.Errorf("separation: mixtures of %d different speakers need clips of at least %d speakers, got %d", cfg.Speakers, cfg.Speakers, len(seen))
		}
	}
	return &mixer{cfg: cfg, srcs: srcs, frames: frames, n: int(math.Round(float64(frames) * float64(cfg.Rate) / cfg.FPS))}, nil
}

// newTrainMixer is newMixer for training mixtures of Config.Segment:
// with Config.Tilt, each source is tilted by a random slope. Validation
// and evaluation mixtures come from newMixer and are never tilted.
func newTrainMixer(cfg Config, srcs []*source) (*mixer, error) {
	mx, err := newMixer(cfg, srcs, cfg.SegmentFrames())
	if err == nil && cfg.Tilt > 0 {
		mx.tilt = dsp.NewTilter(mx.n, cfg.Rate)
	}
	return mx, err
}

// cut returns n samples and the mouth crops of m.frames frames of s from a
// random video frame (so sound and picture stay aligned), zero-padded or
// repeating the last frame past the clip's end.
func (m *mixer) cut(r *rand.Rand, s *source) ([]float64, []float32) {
	f0 := 0
	if s.frames > m.frames {
		f0 = r.Intn(s.frames - m.frames + 1)
	}
	a0 := int(math.Round(float64(f0) * float64(m.cfg.Rate) / m.cfg.FPS))
	x := make([]float64, m.n)
	if a0 < len(s.audio) {
		copy(x, s.audio[a0:])
	}
	px := m.cfg.MouthH * m.cfg.MouthW
	mo := make([]float32, m.frames*px)
	for i := 0; i < m.frames; i++ {
		f := min(f0+i, s.frames-1)
		copy(mo[i*px:(i+1)*px], s.mouths[f*px:(f+1)*px])
	}
	return x, mo
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(max(1, len(x))))
}

func scale(x []float64, k float64) {
	for i := range x {
		x[i] *= k
	}
}

// draw makes one mixture. With Speakers ≥ 2: that many clips of different
// speakers, each at a random offset in its clip, brought to a common level
// and then given a random gain of ±5 dB; the faces are in the order drawn.
// With one speaker: that speaker plus non-speech noise at a random SNR of
// −5 … +5 dB. The mixture is the exact sum of the returned sources (and
// noise).
func (m *mixer) draw(r *rand.Rand) *example {
	ex := &example{vf: m.frames}
	var used []string
	for len(ex.srcs) < m.cfg.Speakers {
		s := m.srcs[r.Intn(len(m.srcs))]
		dup := false
		for _, u := range used {
			dup = dup || u == s.speaker
		}
		if dup {
			continue
		}
		used = append(used, s.speaker)
		x, mo := m.cut(r, s)
		if m.tilt != nil {
			m.tilt.Apply(x, m.cfg.Tilt*(2*r.Float64()-1))
		}
		if v := rms(x); v > 1e-8 {
			scale(x, 0.05/v*math.Pow(10, (10*r.Float64()-5)/20))
		}
		ex.srcs, ex.mouths = append(ex.srcs, x), append(ex.mouths, mo)
	}
	ex.mix = make([]float64, m.n)
	for _, s := range ex.srcs {
		for i, v := range s {
			ex.mix[i] += v
		}
	}
	if m.cfg.Speakers == 1 {
		ex.noise = synth.Noise(r, m.n, m.cfg.Rate)
		snrDB := 10*r.Float64() - 5
		if v, u := rms(ex.srcs[0]), rms(ex.noise); u > 0 && v > 0 {
			scale(ex.noise, v/u*math.Pow(10, -snrDB/20))
		}
		for i, v := range ex.noise {
			ex.mix[i] += v
		}
	}
	return ex
}
