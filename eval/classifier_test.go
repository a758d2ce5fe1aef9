package eval

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// blobs draws n rows of k Gaussian clusters in d dimensions, far from
// zero mean and unit scale on purpose (the probe standardises).
func blobs(rng *rand.Rand, centres [][]float64, n int) ([][]float64, []int) {
	var x [][]float64
	var y []int
	for i := 0; i < n; i++ {
		q := i % len(centres)
		r := make([]float64, len(centres[q]))
		for j := range r {
			r[j] = 100 + 50*(centres[q][j]+rng.NormFloat64())
		}
		x, y = append(x, r), append(y, q)
	}
	return x, y
}

func randomCentres(rng *rand.Rand, k, d int, spread float64) [][]float64 {
	c := make([][]float64, k)
	for q := range c {
		c[q] = make([]float64, d)
		for j := range c[q] {
			c[q][j] = spread * rng.NormFloat64()
		}
	}
	return c
}

// TestClassifierOptimum checks the fit against the optimality condition
// of its objective, computed independently in float64: at the minimum of
// (1/n)Σ CE + λ/2‖W‖² the gradient is zero.
func TestClassifierOptimum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	centres := randomCentres(rng, 3, 5, 0.7) // overlapping: a finite optimum
	x, y := blobs(rng, centres, 90)
	const lambda = 0.05
	c, err := TrainClassifier(x, y, 3, lambda, 2000)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(x))
	gw := make([][]float64, 3)
	gb := make([]float64, 3)
	for q := range gw {
		gw[q] = make([]float64, 5)
		for j := range gw[q] {
			gw[q][j] = lambda * c.W[q][j]
		}
	}
	var maxW float64
	for i, r := range x {
		z := make([]float64, 5)
		for j := range z {
			z[j] = (r[j] - c.Scale.Mean[j]) / c.Scale.Std[j]
		}
		p := make([]float64, 3)
		var tot float64
		for q := range p {
			s := c.B[q]
			for j := range z {
				s += c.W[q][j] * z[j]
			}
			p[q] = math.Exp(s)
			tot += p[q]
		}
		for q := range p {
			e := p[q] / tot
			if q == y[i] {
				e--
			}
			gb[q] += e / n
			for j := range z {
				gw[q][j] += e * z[j] / n
			}
		}
	}
	for q := range gw {
		for j := range gw[q] {
			maxW = math.Max(maxW, math.Abs(c.W[q][j]))
			if math.Abs(gw[q][j]) > 1e-6 {
				t.Errorf("gradient dW[%d][%d] = %g at the fit, want 0", q, j, gw[q][j])
			}
		}
		if math.Abs(gb[q]) > 1e-6 {
			t.Errorf("gradient dB[%d] = %g at the fit, want 0", q, gb[q])
		}
	}
	if maxW < 0.1 {
		t.Errorf("weights stay near zero (max |W| %g): nothing was learned", maxW)
	}
}

func TestClassifierErrors(t *testing.T) {
	x := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	for name, f := range map[string]func() error{
		"labels":  func() error { _, err := TrainClassifier(x, []int{0, 1}, 2, 0.1, 10); return err },
		"range":   func() error { _, err := TrainClassifier(x, []int{0, 1, 2}, 2, 0.1, 10); return err },
		"lambda":  func() error { _, err := TrainClassifier(x, []int{0, 1, 1}, 2, -1, 10); return err },
		"ragged":  func() error { _, err := TrainClassifier([][]float64{{1}, {2, 3}}, []int{0, 1}, 2, 0.1, 10); return err },
		"no rows": func() error { _, err := TrainClassifier(nil, nil, 2, 0.1, 10); return err },
		"probe":   func() error { _, err := Probe("p", Splits{Train: x, YTrain: []int{0, 1, 1}, Classes: 2}); return err },
		"test dim": func() error {
			_, err := Probe("p", Splits{Train: x, YTrain: []int{0, 1, 1}, Test: [][]float64{{1}}, YTest: []int{0}, Classes: 2})
			return err
		},
	} {
		if f() == nil {
			t.Errorf("%s: bad input accepted", name)
		}
	}
}

func TestProbeBlobsAndNoise(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	centres := randomCentres(rng, 4, 10, 3)
	xt, yt := blobs(rng, centres, 200)
	xv, yv := blobs(rng, centres, 100)
	xs, ys := blobs(rng, centres, 200)
	r, err := Probe("blobs", Splits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Test: xs, YTest: ys, Classes: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r.TestAcc < 0.97 || r.TrainAcc < 0.97 || r.Dim != 10 || r.TestN != 200 {
		t.Errorf("separable blobs: %+v", r)
	}
	// Labels unrelated to the features: test accuracy stays near chance.
	for i := range ys {
		ys[i] = rng.Intn(4)
	}
	if r, err = Probe("noise", Splits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Test: xs, YTest: ys, Classes: 4}); err != nil {
		t.Fatal(err)
	}
	if r.TestAcc > 0.4 {
		t.Errorf("random test labels: accuracy %.3f, want near 0.25", r.TestAcc)
	}
	// Without val rows λ is the default and ValAcc is NaN.
	if r, err = Probe("no val", Splits{Train: xt, YTrain: yt, Test: xs, YTest: ys, Classes: 4}); err != nil || r.Lambda != defaultLambda || !math.IsNaN(r.ValAcc) {
		t.Errorf("probe without val: %+v, %v", r, err)
	}
}

func TestCrossValidate(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x, y := blobs(rng, randomCentres(rng, 3, 4, 3), 60)
	r, err := CrossValidate("blobs", x, y, 3, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Folds) != 5 || r.N != 60 || r.Dim != 4 {
		t.Fatalf("result %+v", r)
	}
	tested := 0
	var right float64
	for _, f := range r.Folds {
		// stratified: 60 rows of 3 balanced classes make 12 per fold, 4 of each
		if f.TestN != 12 || f.ValN != 12 || f.TrainN != 36 {
			t.Errorf("fold %s: %d train, %d val, %d test rows, want 36, 12, 12", f.Name, f.TrainN, f.ValN, f.TestN)
		}
		tested += f.TestN
		right += f.TestAcc * float64(f.TestN)
	}
	if tested != 60 || math.Abs(right/60-r.Accuracy) > 1e-12 {
		t.Errorf("folds test %d rows, %.1f right; accuracy %v", tested, right, r.Accuracy)
	}
	if r.Accuracy < 0.9 {
		t.Errorf("separable blobs: cross-validated accuracy %v", r.Accuracy)
	}
	if want := math.Sqrt(r.Accuracy * (1 - r.Accuracy) / 60); r.StdErr != want {
		t.Errorf("StdErr %v, want %v", r.StdErr, want)
	}
	again, _ := CrossValidate("blobs", x, y, 3, 5, 7)
	if again.Accuracy != r.Accuracy {
		t.Error("same seed, different result")
	}
	if _, err := CrossValidate("x", x, y, 3, 1, 7); err == nil {
		t.Error("1 fold accepted")
	}
	two, err := CrossValidate("two", x, y, 3, 2, 7)
	if err != nil || two.Folds[0].ValN != 0 || two.Folds[0].TrainN != 30 {
		t.Errorf("2 folds: %+v, %v", two.Folds, err)
	}
}

func TestCVResultRow(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x, y := blobs(rng, randomCentres(rng, 3, 4, 3), 60)
	r, err := CrossValidate("blobs", x, y, 3, 5, 7)
	if err != nil {
		t.Fatal(err)
	}
	row := r.Result()
	if row.TestAcc != r.Accuracy || row.StdErr != r.StdErr || row.TestN != 60 || row.Dim != 4 || !math.IsNaN(row.Lambda) {
		t.Errorf("row %+v from %+v", row, r)
	}
}

func TestFewShot(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	centres := randomCentres(rng, 3, 6, 3)
	xt, yt := blobs(rng, centres, 90)
	xs, ys := blobs(rng, centres, 90)
	s := Splits{Train: xt, YTrain: yt, Test: xs, YTest: ys, Classes: 3}
	r, err := FewShot("blobs", s, 2, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.TrainN != 6 || r.TestN != 90 || r.Dim != 6 || r.TestAcc < 0.8 || !(r.StdErr >= 0) {
		t.Errorf("separable blobs, 2 per class: %+v", r)
	}
	// labels unrelated to the features stay near chance
	noise := slices.Clone(ys)
	for i := range noise {
		noise[i] = rng.Intn(3)
	}
	s.YTest = noise
	if r, err = FewShot("noise", s, 2, 10, 1); err != nil || r.TestAcc > 0.5 {
		t.Errorf("random test labels: %+v, %v", r, err)
	}
	s.YTest = ys
	if _, err := FewShot("too many", s, 1000, 1, 1); err == nil {
		t.Error("more per class than train rows accepted")
	}
}
