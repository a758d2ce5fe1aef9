package speech2face

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/avlearn/avlearn/nets"
)

// FaceFromVoice draws the face the model hears in speech: mono samples at
// Config.Rate (16 kHz), of any length. The voice encoder reads windows of
// Config.Window frames (half overlapping; shorter speech is padded with
// silence), their embeddings are averaged, and the decoder draws the
// frontal face of the average: a FaceSize×FaceSize RGB image.
func (m *Model) FaceFromVoice(speech []float64) (image.Image, error) {
	e, err := m.VoiceEmbedding(speech)
	if err != nil {
		return nil, err
	}
	return m.Decode(e)
}

// VoiceEmbedding is the face embedding the voice encoder gives speech
// (mono at Config.Rate, any length), averaged over windows.
func (m *Model) VoiceEmbedding(speech []float64) ([]float32, error) {
	if len(speech) == 0 {
		return nil, fmt.Errorf("speech2face: no speech samples")
	}
	if err := finite(speech); err != nil {
		return nil, fmt.Errorf("speech2face: speech: %w", err)
	}
	c := m.Config
	ws := c.windows(speech)
	var x []float32
	for _, w := range ws {
		var err error
		if x, err = c.spectrum(x, w); err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
	}
	p, err := m.program("voice", m.defineVoice).Run(nets.Feed{Name: "voice", Shape: []int{len(ws), 2 * c.bins(), c.Window}, Data: x})
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	v, _, err := p.Value("embed")
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	e := make([]float32, c.Embed)
	for i, val := range v {
		e[i%c.Embed] += val / float32(len(ws))
	}
	return e, nil
}

// FaceEmbedding is the recogniser's embedding (fc7) of a face picture,
// scaled and centre-cropped to FaceSize.
func (m *Model) FaceEmbedding(img image.Image) ([]float32, error) {
	t, err := m.Config.faceTensor(img)
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	e, _, err := m.embedAll([][]float32{t})
	if err != nil {
		return nil, fmt.Errorf("speech2face: %w", err)
	}
	return e[0], nil
}

// Decode draws the frontal, neutral face of an embedding.
func (m *Model) Decode(emb []float32) (image.Image, error) {
	ims, err := m.decodeAll([][]float32{emb})
	if err != nil {
		return nil, err
	}
	return ims[0], nil
}

// decodeAll runs the decoder on embeddings in batches: CHW images in [0, 1].
func (m *Model) decodeAll(embs [][]float32) ([]*image.RGBA, error) {
	c := m.Config
	prog := m.program("decoder", m.defineDecoder)
	var out []*image.RGBA
	const bs = 64
	for i := 0; i < len(embs); i += bs {
		j := min(len(embs), i+bs)
		var x []float32
		for _, e := range embs[i:j] {
			if len(e) != c.Embed {
				return nil, fmt.Errorf("speech2face: embedding of %d values; the model's have %d", len(e), c.Embed)
			}
			x = append(x, e...)
		}
		p, err := prog.Run(nets.Feed{Name: "embed", Shape: []int{j - i, c.Embed}, Data: x})
		if err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
		v, _, err := p.Value("image")
		if err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
		n := 3 * c.FaceSize * c.FaceSize
		for k := 0; k < j-i; k++ {
			out = append(out, toImage(v[k*n:(k+1)*n], c.FaceSize))
		}
	}
	return out, nil
}

// toImage turns a CHW tensor in [0, 1] into an image.
func toImage(t []float32, s int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, s, s))
	q := func(v float32) uint8 { return uint8(math.Round(float64(max(0, min(1, v))) * 255)) }
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			k := y*s + x
			img.SetRGBA(x, y, color.RGBA{q(t[k]), q(t[s*s+k]), q(t[2*s*s+k]), 255})
		}
	}
	return img
}
