package img2speech

import (
	"context"
	"fmt"
	"io"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
	"github.com/avlearn/avlearn/synth"
)

// melConfig is the front-end: a 25 ms periodic Hamming window every 10 ms,
// NMels HTK mel bands of power, in dB.
func (c Config) melConfig() spectrogram.Config {
	s := spectrogram.DefaultConfig(c.Rate)
	s.NMels, s.DB = c.NMels, true
	return s
}

// mfccConfig is the k-means baseline's front-end: 13 MFCCs of the same
// frames.
func (c Config) mfccConfig() spectrogram.Config {
	s := c.melConfig()
	s.NMFCC = 13
	return s
}

// frames computes cfg's spectrogram of pre-emphasised speech x.
func (c Config) frames(x []float64, cfg spectrogram.Config) (*spectrogram.Spectrogram, error) {
	if len(x) <= cfg.NFFT/2 {
		return nil, fmt.Errorf("%d samples; want more than %d", len(x), cfg.NFFT/2)
	}
	return spectrogram.Compute(dsp.PreEmphasis(x, c.PreEmphasis), cfg)
}

// utterance is one clip's speech as the networks and the measures see it.
type utterance struct {
	name string
	mel  *spectrogram.Spectrogram // (NMels, frames), dB
	mfcc *spectrogram.Spectrogram // (13, frames); only for evaluation
	// phones is the phone label of every mel frame (the "phones" label at
	// the frame's centre), when the clip has one.
	phones  []string
	speaker string // the "speaker" label
	caption string // the "caption" label
}

// loadUtterances reads clips' audio at c.Rate and computes their log-mel
// frames (and, with mfcc, their MFCCs). Errors name the clip.
func (c Config) loadUtterances(ctx context.Context, clips []*avio.Clip, mfcc bool, w io.Writer, what string) ([]*utterance, error) {
	out := make([]*utterance, 0, len(clips))
	bar := progress.New(w, what, len(clips))
	for i, cl := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, err := cl.Audio(c.Rate)
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		u := &utterance{name: cl.Dir, speaker: cl.Meta.Labels["speaker"], caption: cl.Meta.Labels["caption"]}
		if u.mel, err = c.frames(x, c.melConfig()); err != nil {
			return nil, fmt.Errorf("img2speech: clip %s: audio: %w", cl.Dir, err)
		}
		if mfcc {
			if u.mfcc, err = c.frames(x, c.mfccConfig()); err != nil {
				return nil, fmt.Errorf("img2speech: clip %s: audio: %w", cl.Dir, err)
			}
		}
		if lab, ok := cl.Meta.Labels[PhonesLabel]; ok {
			if u.phones, err = framePhones(lab, u.mel); err != nil {
				return nil, fmt.Errorf("img2speech: clip %s: label %q: %w", cl.Dir, PhonesLabel, err)
			}
		}
		out = append(out, u)
		bar.Set(i+1, "")
	}
	bar.Done()
	return out, nil
}

// PhonesLabel is the meta.json label with each phone's times
// ("sil:0.000-0.150 l:0.150-0.212 …", as synth.FormatPhones writes it),
// which the unit measures read.
const PhonesLabel = "phones"

// framePhones gives each frame of s the phone whose span holds the
// frame's centre; frames past the last span take its phone.
func framePhones(label string, s *spectrogram.Spectrogram) ([]string, error) {
	spans, err := synth.ParsePhones(label)
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, fmt.Errorf("no phones")
	}
	out := make([]string, s.Frames)
	k := 0
	for t := range out {
		c := s.FrameTime(t)
		for k < len(spans)-1 && c >= spans[k].End {
			k++
		}
		out[t] = spans[k].Phone
	}
	return out, nil
}
