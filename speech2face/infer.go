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
	v := m.NewVoiceEmbedder()
	if err := v.Write(speech); err != nil {
		return nil, err
	}
	return v.Embedding()
}

// A VoiceEmbedder computes VoiceEmbedding of speech written to it a block
// at a time, in memory that does not grow with the speech's length (for
// recordings too long to hold).
type VoiceEmbedder struct {
	m       *Model
	buf     []float64 // samples from absolute index at on
	at      int       // index of buf[0]
	next    int       // start of the next window
	spectra []float32 // the pending windows' encoder inputs
	pending int       // windows in spectra
	sum     []float64 // embeddings summed over the windows encoded
	count   int       // windows encoded
	done    bool      // Embedding was called
}

// voiceBatch is how many windows a VoiceEmbedder encodes at once.
const voiceBatch = 32

// NewVoiceEmbedder returns an empty VoiceEmbedder of m.
func (m *Model) NewVoiceEmbedder() *VoiceEmbedder {
	return &VoiceEmbedder{m: m, sum: make([]float64, m.Config.Embed)}
}

// Write adds speech samples; a NaN or infinite one is an error naming its
// index in the whole speech.
func (v *VoiceEmbedder) Write(x []float64) error {
	if v.done {
		return fmt.Errorf("speech2face: speech written after its embedding was taken")
	}
	for i, s := range x {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return fmt.Errorf("speech2face: speech: sample %d is %v", v.at+len(v.buf)+i, s)
		}
	}
	v.buf = append(v.buf, x...)
	n, step := v.m.Config.segment(), v.step()
	end := v.at + len(v.buf)
	for ; v.next+n <= end; v.next += step {
		if err := v.add(v.buf[v.next-v.at : v.next-v.at+n]); err != nil {
			return err
		}
	}
	// keep what the next window, or the last one (the final n samples),
	// still needs
	if drop := min(v.next, end-n) - v.at; drop > 0 {
		v.buf = append(v.buf[:0], v.buf[drop:]...)
		v.at += drop
	}
	return nil
}

func (v *VoiceEmbedder) step() int { return max(1, v.m.Config.segment()/2) }

// add queues one window, encoding the queue when it is full.
func (v *VoiceEmbedder) add(w []float64) error {
	var err error
	if v.spectra, err = v.m.Config.spectrum(v.spectra, w); err != nil {
		return fmt.Errorf("speech2face: %w", err)
	}
	if v.pending++; v.pending == voiceBatch {
		return v.flush()
	}
	return nil
}

// flush encodes the pending windows.
func (v *VoiceEmbedder) flush() error {
	if v.pending == 0 {
		return nil
	}
	c := v.m.Config
	p, err := v.m.program("voice", v.m.defineVoice).Run(nets.Feed{Name: "voice", Shape: []int{v.pending, 2 * c.bins(), c.Window}, Data: v.spectra})
	if err != nil {
		return fmt.Errorf("speech2face: %w", err)
	}
	e, _, err := p.Value("embed")
	if err != nil {
		return fmt.Errorf("speech2face: %w", err)
	}
	for i, val := range e {
		v.sum[i%c.Embed] += float64(val)
	}
	v.count += v.pending
	v.spectra, v.pending = v.spectra[:0], 0
	return nil
}

// Embedding returns the average embedding of the windows of the speech
// written: windows of Config.Window frames, half overlapping, the last
// one ending at the last sample; speech shorter than a window is padded
// with silence. It ends the speech: later Writes fail.
func (v *VoiceEmbedder) Embedding() ([]float32, error) {
	end := v.at + len(v.buf)
	if end == 0 {
		return nil, fmt.Errorf("speech2face: no speech samples")
	}
	if v.done {
		return nil, fmt.Errorf("speech2face: embedding taken twice")
	}
	v.done = true
	n := v.m.Config.segment()
	switch last := end - n; {
	case last < 0:
		w := make([]float64, n)
		copy(w, v.buf)
		if err := v.add(w); err != nil {
			return nil, err
		}
	case last%v.step() != 0:
		if err := v.add(v.buf[last-v.at:]); err != nil {
			return nil, err
		}
	}
	if err := v.flush(); err != nil {
		return nil, err
	}
	out := make([]float32, len(v.sum))
	for i, s := range v.sum {
		out[i] = float32(s / float64(v.count))
	}
	return out, nil
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
