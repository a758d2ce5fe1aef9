package speech2face

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
)

// FaceFile is the name of a clip's frontal, neutral reference picture of
// its speaker (synth.Speakers writes it). A clip without one uses its
// middle frame, scaled and centre-cropped.
const FaceFile = "face.png"

// TeacherFile is the name of a clip's optional face embedding from
// another face network (a float32 or float64 .npy of Config.Embed
// values): when every training clip has one, the recogniser learns to
// give it (see TrainStage), so a real face network can be the teacher.
const TeacherFile = "face_embedding.npy"

// IdentitiesOf lists the distinct "speaker" labels of clips, sorted.
func IdentitiesOf(clips []*avio.Clip) []string {
	seen := map[string]bool{}
	var ids []string
	for _, c := range clips {
		if s := c.Meta.Labels["speaker"]; s != "" && !seen[s] {
			seen[s] = true
			ids = append(ids, s)
		}
	}
	sort.Strings(ids)
	return ids
}

// speakerOf returns clip c's "speaker" label or an error naming the clip.
func speakerOf(c *avio.Clip) (string, error) {
	s := c.Meta.Labels["speaker"]
	if s == "" {
		return "", fmt.Errorf("speech2face: clip %s: no \"speaker\" label in meta.json", c.Dir)
	}
	return s, nil
}

// imageBytes is an RGB image, channel-major like the networks' input, in
// 8-bit steps (a quarter of the memory of float32).
type imageBytes []uint8

func toBytes(t []float32) imageBytes {
	b := make(imageBytes, len(t))
	for i, v := range t {
		b[i] = uint8(math.Round(float64(max(0, min(1, v))) * 255))
	}
	return b
}

// faceTensor scales and centre-crops img to the model's face size: CHW
// float32 in [0, 1].
func (c Config) faceTensor(img image.Image) ([]float32, error) {
	return avio.ImageTensor(img, avio.FrameOptions{Width: c.FaceSize, Height: c.FaceSize})
}

// refFace reads clip c's reference face: FaceFile, or else its middle frame.
func (c Config) refFace(cl *avio.Clip) ([]float32, error) {
	path := filepath.Join(cl.Dir, FaceFile)
	f, err := os.Open(path)
	var img image.Image
	switch {
	case err == nil:
		img, _, err = image.Decode(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("speech2face: %s: %w", path, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		if cl.NumFrames == 0 {
			return nil, fmt.Errorf("speech2face: clip %s: no %s and no frames", cl.Dir, FaceFile)
		}
		if img, err = cl.Frame(cl.NumFrames / 2); err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
	default:
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	t, err := c.faceTensor(img)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %s: %w", path, err)
	}
	return t, nil
}

// frames reads n frames of clip cl spread evenly over it.
func (c Config) frames(cl *avio.Clip, n int) ([][]float32, error) {
	var out [][]float32
	for k := 0; k < n && k < cl.NumFrames; k++ {
		i := (2*k + 1) * cl.NumFrames / (2 * n)
		img, err := cl.Frame(i)
		if err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
		t, err := c.faceTensor(img)
		if err != nil {
			return nil, fmt.Errorf("speech2face: %s: %w", cl.FramePath(i), err)
		}
		out = append(out, t)
	}
	return out, nil
}

// clipData is what the stages read of one clip.
type clipData struct {
	name    string
	speaker string
	face    imageBytes   // the reference face
	teacher []float32    // TeacherFile's embedding, if the clip has one
	frames  []imageBytes // frames spread over the clip
	audio   []float32    // mono at Config.Rate
}

// load reads clips (their reference face, nFrames frames and, with audio,
// the sound), reporting progress as what.
func (c Config) load(ctx context.Context, clips []*avio.Clip, nFrames int, audio bool, w io.Writer, what string) ([]*clipData, error) {
	out := make([]*clipData, 0, len(clips))
	pr := progress.New(w, what, len(clips))
	for i, cl := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sp, err := speakerOf(cl)
		if err != nil {
			return nil, err
		}
		d := &clipData{name: cl.Dir, speaker: sp}
		f, err := c.refFace(cl)
		if err != nil {
			return nil, err
		}
		d.face = toBytes(f)
		if d.teacher, err = c.teacherOf(cl); err != nil {
			return nil, err
		}
		fr, err := c.frames(cl, nFrames)
		if err != nil {
			return nil, err
		}
		for _, t := range fr {
			d.frames = append(d.frames, toBytes(t))
		}
		if audio {
			x, err := cl.Audio(c.Rate)
			if err != nil {
				return nil, fmt.Errorf("speech2face: %w", err)
			}
			if err := finite(x); err != nil {
				return nil, fmt.Errorf("speech2face: %s: %w", cl.AudioPath(), err)
			}
			d.audio = make([]float32, len(x))
			for j, v := range x {
				d.audio[j] = float32(v)
			}
		}
		out = append(out, d)
		pr.Set(i+1, "")
	}
	pr.Done()
	return out, nil
}

// finite reports the first NaN or infinite sample.
func finite(x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sample %d is %v", i, v)
		}
	}
	return nil
}

// segment is the number of samples of one encoder window: Window frames
// of centred STFT.
func (c Config) segment() int { return (c.Window - 1) * c.hop() }

// spectrum appends the encoder input of one window of samples (segment()
// long) to dst: the compressed STFT's real parts, bin by bin, then its
// imaginary parts, each bin a row of Window frames.
func (c Config) spectrum(dst []float32, x []float64) ([]float32, error) {
	s, err := dsp.STFT(x, c.STFT())
	if err != nil {
		return nil, err
	}
	s = dsp.CompressSpectrogram(s, c.Power)
	b, t := s.Bins, s.Frames
	re := make([]float32, b*t)
	im := make([]float32, b*t)
	for f := 0; f < t; f++ {
		for k := 0; k < b; k++ {
			v := s.Data[f*b+k]
			re[k*t+f], im[k*t+f] = float32(real(v)), float32(imag(v))
		}
	}
	return append(append(dst, re...), im...), nil
}

// teacherOf reads clip cl's TeacherFile, or returns nil if it has none.
func (c Config) teacherOf(cl *avio.Clip) ([]float32, error) {
	path := filepath.Join(cl.Dir, TeacherFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	a, err := avio.ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	if a.Size() != c.Embed {
		return nil, fmt.Errorf("speech2face: %s: %d values (shape %v); the model's embedding has %d", path, a.Size(), a.Shape, c.Embed)
	}
	v := a.Float32()
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("speech2face: %s: value %d is %v", path, i, x)
		}
	}
	return v, nil
}
