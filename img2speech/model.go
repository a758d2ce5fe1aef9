package img2speech

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/avlearn/avlearn/nets"
)

// Kind names img2speech models in model files (nets.SaveModel).
const Kind = "img2speech"

// Model is, for now, the speech ↔ unit autoencoder of the system:
//
//   - log-mel frames standardised with the training set's statistics
//     (buffers mel_norm.mean and mel_norm.std);
//   - an encoder of 1-D convolutions over time (enc.0: kernel 5; enc.2,
//     enc.4: kernel 4, stride 2; enc.6: 1×1 to Config.CodeDim), one vector
//     per Config.Stride frames;
//   - a vector quantiser (vq, nets.VQ) that turns each vector into one of
//     Config.Codes units;
//   - a decoder of convolutions over the unit sequence (dec.0, dec.2:
//     kernel Config.DecoderKernel; dec.4: 1×1) that gives back the Stride mel frames of each
//     unit.
type Model struct {
	Config Config

	mean, std *nets.Param
	enc, dec  nets.Sequential
	vq        *nets.VQ
	cap       *captioner
	params    []*nets.Param // the captioner's last
	capParams int           // how many of params are the captioner's
	// durations is the mean run length, in units, of every code in the
	// image stage's training speech (nil before TrainImage): how long
	// Expand holds a unit of a collapsed sequence.
	durations []float64
	// voices names the speakers the captioner was trained on, in the
	// order of its voice embedding (Config.CapVoices); voice is the one
	// it speaks in.
	voices []string
	voice  int

	infer *nets.Program
}

// New builds a model with PyTorch's default initialisation drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg}
	rng := rand.New(rand.NewSource(cfg.Seed))
	m.mean = nets.NewBuffer("mel_norm.mean", cfg.NMels)
	m.std = nets.NewBuffer("mel_norm.std", cfg.NMels)
	m.params = []*nets.Param{m.mean, m.std}
	var err error
	conv := func(name string, in, out, k int, o nets.Conv1dOptions) *nets.Conv1d {
		if err != nil {
			return nil
		}
		var c *nets.Conv1d
		if c, err = nets.NewConv1d(name, in, out, k, o, rng); err == nil {
			m.params = append(m.params, c.Params()...)
		}
		return c
	}
	h, d := cfg.Hidden, cfg.CodeDim
	e0 := conv("enc.0", cfg.NMels, h, 5, nets.Conv1dOptions{Padding: 2})
	e2 := conv("enc.2", h, h, 4, nets.Conv1dOptions{Stride: 2, Padding: 1})
	e4 := conv("enc.4", h, h, 4, nets.Conv1dOptions{Stride: 2, Padding: 1})
	e6 := conv("enc.6", h, d, 1, nets.Conv1dOptions{})
	if err == nil {
		if m.vq, err = nets.NewVQ("vq", cfg.Codes, d, cfg.Beta, rng); err == nil {
			m.params = append(m.params, m.vq.Params()...)
		}
	}
	dk := cfg.DecoderKernel
	d0 := conv("dec.0", d, h, dk, nets.Conv1dOptions{Padding: dk / 2})
	d2 := conv("dec.2", h, h, dk, nets.Conv1dOptions{Padding: dk / 2})
	d4 := conv("dec.4", h, cfg.Stride*cfg.NMels, 1, nets.Conv1dOptions{})
	if err == nil {
		var ps []*nets.Param
		if m.cap, ps, err = newCaptioner(cfg, rng); err == nil {
			m.params = append(m.params, ps...)
			m.capParams = len(ps)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	m.enc = nets.Sequential{e0, nets.NewReLU(), e2, nets.NewReLU(), e4, nets.NewReLU(), e6}
	m.dec = nets.Sequential{d0, nets.NewReLU(), d2, nets.NewReLU(), d4}
	return m, nil
}

// WithCaptioner returns a new model with m's speech ↔ unit networks and
// statistics (copied) and an untrained captioner of img's image fields
// (ImageSize, CapEmbed, CapHidden, MaxUnits, ImageState, ImageStem,
// CapCoords, CapVoices),
// drawn from img.Seed: what TrainImage starts from, whatever captioner m
// has.
func (m *Model) WithCaptioner(img Config) (*Model, error) {
	c := m.Config
	c.ImageSize, c.CapEmbed, c.CapHidden, c.MaxUnits = img.ImageSize, img.CapEmbed, img.CapHidden, img.MaxUnits
	c.ImageState, c.CapCoords, c.Seed = img.ImageState, img.CapCoords, img.Seed
	c.CapVoices, c.ImageStem = img.CapVoices, img.ImageStem
	c.ImagePretrain = 0 // the new CNN has learnt nothing yet
	n, err := New(c)
	if err != nil {
		return nil, err
	}
	ours := map[string]*nets.Param{}
	for _, p := range m.params {
		ours[p.Name] = p
	}
	for _, p := range n.params[:len(n.params)-n.capParams] {
		q, ok := ours[p.Name]
		if !ok || len(q.Data) != len(p.Data) {
			return nil, fmt.Errorf("img2speech: WithCaptioner: the model has no tensor %s of %d values", p.Name, len(p.Data))
		}
		copy(p.Data, q.Data)
	}
	return n, nil
}

// Params lists every tensor of the model in state_dict order.
func (m *Model) Params() []*nets.Param { return m.params }

// Save writes the model as safetensors with its Config in the metadata
// (atomically).
func (m *Model) Save(path string) error {
	meta, err := m.meta()
	if err != nil {
		return err
	}
	if err := nets.SaveModel(path, Kind, m, m.Config, meta); err != nil {
		return fmt.Errorf("img2speech: %w", err)
	}
	return nil
}

// meta is the metadata Save adds: the units' durations and the
// captioner's voices, when set.
func (m *Model) meta() (map[string]string, error) {
	var meta map[string]string
	add := func(key string, v any) error {
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("img2speech: %w", err)
		}
		if meta == nil {
			meta = map[string]string{}
		}
		meta[key] = string(js)
		return nil
	}
	if m.durations != nil {
		if err := add(durationsKey, m.durations); err != nil {
			return nil, err
		}
	}
	if m.voices != nil {
		if err := add(voicesKey, m.voices); err != nil {
			return nil, err
		}
	}
	return meta, nil
}

// Metadata keys: the units' mean durations and the captioner's voices.
const (
	durationsKey = "img2speech.unit_durations"
	voicesKey    = "img2speech.voices"
)

// Voices returns the speakers the captioner can say its units in, the
// one it speaks in first (nil when Config.CapVoices is 0).
func (m *Model) Voices() []string {
	if len(m.voices) == 0 {
		return nil
	}
	return append([]string{m.voices[m.voice]}, append(slices.Clone(m.voices[:m.voice]), m.voices[m.voice+1:]...)...)
}

// SetVoice makes the captioner say its units in the voice of speaker
// name, one of Voices.
func (m *Model) SetVoice(name string) error {
	i := slices.Index(m.voices, name)
	if i < 0 {
		return fmt.Errorf("img2speech: the captioner knows no voice %q (it knows %s)", name, strings.Join(m.voices, ", "))
	}
	m.voice = i
	return nil
}

// setVoices reads the captioner's voices from a model file's metadata.
func (m *Model) setVoices(meta map[string]string) error {
	js, ok := meta[voicesKey]
	if !ok {
		if m.Config.CapVoices > 0 && m.durations != nil {
			return fmt.Errorf("metadata %s: missing; the captioner has %d voices", voicesKey, m.Config.CapVoices)
		}
		return nil
	}
	var v []string
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		return fmt.Errorf("metadata %s: %w", voicesKey, err)
	}
	if len(v) == 0 || len(v) > m.Config.CapVoices {
		return fmt.Errorf("metadata %s: %d voices; the captioner has room for %d", voicesKey, len(v), m.Config.CapVoices)
	}
	m.voices, m.voice = v, 0
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	var cfg Config
	m, meta, err := nets.LoadModel(path, Kind, &cfg, func() (*Model, error) { return New(cfg) })
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	if err := m.setMeta(meta); err != nil {
		return nil, fmt.Errorf("img2speech: %s: %w", path, err)
	}
	return m, nil
}

// setMeta reads what meta adds to a model file.
func (m *Model) setMeta(meta map[string]string) error {
	if err := m.setDurations(meta); err != nil {
		return err
	}
	return m.setVoices(meta)
}

// setDurations reads the units' mean durations from a model file's
// metadata (files of the units stage have none).
func (m *Model) setDurations(meta map[string]string) error {
	js, ok := meta[durationsKey]
	if !ok {
		return nil
	}
	var d []float64
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		return fmt.Errorf("metadata %s: %w", durationsKey, err)
	}
	if len(d) != m.Config.Codes {
		return fmt.Errorf("metadata %s: %d durations for %d codes", durationsKey, len(d), m.Config.Codes)
	}
	for i, v := range d {
		if !(v >= 1 && v <= 1000) {
			return fmt.Errorf("metadata %s: duration %v of unit %d; want 1–1000", durationsKey, v, i)
		}
	}
	m.durations = d
	return nil
}

// Close releases the model's compiled graphs; the model stays usable.
func (m *Model) Close() {
	if m.infer != nil {
		m.infer.Close()
		m.infer = nil
	}
}

// define declares the autoencoder's pass: input "mel" [N, NMels, T]
// (standardised, T a multiple of Stride); outputs "z" [N, T/Stride, D]
// (the encoder's vectors), "codes" [N·T/Stride] and "recon"
// [N, Stride·NMels, T/Stride]; with "target" fed (recon's shape), the loss
// MSE(recon, target) + the VQ loss.
func (m *Model) define() func(p *nets.Pass) error {
	return func(p *nets.Pass) (err error) {
		g := p.Graph()
		x, err := p.Input("mel")
		if err != nil {
			return err
		}
		z, err := m.enc.Forward(g, x)
		if err != nil {
			return err
		}
		zt, err := G.Transpose(z, 0, 2, 1)
		if err != nil {
			return err
		}
		q, err := m.vq.Forward(g, zt)
		if err != nil {
			return err
		}
		qt, err := G.Transpose(q.Quantized, 0, 2, 1)
		if err != nil {
			return err
		}
		recon, err := m.dec.Forward(g, qt)
		if err != nil {
			return err
		}
		for _, o := range []struct {
			name string
			n    *G.Node
		}{{"z", zt}, {"codes", q.Indices}, {"recon", recon}} {
			if err := p.Output(o.name, o.n); err != nil {
				return err
			}
		}
		if !p.Has("target") {
			return nil
		}
		y, err := p.Input("target")
		if err != nil {
			return err
		}
		mse, err := nets.MSELoss(recon, y)
		if err != nil {
			return err
		}
		loss, err := G.Add(mse, q.Loss)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}
}

// standardise returns s's frames (NMels, T) standardised band by band
// with the model's statistics, as [NMels][T] rows.
func (m *Model) standardise(mel []float32, frames int) []float32 {
	return standardiseWith(mel, frames, m.mean, m.std)
}

// fitNorm sets the standardisation from the training utterances' frames.
func (m *Model) fitNorm(us []*utterance) { fitNormTo(us, m.mean, m.std) }

// fitted reports whether the standardisation has been set.
func (m *Model) fitted() bool { return m.std.Data[0] > 0 }

// segments cuts an utterance's standardised frames [NMels][T] into
// segments of Config.Segment frames starting every hop frames; the last
// segment is padded with zeros (the training mean) to full length, and an
// utterance shorter than a segment gives one padded segment.
func (m *Model) segments(x []float32, frames, hop int) [][]float32 {
	nb, seg := m.Config.NMels, m.Config.Segment
	var out [][]float32
	for start := 0; ; start += hop {
		s := make([]float32, nb*seg)
		for b := 0; b < nb; b++ {
			n := min(seg, frames-start)
			copy(s[b*seg:b*seg+n], x[b*frames+start:b*frames+start+n])
		}
		out = append(out, s)
		if start+seg >= frames {
			return out
		}
	}
}

// target rearranges a segment [NMels][Segment] as the decoder gives it:
// [Stride·NMels][Segment/Stride], channel k·NMels + b holding band b of
// the unit's k-th frame.
func (m *Model) target(seg []float32) []float32 {
	nb, st, t := m.Config.NMels, m.Config.Stride, m.Config.Segment
	u := t / st
	out := make([]float32, len(seg))
	for b := 0; b < nb; b++ {
		for f := 0; f < t; f++ {
			out[((f%st)*nb+b)*u+f/st] = seg[b*t+f]
		}
	}
	return out
}
