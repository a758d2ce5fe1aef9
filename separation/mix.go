package separation

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// Mixture is a mixture of the voices of a few clips, with what separating
// and scoring it needs: the sources as they sound in the mixture and the
// face track of each.
type Mixture struct {
	Mix     []float64   // the sum of Sources
	Sources [][]float64 // each clip's voice, scaled as it is in Mix
	Faces   []FaceTrack // each clip's video, in the order of Sources
	Rate    int         // Hz
}

// MixLevel is the RMS level MixClips brings every voice to, the common
// level of training mixtures.
const MixLevel = 0.05

// MixClips reads the audio of clips at rate Hz and their frames, cuts all
// to the shortest clip (whole video frames), brings every voice to RMS
// MixLevel (a silent one stays silent), so the voices are at equal
// levels, and sums them. The clips
// need the same frame rate.
func MixClips(clips []*avio.Clip, rate int) (*Mixture, error) {
	if len(clips) == 0 {
		return nil, fmt.Errorf("separation: no clips to mix")
	}
	if rate < 1 {
		return nil, fmt.Errorf("separation: mixing at %d Hz", rate)
	}
	fps := clips[0].Meta.FPS
	frames := clips[0].NumFrames
	for _, c := range clips {
		if c.Meta.FPS != fps {
			return nil, fmt.Errorf("separation: clip %s is at %g fps, clip %s at %g fps; a mixture needs one frame rate", c.Dir, c.Meta.FPS, clips[0].Dir, fps)
		}
		frames = min(frames, c.NumFrames)
	}
	if frames < 1 {
		return nil, fmt.Errorf("separation: a clip to mix has no frames")
	}
	n := int(math.Round(float64(frames) * float64(rate) / fps))
	x := &Mixture{Rate: rate}
	for _, c := range clips {
		a, err := c.Audio(rate)
		if err != nil {
			return nil, fmt.Errorf("separation: %w", err)
		}
		n = min(n, len(a))
		x.Sources = append(x.Sources, a)
		t := FaceTrack{FPS: fps}
		for i := 0; i < frames; i++ {
			img, err := c.Frame(i)
			if err != nil {
				return nil, fmt.Errorf("separation: %w", err)
			}
			t.Frames = append(t.Frames, img)
		}
		x.Faces = append(x.Faces, t)
	}
	x.Mix = make([]float64, n)
	for i, s := range x.Sources {
		s = s[:n]
		if v := rms(s); v > 1e-8 {
			scale(s, MixLevel/v)
		}
		for j, v := range s {
			x.Mix[j] += v
		}
		x.Sources[i] = s
	}
	return x, nil
}

// SourceScore measures one separated voice against its source.
type SourceScore struct {
	SISDR    float64 // dB, of the estimate
	MixSISDR float64 // dB, of the unprocessed mixture
}

// Improvement is the SI-SDR improvement (SI-SDRi) over the mixture, in dB.
func (s SourceScore) Improvement() float64 { return s.SISDR - s.MixSISDR }

// Score measures the estimates est, one per source in source order (as
// Model.Separate returns them for x.Faces), against x.Sources.
func (x *Mixture) Score(est [][]float64) ([]SourceScore, error) {
	if len(est) != len(x.Sources) {
		return nil, fmt.Errorf("separation: %d estimates for %d sources", len(est), len(x.Sources))
	}
	out := make([]SourceScore, len(est))
	for i, ref := range x.Sources {
		var err error
		if out[i].SISDR, err = dsp.SISDR(ref, est[i]); err != nil {
			return nil, fmt.Errorf("separation: source %d: %w", i+1, err)
		}
		if out[i].MixSISDR, err = dsp.SISDR(ref, x.Mix); err != nil {
			return nil, fmt.Errorf("separation: source %d: %w", i+1, err)
		}
	}
	return out, nil
}

// DistinctSpeakers returns the first n clips, in order, whose "speaker"
// labels all differ: the first clip, then each next clip of a speaker not
// yet chosen.
func DistinctSpeakers(clips []*avio.Clip, n int) ([]*avio.Clip, error) {
	var out []*avio.Clip
	seen := map[string]bool{}
	for _, c := range clips {
		if len(out) == n {
			break
		}
		s := c.Meta.Labels["speaker"]
		if s == "" {
			return nil, fmt.Errorf("separation: clip %s has no \"speaker\" label", c.Dir)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, c)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("separation: %d clips of %d speakers; a mixture needs %d", len(clips), len(seen), n)
	}
	return out, nil
}
