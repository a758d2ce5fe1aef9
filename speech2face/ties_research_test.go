//go:build research

package speech2face

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/synth"
)

// TestVoiceFaceTies measures how much of each face attribute of
// synth.Speakers the voice carries: ridge regression from voice
// descriptors (MFCC and log-mel statistics, averaged over a speaker's
// clips) to the attribute, fitted on the train speakers, correlated with
// the truth on the test and val speakers. The figures are in
// docs/runs/speech2face/README.md:
//
//	go test -tags research ./speech2face -run VoiceFaceTies -v
func TestVoiceFaceTies(t *testing.T) {
	root := filepath.Join(t.TempDir(), "c")
	const k = 400
	if err := synth.Speakers(root, synth.SpeakersOptions{N: 2 * k, Speakers: k, Seed: 31, Duration: 2, Size: 16}); err != nil {
		t.Fatal(err)
	}
	ds, err := avio.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	feats := func(clips []*avio.Clip) ([][]float32, [][]float64) {
		by := map[string][]float64{}
		first := map[string]*avio.Clip{}
		var order []string
		for _, c := range clips {
			x, err := c.Audio(16000)
			if err != nil {
				t.Fatal(err)
			}
			a, err := eval.MFCCStats(x, eval.MFCCConfig(16000))
			if err != nil {
				t.Fatal(err)
			}
			b, err := eval.LogMelStats(x, eval.LogMelConfig(16000))
			if err != nil {
				t.Fatal(err)
			}
			f := append(a, b...)
			s := c.Meta.Labels["speaker"]
			if by[s] == nil {
				by[s] = make([]float64, len(f))
				first[s] = c
				order = append(order, s)
			}
			for i, v := range f {
				by[s][i] += v
			}
		}
		var x [][]float32
		var cl []*avio.Clip
		for _, s := range order {
			r := make([]float32, len(by[s]))
			for i, v := range by[s] {
				r[i] = float32(v)
			}
			x = append(x, r)
			cl = append(cl, first[s])
		}
		y, err := labelRows(cl, Attributes)
		if err != nil {
			t.Fatal(err)
		}
		return x, y
	}
	xtr, ytr := feats(ds.Split("train"))
	xte, yte := feats(append(ds.Split("test"), ds.Split("val")...))
	est, err := fitRidge(xtr, ytr, 10)
	if err != nil {
		t.Fatal(err)
	}
	sex, corr := agreement(est.apply(xte), yte)
	var b strings.Builder
	fmt.Fprintf(&b, "%d train speakers, %d held-out: sex_like side of 0.5 agrees %.1f %%", len(xtr), len(xte), 100*sex)
	for j, a := range Attributes {
		fmt.Fprintf(&b, "; r %s %.2f", a, corr[j])
	}
	t.Log(b.String())
	// the ties the synth rules build in: strong, weak, none
	if sex < 0.9 {
		t.Errorf("sex_like from the voice: %.2f agreement, want ≥ 0.9", sex)
	}
	for j, a := range Attributes {
		switch a {
		case "jaw", "brow":
			if corr[j] < 0.5 {
				t.Errorf("%s: r %.2f, want ≥ 0.5 (strong tie through sex_like)", a, corr[j])
			}
		case "eye_spacing", "nose":
			if corr[j] > 0.3 {
				t.Errorf("%s: r %.2f, want ≈ 0 (no tie)", a, corr[j])
			}
		}
	}
}

// ridge is a linear map from standardised embeddings to attributes.
type ridge struct {
	std eval.Standardiser
	w   *mat.Dense // [d+1, k]
}

// fitRidge fits y ≈ [x 1]·W by ridge regression with penalty lambda
// (not on the intercept).
func fitRidge(x [][]float32, y [][]float64, lambda float64) (*ridge, error) {
	std, err := eval.FitStandardiser(f64(x))
	if err != nil {
		return nil, err
	}
	xs := std.ApplyAll(f64(x))
	n, d, k := len(xs), len(xs[0]), len(y[0])
	X := mat.NewDense(n, d+1, nil)
	Y := mat.NewDense(n, k, nil)
	for i := range xs {
		for j, v := range xs[i] {
			X.Set(i, j, v)
		}
		X.Set(i, d, 1)
		for j, v := range y[i] {
			Y.Set(i, j, v)
		}
	}
	var A mat.Dense
	A.Mul(X.T(), X)
	for j := 0; j < d; j++ {
		A.Set(j, j, A.At(j, j)+lambda)
	}
	var B mat.Dense
	B.Mul(X.T(), Y)
	var W mat.Dense
	if err := W.Solve(&A, &B); err != nil {
		return nil, err
	}
	return &ridge{std: std, w: &W}, nil
}

func (r *ridge) apply(x [][]float32) [][]float64 {
	xs := r.std.ApplyAll(f64(x))
	d, k := len(xs[0]), r.w.RawMatrix().Cols
	out := make([][]float64, len(xs))
	for i, row := range xs {
		out[i] = make([]float64, k)
		for j := 0; j < k; j++ {
			v := r.w.At(d, j)
			for t, xv := range row {
				v += xv * r.w.At(t, j)
			}
			out[i][j] = v
		}
	}
	return out
}
