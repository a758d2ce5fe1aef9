package synth

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/speechstats"
)

// AudioTrack estimates from speech x (mono, SpeechRate) the mouth a
// talking face shows, for speech this package did not make: in 25 ms
// frames every 10 ms, the centroids of the 200–1000 Hz and 1000–3000 Hz
// bands stand for F1 and F2 in VowelArticulation, and the opening and
// rounding fade to zero as the 100–4000 Hz level falls from 10 to 35 dB
// below the loudest frame. The result is an Utterance with x as Audio and
// the track on the TrackStep grid, smoothed as Speak's is.
func AudioTrack(x []float64) *Utterance {
	n := (len(x) + ctrlStep - 1) / ctrlStep
	u := &Utterance{Audio: x, Track: make([]Articulation, n), Active: make([]bool, n)}
	const nfft, win, hop = 512, 400, 160
	if len(x) < nfft {
		return u
	}
	pow, frames, err := dsp.PowerSpectrogram(x, dsp.STFTConfig{NFFT: nfft, Hop: hop, WinLength: win, Window: dsp.Hann(win, true), Center: true}, 2, nil)
	if err != nil {
		return u // x is long enough and the configuration fixed
	}
	bins := nfft/2 + 1
	level := make([]float64, frames)
	arts := make([]Articulation, frames)
	top := math.Inf(-1)
	centroid := func(p []float64, lo, hi float64) float64 {
		num, den := 0.0, 0.0
		for k, v := range p {
			f := float64(k) * SpeechRate / nfft
			if f >= lo && f <= hi {
				num += f * v
				den += v
			}
		}
		return num / (den + 1e-30)
	}
	for t := 0; t < frames; t++ {
		p := pow[t*bins : (t+1)*bins]
		s := 0.0
		for k, v := range p {
			if f := float64(k) * SpeechRate / nfft; f >= 100 && f <= 4000 {
				s += v
			}
		}
		level[t] = 10 * math.Log10(s+1e-20)
		top = math.Max(top, level[t])
		arts[t] = VowelArticulation(centroid(p, 200, 1000), centroid(p, 1000, 3000))
	}
	for c := range u.Track {
		t := min(frames-1, c*ctrlStep/hop)
		g := clamp01((level[t] - (top - 35)) / 25)
		u.Track[c] = Articulation{arts[t].Open * g, arts[t].Round * g}
		u.Active[c] = level[t] > top-35
	}
	smoothTrack(u.Track)
	return u
}

// ExternalClip is speech made elsewhere (another synthesiser, a
// recording) to be shown by a synthetic talking face.
type ExternalClip struct {
	Audio   []float64         // mono samples at Rate
	Rate    int               // Hz
	Speaker string            // identity: clips of one speaker share a face
	Split   string            // "train", "val" or "test"; "" means "test"
	Labels  map[string]string // more labels, e.g. "caption" or "voice"
}

// ExternalOptions configures ExternalSpeakers.
type ExternalOptions struct {
	Seed     int64   // draws the faces and the per-clip poses
	FPS      float64 // frame rate; 0 means 25
	Size     int     // frame size in pixels; 0 means 64
	Workers  int     // parallel goroutines; 0 means GOMAXPROCS
	Progress Progress
	NoJitter bool // render talking frames in the neutral pose
}

// ExternalSpeakers writes clips of outside speech as a corpus in the format
// of Speakers, so the same tasks read it: audio resampled to SpeechRate,
// frames of a talking face whose mouth follows AudioTrack, and face.png.
// Clip i is written as folder %06d. Each speaker's face is that of a
// NewSpeaker identity drawn from o.Seed whose F0 is nearest the median F0
// measured in the speaker's audio, so the pitch–sex tie roughly holds; the
// formant and breathiness ties of Speakers do not. Labels: "speaker",
// "f0_hz" (measured), "source" = "external", and the clip's own Labels.
func ExternalSpeakers(dir string, clips []ExternalClip, o ExternalOptions) error {
	if err := (common{N: len(clips), Workers: o.Workers}).check("external speakers"); err != nil {
		return err
	}
	if o.FPS == 0 {
		o.FPS = 25
	}
	if o.Size == 0 {
		o.Size = 64
	}
	if err := checkFramesAndSplits("external speakers", o.FPS, 120, o.Size, 0, 0); err != nil {
		return err
	}
	audio := make([][]float64, len(clips))
	f0s := map[string][]float64{}
	var names []string
	for i, c := range clips {
		if c.Speaker == "" {
			return fmt.Errorf("synth: external speakers: clip %d has no speaker", i)
		}
		switch c.Split {
		case "", "train", "val", "test":
		default:
			return fmt.Errorf("synth: external speakers: clip %d: split %q, want train, val or test", i, c.Split)
		}
		if c.Rate < 1000 || len(c.Audio) == 0 {
			return fmt.Errorf("synth: external speakers: clip %d: %d samples at %d Hz", i, len(c.Audio), c.Rate)
		}
		a, err := dsp.Resample(c.Audio, c.Rate, SpeechRate)
		if err != nil {
			return fmt.Errorf("synth: external speakers: clip %d: %w", i, err)
		}
		audio[i] = a
		if _, ok := f0s[c.Speaker]; !ok {
			names = append(names, c.Speaker)
		}
		f0s[c.Speaker] = append(f0s[c.Speaker], speechstats.F0Track(a, SpeechRate)...)
	}
	// faces: for each speaker, the nearest-F0 identity among 64 candidates
	sort.Strings(names)
	faces := map[string]Speaker{}
	f0Of := map[string]float64{}
	for k, name := range names {
		f0 := speechstats.Median(f0s[name])
		f0Of[name] = f0
		best := NewSpeaker(rngFor(o.Seed, "external-face", k*64), name)
		for j := 1; j < 64 && f0 > 0; j++ {
			cand := NewSpeaker(rngFor(o.Seed, "external-face", k*64+j), name)
			if math.Abs(math.Log(cand.Voice.F0/f0)) < math.Abs(math.Log(best.Voice.F0/f0)) {
				best = cand
			}
		}
		faces[name] = best
	}
	refs := map[string]image.Image{}
	for _, name := range names {
		refs[name] = faces[name].Face.Render(o.Size, Neutral())
	}
	gen := func(i int) (*clip, error) {
		c := clips[i]
		sp := faces[c.Speaker]
		u := AudioTrack(audio[i])
		r := rngFor(o.Seed, "external-clip", i)
		pose := Neutral()
		var jr *rand.Rand
		if !o.NoJitter {
			pose, jr = randomPose(r), r
		}
		labels := map[string]string{}
		for k, v := range c.Labels {
			labels[k] = v
		}
		labels["speaker"] = c.Speaker
		labels["source"] = "external"
		labels["f0_hz"] = fmt.Sprintf("%.1f", f0Of[c.Speaker])
		split := c.Split
		if split == "" {
			split = "test"
		}
		return &clip{
			name:       fmt.Sprintf("%06d", i),
			audio:      u.Audio,
			rate:       SpeechRate,
			nframes:    max(1, int(math.Round(float64(len(u.Audio))/SpeechRate*o.FPS))),
			frame:      talkingFrames(sp.Face, u, o.FPS, o.Size, pose, jr),
			fps:        o.FPS,
			split:      split,
			labels:     labels,
			extraNames: []string{"face.png"},
			extras:     []image.Image{refs[c.Speaker]},
		}, nil
	}
	sample := func(c *clip) image.Image { return c.frame(c.nframes / 2) }
	return generate(dir, common{N: len(clips), Seed: o.Seed, Workers: o.Workers, Progress: o.Progress}, gen, sample)
}
