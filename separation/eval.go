package separation

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
)

// EvalOptions configures Evaluate.
type EvalOptions struct {
	Mixtures int     // mixtures to draw; 0 means 100
	Seconds  float64 // length of each mixture; 0 means Config.Segment
	Seed     int64   // draws the mixtures
	// Baseline, if set, is an audio-only model of the same condition
	// (Config.Speakers) scored with the best speaker permutation per
	// mixture, as PIT models are.
	Baseline *Model
	// Similar, if > 0, adds a condition for two speakers: mixtures of
	// voices whose typical fundamentals (the median over a voice's voiced
	// frames of its salience peak) are at most Similar semitones apart,
	// where a face has to tell the voices apart.
	Similar  float64
	Progress io.Writer // nil is quiet
}

// Result is one row of the evaluation table: a system on a condition,
// averaged over mixtures and, for two speakers, over both voices.
type Result struct {
	System    string
	Condition string
	Mixtures  int
	SISDR     float64 // dB, of the estimates
	SISDRi    float64 // dB, improvement over the unprocessed mixture
	SDR       float64 // dB, BSS Eval SDR with a 512-tap distortion filter
	SDRi      float64
	// Assigned is the fraction of mixtures whose voices came out at the
	// right faces (face order beats the swapped order in SI-SDR); NaN
	// where it does not apply (one speaker, PIT, oracle, mixture).
	Assigned float64
}

// Metrics is the evaluation table.
type Metrics struct {
	Rows []Result
}

// String formats the table.
func (m Metrics) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s %-16s %5s %8s %8s %8s %8s %9s\n", "system", "condition", "mixes", "SI-SDR", "SI-SDRi", "SDR", "SDRi", "assigned")
	for _, r := range m.Rows {
		as := "—"
		if !math.IsNaN(r.Assigned) {
			as = fmt.Sprintf("%.1f%%", 100*r.Assigned)
		}
		fmt.Fprintf(&b, "%-26s %-16s %5d %8.2f %8.2f %8.2f %8.2f %9s\n", r.System, r.Condition, r.Mixtures, r.SISDR, r.SISDRi, r.SDR, r.SDRi, as)
	}
	return b.String()
}

// Condition names the mixtures a config separates.
func (c Config) Condition() string {
	if c.Speakers == 1 {
		return "speech + noise"
	}
	return fmt.Sprintf("%d speakers", c.Speakers)
}

// score accumulates the metrics of one system.
type score struct {
	sisdr, sisdri, sdr, sdri float64
	n, right, asg            int
}

func (s *score) result(system, cond string, mixtures int, assign bool) Result {
	r := Result{System: system, Condition: cond, Mixtures: mixtures, Assigned: math.NaN()}
	k := float64(max(1, s.n))
	r.SISDR, r.SISDRi, r.SDR, r.SDRi = s.sisdr/k, s.sisdri/k, s.sdr/k, s.sdri/k
	if assign && s.asg > 0 {
		r.Assigned = float64(s.right) / float64(s.asg)
	}
	return r
}

// sdrLen is the BSS Eval distortion filter length (bss_eval_sources).
const sdrLen = 512

// Evaluate measures m on mixtures drawn (as in training, with o.Seed) from
// clips, which should be speakers never seen in training: per source the
// SI-SDR and SDR of the estimate and their improvement over the
// unprocessed mixture. Rows: the model, o.Baseline if given, two oracles
// (all sources, noise included, known): the ideal ratio mask and the
// phase-sensitive mask (the best real mask in [0, 1] under the training
// loss, so the upper bound of a real-mask model), and the mixture itself.
// For one speaker + noise only the speech is scored.
func Evaluate(m *Model, clips []*avio.Clip, o EvalOptions) (Metrics, error) {
	var out Metrics
	cfg := m.Config
	if o.Mixtures == 0 {
		o.Mixtures = 100
	}
	if o.Mixtures < 0 {
		return out, fmt.Errorf("separation: EvalOptions.Mixtures = %d, want > 0", o.Mixtures)
	}
	if o.Seconds == 0 {
		o.Seconds = cfg.Segment
	}
	frames := int(math.Round(o.Seconds * cfg.FPS))
	if frames < 1 || o.Seconds > 60 {
		return out, fmt.Errorf("separation: EvalOptions.Seconds = %v, want one video frame … 60 s", o.Seconds)
	}
	if b := o.Baseline; b != nil && (b.Config.Speakers != cfg.Speakers || b.Config.Rate != cfg.Rate) {
		return out, fmt.Errorf("separation: baseline separates %d speakers at %d Hz, the model %d at %d Hz", b.Config.Speakers, b.Config.Rate, cfg.Speakers, cfg.Rate)
	}
	srcs, err := cfg.loadSources(context.Background(), clips, o.Progress, "loading test clips")
	if err != nil {
		return out, err
	}
	mx, err := newMixer(cfg, srcs, frames)
	if err != nil {
		return out, err
	}
	r := rand.New(rand.NewSource(o.Seed))
	rows, err := m.evaluate(mx, o, cfg.Condition(), func() (*example, error) { return mx.draw(r), nil })
	if err != nil {
		return out, err
	}
	out.Rows = rows
	if o.Similar > 0 && cfg.Speakers == 2 {
		r := rand.New(rand.NewSource(o.Seed))
		draws := 0
		similar := func() (*example, error) {
			for ; draws < 100*o.Mixtures; draws++ {
				ex := mx.draw(r)
				a, okA := cfg.typicalF0(ex.srcs[0])
				b, okB := cfg.typicalF0(ex.srcs[1])
				if okA && okB && math.Abs(12*math.Log2(a/b)) <= o.Similar {
					draws++
					return ex, nil
				}
			}
			return nil, fmt.Errorf("separation: no two voices within %g semitones in %d mixtures of these clips", o.Similar, draws)
		}
		rows, err := m.evaluate(mx, o, fmt.Sprintf("similar (≤%g st)", o.Similar), similar)
		if err != nil {
			return out, err
		}
		out.Rows = append(out.Rows, rows...)
	}
	return out, nil
}

// evaluate scores m (and o.Baseline and the oracles) on o.Mixtures
// mixtures from draw and returns one row per system, of condition cond.
func (m *Model) evaluate(mx *mixer, o EvalOptions, cond string, draw func() (*example, error)) ([]Result, error) {
	cfg := m.Config
	var model, base, oracle, phase, mixture score
	bar := progress.New(o.Progress, "evaluating "+cond, o.Mixtures)
	defer bar.Done()
	for i := 0; i < o.Mixtures; i++ {
		ex, err := draw()
		if err != nil {
			return nil, err
		}
		refs := ex.srcs
		mixScores, err := ex.mixScores()
		if err != nil {
			return nil, fmt.Errorf("separation: mixture %d: %w", i, err)
		}
		for _, ms := range mixScores {
			mixture.add(ms[0], ms[1], ms)
		}
		est, err := m.separate(ex)
		if err != nil {
			return nil, err
		}
		if err := model.addAll(refs, est, mixScores, !cfg.AudioOnly && len(refs) == 2, cfg.AudioOnly); err != nil {
			return nil, err
		}
		if o.Baseline != nil {
			bex := *ex
			bex.mouths = nil
			best, err := o.Baseline.separate(&bex)
			if err != nil {
				return nil, err
			}
			if err := base.addAll(refs, best, mixScores, false, true); err != nil {
				return nil, err
			}
		}
		irm, psm, err := cfg.oracle(ex)
		if err != nil {
			return nil, err
		}
		if err := oracle.addAll(refs, irm, mixScores, false, false); err != nil {
			return nil, err
		}
		if err := phase.addAll(refs, psm, mixScores, false, false); err != nil {
			return nil, err
		}
		bar.Add(1)
	}
	name := "face-guided (this model)"
	if cfg.AudioOnly {
		name = "audio-only (this model)"
	}
	if cfg.Consistency {
		name = strings.Replace(name, "(this model)", "+ consistency", 1)
	}
	rows := []Result{model.result(name, cond, o.Mixtures, true)}
	if o.Baseline != nil {
		bn := "audio-only PIT"
		if cfg.Speakers == 1 {
			bn = "audio-only"
		}
		rows = append(rows, base.result(bn, cond, o.Mixtures, false))
	}
	return append(rows, oracle.result("oracle IRM", cond, o.Mixtures, false),
		phase.result("oracle PSM (best real)", cond, o.Mixtures, false),
		mixture.result("unprocessed mixture", cond, o.Mixtures, false)), nil
}

// mixScores returns per source of ex the SI-SDR and SDR of the
// unprocessed mixture, the figures improvements are measured from.
func (ex *example) mixScores() ([][2]float64, error) {
	out := make([][2]float64, len(ex.srcs))
	for s, ref := range ex.srcs {
		a, err1 := dsp.SISDR(ref, ex.mix)
		b, err2 := dsp.SDR(ref, ex.mix, sdrLen)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%v %v", err1, err2)
		}
		out[s] = [2]float64{a, b}
	}
	return out, nil
}

func (s *score) add(sisdr, sdr float64, mix [2]float64) {
	s.sisdr += sisdr
	s.sdr += sdr
	s.sisdri += sisdr - mix[0]
	s.sdri += sdr - mix[1]
	s.n++
}

// addAll scores estimates est against refs in face order, or in the best
// order when pit is set; assign records whether face order beat the swap.
func (s *score) addAll(refs, est [][]float64, mix [][2]float64, assign, pit bool) error {
	si := func(a, b []float64) (float64, error) { return dsp.SISDR(a, b) }
	order := make([]int, len(refs))
	for i := range order {
		order[i] = i
	}
	if (assign || pit) && len(refs) == 2 && len(est) == 2 {
		var straight, swapped float64
		for i := 0; i < 2; i++ {
			a, err := si(refs[i], est[i])
			if err != nil {
				return err
			}
			b, err := si(refs[i], est[1-i])
			if err != nil {
				return err
			}
			straight, swapped = straight+a, swapped+b
		}
		if assign {
			s.asg++
			if straight > swapped {
				s.right++
			}
		}
		if pit && swapped > straight {
			order = []int{1, 0}
		}
	}
	for i, ref := range refs {
		e := est[order[i]]
		a, err := dsp.SISDR(ref, e)
		if err != nil {
			return err
		}
		b, err := dsp.SDR(ref, e, sdrLen)
		if err != nil {
			return err
		}
		s.add(a, b, mix[i])
	}
	return nil
}

// oracle returns the oracle estimates of ex's sources (masks from the
// true sources, noise included): the ideal ratio masks applied to the
// mixture's linear STFT, and the phase-sensitive masks applied to its
// compressed STFT, the best any real mask in [0, 1] can do under the
// training loss.
func (c Config) oracle(ex *example) (irm, psm [][]float64, err error) {
	st := c.STFT()
	X, err := dsp.STFT(ex.mix, st)
	if err != nil {
		return nil, nil, err
	}
	parts := append([][]float64(nil), ex.srcs...)
	if ex.noise != nil {
		parts = append(parts, ex.noise)
	}
	var specs, comp []*dsp.ComplexSpectrogram
	for _, p := range parts {
		S, err := dsp.STFT(p, st)
		if err != nil {
			return nil, nil, err
		}
		specs, comp = append(specs, S), append(comp, dsp.CompressSpectrogram(S, c.Power))
	}
	Xc := dsp.CompressSpectrogram(X, c.Power)
	ratio, err := dsp.IdealRatioMasks(specs)
	if err != nil {
		return nil, nil, err
	}
	phase, err := dsp.PhaseSensitiveMasks(Xc, comp)
	if err != nil {
		return nil, nil, err
	}
	for s := range ex.srcs {
		Y, err := dsp.ApplyMask(X, ratio[s], nil)
		if err != nil {
			return nil, nil, err
		}
		y, err := dsp.ISTFT(Y, st, len(ex.mix))
		if err != nil {
			return nil, nil, err
		}
		if Y, err = dsp.ApplyMask(Xc, phase[s], nil); err != nil {
			return nil, nil, err
		}
		z, err := c.Synthesise(Y, len(ex.mix))
		if err != nil {
			return nil, nil, err
		}
		irm, psm = append(irm, y), append(psm, z)
	}
	return irm, psm, nil
}
