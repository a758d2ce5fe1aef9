package fusion

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

// clipData is one clip's streams as read from disk (only those a model
// reads) and its class.
type clipData struct {
	name   string
	audio  []float64   // at Config.Rate
	frames [][]float32 // grey in [0, 1], fh×fw each
	fw, fh int
	motion []float64 // at Config.MotionRate
	class  int       // -1 when the clip has no known label
}

// load reads the streams of clip that c reads.
func (c Config) load(clip *avio.Clip) (*clipData, error) {
	d := &clipData{name: clip.Name, class: -1}
	if v, ok := clip.Meta.Labels[c.Label]; ok {
		if k, ok := c.class(v); ok {
			d.class = k
		}
	}
	var err error
	if c.has(StreamAudio) {
		if d.audio, err = clip.Audio(c.Rate); err != nil {
			return nil, err
		}
	}
	if c.has(StreamFrames) {
		for i := 0; i < clip.NumFrames; i++ {
			img, err := clip.Frame(i)
			if err != nil {
				return nil, fmt.Errorf("clip %s: %w", clip.Name, err)
			}
			b := img.Bounds()
			if i == 0 {
				d.fw, d.fh = b.Dx(), b.Dy()
			} else if b.Dx() != d.fw || b.Dy() != d.fh {
				return nil, fmt.Errorf("clip %s: frame %d is %d×%d, frame 0 %d×%d", clip.Name, i, b.Dx(), b.Dy(), d.fw, d.fh)
			}
			g, err := avio.ImageTensor(img, avio.FrameOptions{Gray: true})
			if err != nil {
				return nil, fmt.Errorf("clip %s: frame %d: %w", clip.Name, i, err)
			}
			d.frames = append(d.frames, g)
		}
	}
	if c.has(StreamMotion) {
		m, rate, err := clip.Motion()
		if err != nil {
			return nil, err
		}
		if rate != c.MotionRate {
			return nil, fmt.Errorf("clip %s: %s is at %d Hz; the model reads motion at %d Hz", clip.Name, avio.MotionFile, rate, c.MotionRate)
		}
		d.motion = m
	}
	return d, nil
}

// loadAll reads clips, reporting progress to w under what.
func (c Config) loadAll(ctx context.Context, clips []*avio.Clip, w io.Writer, what string) ([]*clipData, error) {
	bar := progress.New(w, what, len(clips))
	defer bar.Done()
	out := make([]*clipData, len(clips))
	for i, clip := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := c.load(clip)
		if err != nil {
			return nil, fmt.Errorf("fusion: %w", err)
		}
		out[i] = d
		bar.Set(i+1, "")
	}
	return out, nil
}

// Corruption is what happens to a stream at test time.
type Corruption string

// Corruptions of a stream.
const (
	// Zeroed: the sensor delivers zeros (silence, black frames, no
	// motion) and the model is not told.
	Zeroed Corruption = "zeroed"
	// Missing: the stream is marked missing in the stream mask.
	Missing Corruption = "missing"
	// Noisy: strong white noise is added to the signal: audio RMS 0.3,
	// pixels σ 0.3 plus a per-frame flicker σ 0.1, motion σ 0.1 g.
	Noisy Corruption = "noisy"
)

// corrupt returns d with stream s zeroed or noisy (Missing leaves the data
// alone: the mask says it).
func (d *clipData) corrupt(s Stream, k Corruption, r *rand.Rand) *clipData {
	if k == Missing {
		return d
	}
	e := *d
	signal := func(x []float64, sigma float64) []float64 {
		y := make([]float64, len(x))
		if k == Noisy {
			for i, v := range x {
				y[i] = v + sigma*r.NormFloat64()
			}
		}
		return y
	}
	switch s {
	case StreamAudio:
		e.audio = signal(d.audio, 0.3)
	case StreamMotion:
		e.motion = signal(d.motion, 0.1)
	case StreamFrames:
		e.frames = make([][]float32, len(d.frames))
		for t, f := range d.frames {
			g := make([]float32, len(f))
			if k == Noisy {
				flicker := 0.1 * r.NormFloat64()
				for i, v := range f {
					g[i] = v + float32(flicker+0.3*r.NormFloat64())
				}
			}
			e.frames[t] = g
		}
	}
	return &e
}

// dim is the size of the feature vector of stream s.
func (c Config) dim(s Stream) int {
	switch s {
	case StreamAudio:
		return 3 * c.NMels
	case StreamFrames:
		return 2*c.Grid*c.Grid + 2
	default:
		return 3 * (c.MotionFFT/2 + 1)
	}
}

// features returns the feature vector of stream s of d (before the
// model's standardisation).
func (c Config) features(d *clipData, s Stream) ([]float32, error) {
	switch s {
	case StreamAudio:
		sc := spectrogram.DefaultConfig(c.Rate)
		sc.NFFT, sc.WinLength = c.NFFT, min(c.NFFT, sc.WinLength)
		sc.NMels, sc.DB = c.NMels, true
		return specStats(d.audio, sc, d.name, "audio")
	case StreamMotion:
		sc := spectrogram.DefaultConfig(c.MotionRate)
		sc.NFFT, sc.WinLength, sc.Hop, sc.Window = c.MotionFFT, c.MotionFFT, c.MotionFFT/4, "hann"
		sc.DB = true
		return specStats(d.motion, sc, d.name, "motion")
	default:
		return c.frameStats(d)
	}
}

// specStats is the mean, standard deviation and maximum over time of every
// row of x's spectrogram under sc.
func specStats(x []float64, sc spectrogram.Config, clip, what string) ([]float32, error) {
	sp, err := spectrogram.Compute(x, sc)
	if err != nil {
		return nil, fmt.Errorf("fusion: clip %s: %s: %w", clip, what, err)
	}
	out := make([]float32, 0, 3*sp.Bins)
	for b := 0; b < sp.Bins; b++ {
		out = append(out, stats(sp.Data[b*sp.Frames:(b+1)*sp.Frames])...)
	}
	return out, nil
}

// stats returns the mean, standard deviation and maximum of row.
func stats(row []float32) []float32 {
	var s, ss float64
	mx := math.Inf(-1)
	for _, v := range row {
		s += float64(v)
		ss += float64(v) * float64(v)
		mx = math.Max(mx, float64(v))
	}
	n := float64(len(row))
	m := s / n
	return []float32{float32(m), float32(math.Sqrt(math.Max(0, ss/n-m*m))), float32(mx)}
}

// frameStats describes how the picture changes: for each of Grid×Grid
// cells the standard deviation of its mean grey level over time and its
// largest change between frames, then the frame's mean level's peak above
// its median and its largest change between frames.
func (c Config) frameStats(d *clipData) ([]float32, error) {
	if len(d.frames) < 2 {
		return nil, fmt.Errorf("fusion: clip %s: %d frames; want at least 2", d.name, len(d.frames))
	}
	g := c.Grid
	if d.fw < g || d.fh < g {
		return nil, fmt.Errorf("fusion: clip %s: frames of %d×%d pixels are smaller than the %d×%d grid", d.name, d.fw, d.fh, g, g)
	}
	T := len(d.frames)
	cells := make([][]float64, g*g+1) // per cell, then the whole frame: level over time
	for i := range cells {
		cells[i] = make([]float64, T)
	}
	count := make([]float64, g*g) // pixels per cell
	for y := 0; y < d.fh; y++ {
		for x := 0; x < d.fw; x++ {
			count[(y*g/d.fh)*g+x*g/d.fw]++
		}
	}
	for t, f := range d.frames {
		var all float64
		for y := 0; y < d.fh; y++ {
			cy := y * g / d.fh
			for x := 0; x < d.fw; x++ {
				v := float64(f[y*d.fw+x])
				cells[cy*g+x*g/d.fw][t] += v
				all += v
			}
		}
		for k := 0; k < g*g; k++ {
			cells[k][t] /= count[k]
		}
		cells[g*g][t] = all / float64(d.fw*d.fh)
	}
	out := make([]float32, 0, c.dim(StreamFrames))
	maxDiff := func(v []float64) float64 {
		var m float64
		for t := 1; t < len(v); t++ {
			m = math.Max(m, math.Abs(v[t]-v[t-1]))
		}
		return m
	}
	for k := 0; k < g*g; k++ {
		var s, ss float64
		for _, v := range cells[k] {
			s += v
			ss += v * v
		}
		m := s / float64(T)
		out = append(out, float32(math.Sqrt(math.Max(0, ss/float64(T)-m*m))), float32(maxDiff(cells[k])))
	}
	lv := cells[g*g]
	sorted := slices.Clone(lv)
	slices.Sort(sorted)
	out = append(out, float32(slices.Max(lv)-sorted[T/2]), float32(maxDiff(lv)))
	return out, nil
}
