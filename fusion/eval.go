package fusion

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
)

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Baselines are evaluated beside the model on the same clips and
	// conditions: single-stream models and the other fusion blocks.
	Baselines []*Model
	// Corruptions applied to one stream at a time; nil means Zeroed,
	// Missing and Noisy.
	Corruptions []Corruption
	Seed        int64     // draws the noise (the same for every model)
	Progress    io.Writer // nil is quiet
}

// Result is one cell of the evaluation: a system's accuracy under a
// condition.
type Result struct {
	System    string
	Streams   []Stream // the streams the system reads
	Condition string   // "all streams", or "<stream> <corruption>"
	Accuracy  float64
	Clips     int
}

// Metrics is the evaluation: every system under every condition, in order.
type Metrics struct {
	Rows       []Result
	Conditions []string // in column order
	Classes    int      // number of classes (chance is 1/Classes)
}

// AllStreamsCondition is the condition with every stream intact.
const AllStreamsCondition = "all streams"

// Condition names the condition of stream s under corruption k.
func Condition(s Stream, k Corruption) string { return string(s) + " " + string(k) }

// Accuracy returns the accuracy of system under condition.
func (mt Metrics) Accuracy(system, condition string) (float64, bool) {
	for _, r := range mt.Rows {
		if r.System == system && r.Condition == condition {
			return r.Accuracy, true
		}
	}
	return 0, false
}

// Evaluate measures the accuracy of m and o.Baselines on clips (a held-out
// split with the Config.Label label) with all streams intact, and with one
// stream at a time zeroed (the sensor delivers zeros, the model is not
// told), missing (marked in the stream mask) or noisy (see Corruption).
// A model that does not read a stream is unaffected by what happens to it.
func Evaluate(m *Model, clips []*avio.Clip, o EvalOptions) (Metrics, error) {
	mt := Metrics{Classes: len(m.Config.Classes), Conditions: []string{AllStreamsCondition}}
	if len(clips) == 0 {
		return mt, fmt.Errorf("fusion: no clips to evaluate")
	}
	ks := o.Corruptions
	if ks == nil {
		ks = []Corruption{Zeroed, Missing, Noisy}
	}
	for _, k := range ks {
		if !slices.Contains([]Corruption{Zeroed, Missing, Noisy}, k) {
			return mt, fmt.Errorf("fusion: unknown corruption %q; want zeroed, missing or noisy", k)
		}
	}
	models := append([]*Model{m}, o.Baselines...)
	var streams []Stream // streams any model reads, in canonical order
	for _, s := range AllStreams {
		for _, b := range models {
			if b.Config.has(s) && !slices.Contains(streams, s) {
				streams = append(streams, s)
			}
		}
	}
	for _, s := range streams {
		for _, k := range ks {
			mt.Conditions = append(mt.Conditions, Condition(s, k))
		}
	}
	for _, b := range models {
		if !slices.Equal(b.Config.Classes, m.Config.Classes) || b.Config.Label != m.Config.Label {
			return mt, fmt.Errorf("fusion: %s predicts %q %v, %s %q %v; compare models of one task", b.Name(), b.Config.Label, b.Config.Classes, m.Name(), m.Config.Label, m.Config.Classes)
		}
		if !b.fitted() {
			return mt, fmt.Errorf("fusion: %s is untrained", b.Name())
		}
		rows, err := b.evaluate(clips, streams, ks, o)
		if err != nil {
			return mt, err
		}
		mt.Rows = append(mt.Rows, rows...)
	}
	return mt, nil
}

// evaluate scores m under every condition.
func (m *Model) evaluate(clips []*avio.Clip, streams []Stream, ks []Corruption, o EvalOptions) ([]Result, error) {
	raw, err := m.Config.loadAll(context.Background(), clips, o.Progress, "evaluating "+m.Name())
	if err != nil {
		return nil, err
	}
	for _, d := range raw {
		if d.class < 0 {
			return nil, fmt.Errorf("fusion: clip %s: no %q label with one of the model's classes", d.name, m.Config.Label)
		}
	}
	s := len(m.Config.Streams)
	score := func(cond string, st Stream, k Corruption) (Result, error) {
		exs := make([]*example, len(raw))
		mask := fullMask(len(raw), s)
		for i, d := range raw {
			if k != "" && m.Config.has(st) {
				// the same noise for every model: drawn from the clip and stream
				r := rand.New(rand.NewSource(o.Seed*7919 + int64(i)*31 + int64(slices.Index(AllStreams, st))))
				d = d.corrupt(st, k, r)
				if k == Missing {
					mask[i*s+slices.Index(m.Config.Streams, st)] = 0
				}
			}
			if exs[i], err = m.example(d); err != nil {
				return Result{}, err
			}
		}
		right := 0
		const batch = 256
		for i := 0; i < len(exs); i += batch {
			j := min(len(exs), i+batch)
			ps, err := m.predict(exs[i:j], mask[i*s:j*s])
			if err != nil {
				return Result{}, err
			}
			for q, p := range ps {
				if p.Class == m.Config.Classes[exs[i+q].class] {
					right++
				}
			}
		}
		return Result{System: m.Name(), Streams: m.Config.Streams, Condition: cond, Accuracy: float64(right) / float64(len(exs)), Clips: len(exs)}, nil
	}
	all, err := score(AllStreamsCondition, "", "")
	if err != nil {
		return nil, err
	}
	out := []Result{all}
	for _, st := range streams {
		for _, k := range ks {
			r := all
			r.Condition = Condition(st, k)
			if m.Config.has(st) {
				if r, err = score(Condition(st, k), st, k); err != nil {
					return nil, err
				}
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// Table lays the metrics out as a results table: one row per system, the
// accuracy in % with all streams and under each condition.
func (mt Metrics) Table() *eval.Table {
	t := &eval.Table{Header: "system", Title: fmt.Sprintf("accuracy %% (chance %.1f %%)", 100/float64(max(1, mt.Classes)))}
	for _, c := range mt.Conditions {
		t.Columns = append(t.Columns, eval.Column{Name: c, Format: "%.1f"})
	}
	var systems []string
	for _, r := range mt.Rows {
		if !slices.Contains(systems, r.System) {
			systems = append(systems, r.System)
		}
	}
	for _, sys := range systems {
		v := make([]float64, len(mt.Conditions))
		for i, c := range mt.Conditions {
			a, _ := mt.Accuracy(sys, c)
			v[i] = 100 * a
		}
		t.Add(sys, v...)
	}
	return t
}

// Summary checks the metrics against what fusion should achieve, one line
// per check: each fusion system's margin over the best single-stream
// system with all streams, and, per stream, whether losing it (the worst
// of its conditions: zeroed, missing, noisy) costs each fusion system
// less than that stream's own accuracy above chance. It is empty without
// both single-stream and fusion systems.
func (mt Metrics) Summary() string {
	var b strings.Builder
	chance := 1 / float64(max(1, mt.Classes))
	single := map[Stream]float64{}
	best, bestName := -1.0, ""
	var fused []string
	for _, r := range mt.Rows {
		if r.Condition != AllStreamsCondition {
			continue
		}
		if len(r.Streams) == 1 {
			single[r.Streams[0]] = r.Accuracy
			if r.Accuracy > best {
				best, bestName = r.Accuracy, r.System
			}
		} else {
			fused = append(fused, r.System)
		}
	}
	if bestName == "" || len(fused) == 0 {
		return ""
	}
	for _, f := range fused {
		a, _ := mt.Accuracy(f, AllStreamsCondition)
		fmt.Fprintf(&b, "%s: %.1f %% with all streams, %+.1f points over the best single stream (%s, %.1f %%)\n", f, 100*a, 100*(a-best), bestName, 100*best)
		for _, s := range AllStreams {
			own, ok := single[s]
			if !ok {
				continue
			}
			worst, cond := 2.0, ""
			for _, r := range mt.Rows {
				if r.System == f && strings.HasPrefix(r.Condition, string(s)+" ") && r.Accuracy < worst {
					worst, cond = r.Accuracy, r.Condition
				}
			}
			if cond == "" {
				continue
			}
			verdict := "less than"
			if a-worst >= own-chance {
				verdict = "NOT less than"
			}
			fmt.Fprintf(&b, "  worst without %s (%s): %.1f %%, losing %.1f points, %s %s alone is above chance (%.1f)\n", s, cond, 100*worst, 100*(a-worst), verdict, s, 100*(own-chance))
		}
	}
	return b.String()
}
