package lipsync

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// batchFrames is the number of frames one inference pass makes.
const batchFrames = 64

// LipFrames makes the frames of a face saying speech (samples at rate
// Hz): one Config.Size×Size frame per 1/Config.FPS s of speech. faces[0]
// is the identity; frame i takes its head (everything but the mouth and
// chin) from faces[i], the faces played forwards and backwards in a loop
// when they are fewer than the frames — so one photo gives a still-image
// talking clip and a video keeps its head motion. Every face is scaled
// and centre-cropped to Config.Size×Size; the face should fill it.
func (m *Model) LipFrames(faces []image.Image, speech []float64, rate int) ([]image.Image, error) {
	c := m.Config
	if len(faces) == 0 {
		return nil, fmt.Errorf("lipsync: no face")
	}
	if len(speech) == 0 {
		return nil, fmt.Errorf("lipsync: the speech is empty")
	}
	if i := avio.NonFinite(speech); i >= 0 {
		return nil, fmt.Errorf("lipsync: speech sample %d is %v", i, speech[i])
	}
	if rate != c.Rate {
		var err error
		if speech, err = dsp.Resample(speech, rate, c.Rate); err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
	}
	ms, err := c.speechMels(speech)
	if err != nil {
		return nil, fmt.Errorf("lipsync: %w", err)
	}
	n := max(1, int(float64(len(speech))/float64(c.Rate)*c.FPS))
	full := make([][]float32, len(faces))
	for i, f := range faces {
		if full[i], err = c.faceTensor(f); err != nil {
			return nil, fmt.Errorf("lipsync: face %d: %w", i, err)
		}
	}
	pose := make([][]float32, n)
	targets := make([][]float32, n)
	for i := range pose {
		pose[i] = full[pingPong(i, len(full))]
		targets[i] = c.lowerHalf(pose[i])
	}
	crops, err := m.lipCrops(c.lowerHalf(full[0]), targets, ms)
	if err != nil {
		return nil, err
	}
	out := make([]image.Image, n)
	for i := range out {
		out[i] = c.image(c.paste(pose[i], crops[i]))
	}
	return out, nil
}

// pingPong maps frame i onto n frames played forwards, then backwards.
func pingPong(i, n int) int {
	if n == 1 {
		return 0
	}
	p := 2*n - 2
	i %= p
	if i >= n {
		i = p - i
	}
	return i
}

// lipCrops generates the lower-half crop of frame i of targets for the
// speech of ms from the identity crop ref.
func (m *Model) lipCrops(ref []float32, targets [][]float32, ms *mels) ([][]float32, error) {
	c := m.Config
	k := c.crop()
	if m.gen == nil {
		m.gen = nets.NewProgram(m.genDefine(), nets.ProgramOptions{Mode: nets.Eval})
	}
	out := make([][]float32, 0, len(targets))
	for lo := 0; lo < len(targets); lo += batchFrames {
		hi := min(lo+batchFrames, len(targets))
		var faces, mel []float32
		for i := lo; i < hi; i++ {
			faces = append(faces, ref...)
			faces = append(faces, c.masked(targets[i])...)
			mel = c.frameMel(ms, i, mel)
		}
		nb := hi - lo
		pass, err := m.gen.Run(
			nets.Feed{Name: "faces", Shape: []int{nb, 6, k, k}, Data: faces},
			nets.Feed{Name: "mel", Shape: []int{nb, 1, c.NMels, c.MelFrames}, Data: mel})
		if err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
		v, _, err := pass.Value("out")
		if err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
		for i := 0; i < nb; i++ {
			out = append(out, v[i*3*k*k:(i+1)*3*k*k])
		}
	}
	return out, nil
}

// image turns a CHW tensor of Size×Size in [0, 1] into a picture.
func (c Config) image(t []float32) *image.RGBA {
	s := c.Size
	img := image.NewRGBA(image.Rect(0, 0, s, s))
	to8 := func(v float32) uint8 { return uint8(min(255, max(0, v*255+0.5))) }
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			i := y*s + x
			img.SetRGBA(x, y, color.RGBA{to8(t[i]), to8(t[s*s+i]), to8(t[2*s*s+i]), 255})
		}
	}
	return img
}

// Sheet lays rows of frames out as a grid on white, 2 pixels apart: a
// contact sheet (real frames above generated ones, say). Frames may
// differ in size; each cell is as large as the largest.
func Sheet(rows ...[]image.Image) *image.RGBA {
	cw, ch, cols := 1, 1, 1
	for _, r := range rows {
		cols = max(cols, len(r))
		for _, f := range r {
			b := f.Bounds()
			cw, ch = max(cw, b.Dx()), max(ch, b.Dy())
		}
	}
	const gap = 2
	out := image.NewRGBA(image.Rect(0, 0, cols*(cw+gap)+gap, len(rows)*(ch+gap)+gap))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for y, r := range rows {
		for x, f := range r {
			at := image.Pt(gap+x*(cw+gap), gap+y*(ch+gap))
			draw.Draw(out, image.Rectangle{Min: at, Max: at.Add(f.Bounds().Size())}, f, f.Bounds().Min, draw.Src)
		}
	}
	return out
}
