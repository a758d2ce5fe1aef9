package lipsync

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

// mels is a clip's normalised log-mel spectrogram: (bins, frames)
// row-major, values in [−1, 1] (the top 80 dB of the clip).
type mels struct {
	data   []float32
	bins   int
	frames int
	fps    float64 // mel frames per second
}

// speechMels computes the model's log-mel spectrogram of x (at Config.Rate).
func (c Config) speechMels(x []float64) (*mels, error) {
	if len(x) == 0 {
		return nil, fmt.Errorf("the speech is empty")
	}
	s, err := spectrogram.Compute(x, c.melConfig())
	if err != nil {
		return nil, err
	}
	top := float32(math.Inf(-1))
	for _, v := range s.Data {
		top = max(top, v)
	}
	// the top 80 dB of the clip to [−1, 1]: independent of the recording level
	out := make([]float32, len(s.Data))
	for i, v := range s.Data {
		out[i] = max(-1, (v-top)/40+1)
	}
	return &mels{data: out, bins: s.Bins, frames: s.Frames, fps: float64(c.Rate) / float64(c.Hop)}, nil
}

// window returns the MelFrames mel frames centred on time t, (bins,
// MelFrames) row-major; frames outside the clip repeat its edge frames.
func (ms *mels) window(t float64, n int, dst []float32) []float32 {
	c := int(math.Round(t * ms.fps))
	lo := c - n/2
	for b := 0; b < ms.bins; b++ {
		row := ms.data[b*ms.frames : (b+1)*ms.frames]
		for k := 0; k < n; k++ {
			dst = append(dst, row[min(max(lo+k, 0), ms.frames-1)])
		}
	}
	return dst
}

// frameMel is the mel window of video frame i (centred on the frame's
// middle, (i+½)/FPS).
func (c Config) frameMel(ms *mels, i int, dst []float32) []float32 {
	return ms.window((float64(i)+0.5)/c.FPS, c.MelFrames, dst)
}

// windowMel is the mel window the sync expert pairs with the Window
// frames starting at i (centred on their middle).
func (c Config) windowMel(ms *mels, i int, dst []float32) []float32 {
	return ms.window((float64(i)+float64(c.Window)/2)/c.FPS, c.MelFrames, dst)
}

// faceTensor scales and centre-crops img to Size×Size: CHW in [0, 1].
func (c Config) faceTensor(img image.Image) ([]float32, error) {
	return avio.ImageTensor(img, avio.FrameOptions{Width: c.Size, Height: c.Size})
}

// lowerHalf cuts the networks' crop out of a Size×Size face tensor.
func (c Config) lowerHalf(face []float32) []float32 {
	s, k := c.Size, c.crop()
	out := make([]float32, 0, 3*k*k)
	for ch := 0; ch < 3; ch++ {
		for y := s / 2; y < s; y++ {
			row := face[ch*s*s+y*s:]
			out = append(out, row[s/4:s/4+k]...)
		}
	}
	return out
}

// paste writes a crop back into a Size×Size face tensor (a copy).
func (c Config) paste(face, crop []float32) []float32 {
	s, k := c.Size, c.crop()
	out := append([]float32(nil), face...)
	for ch := 0; ch < 3; ch++ {
		for y := 0; y < k; y++ {
			copy(out[ch*s*s+(y+s/2)*s+s/4:], crop[ch*k*k+y*k:ch*k*k+(y+1)*k])
		}
	}
	return out
}

// maskTop is the fraction of the crop's rows (the nose) that the
// generator sees of its target frame; everything below, where the mouth
// and chin move, is hidden so that only the speech can tell it.
const maskTop = 3.0 / 16

// masked hides the part of a crop the generator must draw.
func (c Config) masked(crop []float32) []float32 {
	k := c.crop()
	out := append([]float32(nil), crop...)
	top := int(math.Round(maskTop * float64(k)))
	for ch := 0; ch < 3; ch++ {
		clear(out[ch*k*k+top*k : (ch+1)*k*k])
	}
	return out
}

// clipData is one clip in the form the networks read.
type clipData struct {
	clip    *avio.Clip
	name    string
	speaker string
	crops   [][]float32 // per frame, the lower-half crop [3, k, k]
	mel     *mels
}

// load reads a clip: every frame's crop and the speech's mel spectrogram.
func (c Config) load(clip *avio.Clip) (*clipData, error) {
	if clip.NumFrames == 0 {
		return nil, fmt.Errorf("clip %s: no frames", clip.Name)
	}
	d := &clipData{clip: clip, name: clip.Name, speaker: clip.Meta.Labels["speaker"]}
	for i := 0; i < clip.NumFrames; i++ {
		img, err := clip.Frame(i)
		if err != nil {
			return nil, err
		}
		f, err := c.faceTensor(img)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", clip.FramePath(i), err)
		}
		d.crops = append(d.crops, c.lowerHalf(f))
	}
	x, err := clip.Audio(c.Rate)
	if err != nil {
		return nil, err
	}
	if i := avio.NonFinite(x); i >= 0 {
		return nil, fmt.Errorf("%s: sample %d is %v", clip.AudioPath(), i, x[i])
	}
	if d.mel, err = c.speechMels(x); err != nil {
		return nil, fmt.Errorf("%s: %w", clip.AudioPath(), err)
	}
	return d, nil
}

// loadAll reads clips with progress, stopping when ctx is cancelled.
func (c Config) loadAll(ctx context.Context, clips []*avio.Clip, w io.Writer, what string) ([]*clipData, error) {
	bar := progress.New(w, what, len(clips))
	defer bar.Done()
	out := make([]*clipData, 0, len(clips))
	for i, clip := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := c.load(clip)
		if err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
		out = append(out, d)
		bar.Set(i+1, clip.Name)
	}
	return out, nil
}
