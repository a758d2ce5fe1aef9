package img2speech

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/nets"
)

// inferBatch is the number of segments run through the network at once.
const inferBatch = 32

// Units returns the unit of every Config.Stride mel frames (40 ms) of
// speech x, a mono signal at Config.Rate: the codebook index its encoder
// vector is quantised to. Collapse turns them into the unit sequence that
// drops durations.
func (m *Model) Units(x []float64) ([]int, error) {
	if !m.fitted() {
		return nil, fmt.Errorf("img2speech: the model is untrained (no feature standardisation)")
	}
	s, err := m.Config.frames(x, m.Config.melConfig())
	if err != nil {
		return nil, fmt.Errorf("img2speech: speech: %w", err)
	}
	us, err := m.unitsOf([]*utterance{{mel: s}})
	if err != nil {
		return nil, err
	}
	return us[0], nil
}

// unitsOf returns the units of each utterance: the segments of every
// utterance, tiled without overlap, run in batches.
func (m *Model) unitsOf(us []*utterance) ([][]int, error) {
	if m.infer == nil {
		m.infer = nets.NewProgram(m.define(), nets.ProgramOptions{Mode: nets.Eval})
	}
	seg, st := m.Config.Segment, m.Config.Stride
	var segs [][]float32
	var owner []int
	for i, u := range us {
		for _, s := range m.segments(m.standardise(u.mel.Data, u.mel.Frames), u.mel.Frames, seg) {
			segs = append(segs, s)
			owner = append(owner, i)
		}
	}
	out := make([][]int, len(us))
	for a := 0; a < len(segs); a += inferBatch {
		b := min(len(segs), a+inferBatch)
		data := make([]float32, 0, (b-a)*len(segs[0]))
		for _, s := range segs[a:b] {
			data = append(data, s...)
		}
		pass, err := m.infer.Run(nets.Feed{Name: "mel", Shape: []int{b - a, m.Config.NMels, seg}, Data: data})
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		codes, _, err := pass.Value("codes")
		if err != nil {
			return nil, fmt.Errorf("img2speech: %w", err)
		}
		per := seg / st
		for k := a; k < b; k++ {
			for _, c := range codes[(k-a)*per : (k-a+1)*per] {
				out[owner[k]] = append(out[owner[k]], int(c))
			}
		}
	}
	for i, u := range us {
		out[i] = out[i][:(u.mel.Frames+st-1)/st] // drop the padding's units
	}
	return out, nil
}

// Collapse drops consecutive repeats of units (durations), giving the unit
// sequence of the paper: [3 3 7 7 7 3] → [3 7 3].
func Collapse(units []int) []int {
	var out []int
	for i, u := range units {
		if i == 0 || u != units[i-1] {
			out = append(out, u)
		}
	}
	return out
}

// fitDurations sets each code's mean run length over the utterances'
// units (1 for codes never chosen).
func (m *Model) fitDurations(units [][]int) {
	runs := make([]float64, m.Config.Codes)
	n := make([]float64, m.Config.Codes)
	for _, us := range units {
		for i := 0; i < len(us); {
			j := i
			for j < len(us) && us[j] == us[i] {
				j++
			}
			runs[us[i]] += float64(j - i)
			n[us[i]]++
			i = j
		}
	}
	m.durations = make([]float64, m.Config.Codes)
	for k := range runs {
		m.durations[k] = 1
		if n[k] > 0 {
			m.durations[k] = runs[k] / n[k]
		}
	}
}

// Expand gives a collapsed unit sequence (Collapse, or what an image is
// described with) back its durations, one unit per 40 ms, as Speak takes
// them: each unit is held for its mean duration in the captions the image
// stage was trained on, rounded so that the total follows the sum of the
// means.
func (m *Model) Expand(seq []int) ([]int, error) {
	if m.durations == nil {
		return nil, fmt.Errorf("img2speech: the model has no unit durations (train the image stage)")
	}
	var out []int
	acc := 0.0
	for i, u := range seq {
		if u < 0 || u >= m.Config.Codes {
			return nil, fmt.Errorf("img2speech: unit %d at position %d; the codebook has %d", u, i, m.Config.Codes)
		}
		acc += m.durations[u]
		for k := max(1, int(math.Round(acc))-len(out)); k > 0; k-- {
			out = append(out, u)
		}
	}
	return out, nil
}
