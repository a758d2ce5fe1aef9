package fusion

import (
	"fmt"
	"math"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
)

// Prediction is a model's answer for one clip.
type Prediction struct {
	Class string    // the most probable of Config.Classes
	Probs []float64 // probability of each of Config.Classes
	// Weights is the weight the fusion block gave each stream (late,
	// gated and attention fusion; nil for early fusion). A missing stream
	// weighs 0.
	Weights map[Stream]float64
}

// Classify predicts the class of clip from the streams the model reads;
// streams named in missing are marked missing (their files are still
// read). At least one of the model's streams must be left.
func (m *Model) Classify(clip *avio.Clip, missing ...Stream) (Prediction, error) {
	for _, s := range missing {
		if !slices.Contains(AllStreams, s) {
			return Prediction{}, fmt.Errorf("fusion: unknown stream %q; want audio, frames or motion", s)
		}
	}
	left := 0
	for _, s := range m.Config.Streams {
		if !slices.Contains(missing, s) {
			left++
		}
	}
	if left == 0 {
		return Prediction{}, fmt.Errorf("fusion: every stream the model reads (%v) is missing", m.Config.Streams)
	}
	if !m.fitted() {
		return Prediction{}, fmt.Errorf("fusion: the model is untrained (its feature standardisation is unset)")
	}
	d, err := m.Config.load(clip)
	if err != nil {
		return Prediction{}, fmt.Errorf("fusion: %w", err)
	}
	ex, err := m.example(d)
	if err != nil {
		return Prediction{}, err
	}
	mask := fullMask(1, len(m.Config.Streams))
	for j, s := range m.Config.Streams {
		if slices.Contains(missing, s) {
			mask[j] = 0
		}
	}
	ps, err := m.predict([]*example{ex}, mask)
	if err != nil {
		return Prediction{}, err
	}
	return ps[0], nil
}

// predict runs the network on exs under mask (one row per example).
func (m *Model) predict(exs []*example, mask []float32) ([]Prediction, error) {
	if m.infer == nil {
		m.infer = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Eval})
	}
	pass, err := m.infer.Run(m.feeds(exs, mask, false)...)
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	logits, _, err := pass.Value("logits")
	if err != nil {
		return nil, fmt.Errorf("fusion: %w", err)
	}
	var w []float32
	if m.Config.Fusion != BlockEarly {
		if w, _, err = pass.Value("weights"); err != nil {
			return nil, fmt.Errorf("fusion: %w", err)
		}
	}
	k, s := len(m.Config.Classes), len(m.Config.Streams)
	out := make([]Prediction, len(exs))
	for i := range exs {
		row := logits[i*k : (i+1)*k]
		mx := slices.Max(row)
		p := make([]float64, k)
		var sum float64
		for j, v := range row {
			p[j] = math.Exp(float64(v - mx))
			sum += p[j]
		}
		best := 0
		for j := range p {
			p[j] /= sum
			if p[j] > p[best] {
				best = j
			}
		}
		out[i] = Prediction{Class: m.Config.Classes[best], Probs: p}
		if w != nil {
			out[i].Weights = map[Stream]float64{}
			for j, st := range m.Config.Streams {
				out[i].Weights[st] = float64(w[i*s+j])
			}
		}
	}
	return out, nil
}
