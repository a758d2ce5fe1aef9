package img2speech

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/spectrogram"
)

// Vocoder settings: mel inversion steps per frame and Griffin-Lim
// iterations (fast Griffin-Lim, momentum 0.99).
const (
	melInvertIters  = 200
	griffinLimIters = 32
)

// defineDecode declares the decoder's pass: input "units" [N, U] (code
// indices) → the codebook's vectors → output "recon" [N, Stride·NMels, U].
func (m *Model) defineDecode() func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		g := p.Graph()
		idx, err := p.Input("units")
		if err != nil {
			return err
		}
		s := idx.Shape()
		oh, err := nets.OneHot(idx, m.Config.Codes)
		if err != nil {
			return err
		}
		q, err := G.Mul(oh, g.Param(m.vq.Weight))
		if err != nil {
			return err
		}
		q, err = nets.Reshape(q, tensor.Shape{s[0], s[1], m.Config.CodeDim})
		if err != nil {
			return err
		}
		qt, err := G.Transpose(q, 0, 2, 1)
		if err != nil {
			return err
		}
		recon, err := m.dec.Forward(g, qt)
		if err != nil {
			return err
		}
		return p.Output("recon", recon)
	}
}

// MelFromUnits returns the log-mel spectrogram (dB) the decoder gives for
// units, one per Config.Stride frames (durations kept, as Units gives
// them).
func (m *Model) MelFromUnits(units []int) (*spectrogram.Spectrogram, error) {
	c := m.Config
	if !m.fitted() {
		return nil, fmt.Errorf("img2speech: the model is untrained (no feature standardisation)")
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("img2speech: no units to speak")
	}
	idx := make([]float32, len(units))
	for i, u := range units {
		if u < 0 || u >= c.Codes {
			return nil, fmt.Errorf("img2speech: unit %d at position %d; the codebook has %d", u, i, c.Codes)
		}
		idx[i] = float32(u)
	}
	prog := nets.NewProgram(m.defineDecode(), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	pass, err := prog.Run(nets.Feed{Name: "units", Shape: []int{1, len(units)}, Data: idx})
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	recon, _, err := pass.Value("recon")
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	nu, frames := len(units), len(units)*c.Stride
	s := &spectrogram.Spectrogram{Data: make([]float32, c.NMels*frames), Bins: c.NMels, Frames: frames,
		Config: c.melConfig(), Kind: spectrogram.Mel, Scale: spectrogram.DB}
	for b := 0; b < c.NMels; b++ {
		for f := 0; f < frames; f++ {
			v := recon[((f%c.Stride)*c.NMels+b)*nu+f/c.Stride]
			s.Data[b*frames+f] = v*m.std.Data[b] + m.mean.Data[b]
		}
	}
	return s, nil
}

// Speak turns units (one per 40 ms, as Units gives them) back into speech
// at Config.Rate: the decoder's log-mel frames, a linear spectrogram
// estimated from them (spectrogram.InvertMel), Griffin-Lim, and the
// pre-emphasis undone.
func (m *Model) Speak(units []int) ([]float64, error) {
	mel, err := m.MelFromUnits(units)
	if err != nil {
		return nil, err
	}
	return m.Config.vocode(mel)
}

// vocode turns a log-mel spectrogram of the front-end into a waveform.
func (c Config) vocode(mel *spectrogram.Spectrogram) ([]float64, error) {
	lin, err := mel.InvertMel(melInvertIters)
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	y, err := lin.Invert(spectrogram.InvertOptions{Iters: griffinLimIters, Momentum: 0.99})
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	return dsp.DeEmphasis(y, c.PreEmphasis), nil
}
