package separation

import (
	"fmt"
	"image"
	"math"
)

// FaceTrack is the video of one visible speaker: frame i shows time i/FPS
// and lasts as long as the mixture.
type FaceTrack struct {
	Frames []image.Image
	FPS    float64
}

// mouthCrop cuts Config.MouthBox out of img, averages RGB to grey and
// box-filters it to MouthW × MouthH values in [−1, 1], row-major.
func (c Config) mouthCrop(dst []float32, img image.Image) {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	x0, y0 := c.MouthBox[0]*w, c.MouthBox[1]*h
	sx, sy := (c.MouthBox[2]-c.MouthBox[0])*w/float64(c.MouthW), (c.MouthBox[3]-c.MouthBox[1])*h/float64(c.MouthH)
	for oy := 0; oy < c.MouthH; oy++ {
		ya := int(math.Floor(y0 + float64(oy)*sy))
		yb := max(ya+1, int(math.Floor(y0+float64(oy+1)*sy)))
		for ox := 0; ox < c.MouthW; ox++ {
			xa := int(math.Floor(x0 + float64(ox)*sx))
			xb := max(xa+1, int(math.Floor(x0+float64(ox+1)*sx)))
			var sum float64
			var n int
			for y := ya; y < yb && y < b.Dy(); y++ {
				for x := xa; x < xb && x < b.Dx(); x++ {
					r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
					sum += float64(r+g+bl) / (3 * 65535)
					n++
				}
			}
			v := 0.0
			if n > 0 {
				v = sum / float64(n)
			}
			dst[oy*c.MouthW+ox] = float32(2*v - 1)
		}
	}
}

// mouths returns the mouth crops of frames, [len(frames), MouthH·MouthW].
func (c Config) mouths(frames []image.Image) []float32 {
	n := c.MouthH * c.MouthW
	out := make([]float32, len(frames)*n)
	for i, f := range frames {
		c.mouthCrop(out[i*n:(i+1)*n], f)
	}
	return out
}

// checkTracks checks that the face tracks fit the model and a mixture of
// samples samples, and returns their common number of frames.
func (c Config) checkTracks(faces []FaceTrack, samples int) (int, error) {
	if c.AudioOnly {
		if len(faces) != 0 {
			return 0, fmt.Errorf("separation: the audio-only model takes no faces, got %d", len(faces))
		}
		return 0, nil
	}
	if len(faces) != c.Speakers {
		return 0, fmt.Errorf("separation: the model separates %d speaker(s) and needs one face track each, got %d", c.Speakers, len(faces))
	}
	dur := float64(samples) / float64(c.Rate)
	want := int(math.Round(dur * c.FPS))
	n := -1
	for i, f := range faces {
		if math.Abs(f.FPS-c.FPS) > 1e-6*c.FPS {
			return 0, fmt.Errorf("separation: face track %d is at %g fps, the model was trained at %g fps; resample the video", i+1, f.FPS, c.FPS)
		}
		if len(f.Frames) == 0 {
			return 0, fmt.Errorf("separation: face track %d has no frames", i+1)
		}
		if d := len(f.Frames) - want; d < -1 || d > 1 {
			return 0, fmt.Errorf("separation: face track %d has %d frames (%.2f s at %g fps) but the mixture lasts %.2f s (%d frames)",
				i+1, len(f.Frames), float64(len(f.Frames))/f.FPS, f.FPS, dur, want)
		}
		if n >= 0 && len(f.Frames) != n {
			return 0, fmt.Errorf("separation: face track %d has %d frames, track 1 has %d", i+1, len(f.Frames), n)
		}
		n = len(f.Frames)
	}
	return n, nil
}

// upsampler returns the [vf, t] matrix that maps video frames to STFT
// frames: STFT frame j (centred at j·Hop/Rate seconds) takes the video
// frame on screen then, floor(j·Hop·FPS/Rate), clamped to the last frame.
// At 25 fps and a 10 ms hop this repeats every video frame 4 times.
func (c Config) upsampler(vf, t int) []float32 {
	u := make([]float32, vf*t)
	for j := 0; j < t; j++ {
		f := min(vf-1, int(math.Floor(float64(j*c.Hop)*c.FPS/float64(c.Rate)+1e-9)))
		u[f*t+j] = 1
	}
	return u
}
