package eval

import (
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sync"
)

// ProbeLambdas are the L2 weights a probe chooses from on the validation
// rows.
var ProbeLambdas = []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}

// ProbeIters is the number of gradient steps of each probe's classifier.
const ProbeIters = 1000

// defaultLambda is the L2 weight of a probe that has no validation rows to
// choose one.
const defaultLambda = 1e-2

// Splits holds the feature rows and labels of the three splits of one
// kind of features.
type Splits struct {
	Train, Val, Test    [][]float64
	YTrain, YVal, YTest []int
	Classes             int
}

// ProbeResult is one linear probe: which features, the λ chosen, and the
// accuracies (fractions) on each split.
type ProbeResult struct {
	Name                      string
	Dim                       int
	Lambda                    float64 // chosen on val: the best accuracy, then the largest λ
	TrainAcc, ValAcc, TestAcc float64 // ValAcc is NaN without val rows
	TrainN, ValN, TestN       int
	// StdErr is the standard error of TestAcc: binomial,
	// √(TestAcc·(1−TestAcc)/TestN), for one test split or pooled
	// cross-validation folds; over the draws for FewShot.
	StdErr float64
}

// Probe trains a classifier on the train rows for every λ of ProbeLambdas,
// keeps the one with the best validation accuracy (λ = 1e-2 when there are
// no val rows) and reports its accuracies. Test rows take no part in any
// choice.
func Probe(name string, s Splits) (ProbeResult, error) {
	r := ProbeResult{Name: name, TrainN: len(s.Train), ValN: len(s.Val), TestN: len(s.Test), ValAcc: math.NaN()}
	if len(s.Train) == 0 || len(s.Test) == 0 {
		return r, fmt.Errorf("eval: probe %s: %d train and %d test rows", name, len(s.Train), len(s.Test))
	}
	for _, p := range []struct {
		split string
		x     [][]float64
		y     []int
	}{{"train", s.Train, s.YTrain}, {"val", s.Val, s.YVal}, {"test", s.Test, s.YTest}} {
		if len(p.x) != len(p.y) {
			return r, fmt.Errorf("eval: probe %s: %d %s rows and %d labels", name, len(p.x), p.split, len(p.y))
		}
		for i, row := range p.x {
			if len(row) != len(s.Train[0]) {
				return r, fmt.Errorf("eval: probe %s: %s row %d has %d values, want %d", name, p.split, i, len(row), len(s.Train[0]))
			}
		}
	}
	r.Dim = len(s.Train[0])
	lambdas := ProbeLambdas
	if len(s.Val) == 0 {
		lambdas = []float64{defaultLambda}
	}
	// the λ are independent: train them side by side
	cs, errs := make([]*Classifier, len(lambdas)), make([]error, len(lambdas))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, l := range lambdas {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			cs[i], errs[i] = TrainClassifier(s.Train, s.YTrain, s.Classes, l, ProbeIters)
		}()
	}
	wg.Wait()
	var best *Classifier
	for i, l := range lambdas {
		c, err := cs[i], errs[i]
		if err != nil {
			return r, fmt.Errorf("eval: probe %s: %w", name, err)
		}
		va := c.Accuracy(s.Val, s.YVal)
		if best == nil || va >= r.ValAcc {
			best, r.ValAcc, r.Lambda = c, va, l
		}
	}
	r.TrainAcc = best.Accuracy(s.Train, s.YTrain)
	r.TestAcc = best.Accuracy(s.Test, s.YTest)
	r.StdErr = binomialSE(r.TestAcc, r.TestN)
	return r, nil
}

// binomialSE is the standard error of an accuracy p measured on n items.
func binomialSE(p float64, n int) float64 {
	return math.Sqrt(p * (1 - p) / float64(n))
}

// CVResult is the outcome of k-fold cross-validation.
type CVResult struct {
	Name string
	Dim  int
	// Accuracy is the fraction of all rows classified right when each was
	// in the test fold; StdErr is its binomial standard error
	// √(Accuracy·(1−Accuracy)/n).
	Accuracy, StdErr float64
	N                int
	Folds            []ProbeResult // one probe per test fold
}

// CrossValidate estimates the accuracy of a linear probe on a corpus too
// small to hold out a test split. The rows are dealt into k folds,
// stratified by class after a shuffle seeded by seed; each fold in turn is
// the test split, the next fold the validation split that chooses λ, and
// the other k−2 folds the train split (with k = 2 there is no validation
// fold and λ is 1e-2).
func CrossValidate(name string, x [][]float64, y []int, classes, k int, seed int64) (CVResult, error) {
	r := CVResult{Name: name, N: len(x)}
	if k < 2 || k > len(x) {
		return r, fmt.Errorf("eval: cross-validation %s: %d folds of %d rows, want 2 … rows", name, k, len(x))
	}
	if len(x) != len(y) {
		return r, fmt.Errorf("eval: cross-validation %s: %d rows and %d labels", name, len(x), len(y))
	}
	order := rand.New(rand.NewSource(seed)).Perm(len(x))
	// stable sort by class keeps the shuffled order within a class, and
	// dealing round-robin then spreads every class over all folds
	slices.SortStableFunc(order, func(a, b int) int { return y[a] - y[b] })
	fold := make([]int, len(x))
	for i, j := range order {
		fold[j] = i % k
	}
	right := 0
	for f := 0; f < k; f++ {
		var s Splits
		s.Classes = classes
		for i := range x {
			switch {
			case fold[i] == f:
				s.Test, s.YTest = append(s.Test, x[i]), append(s.YTest, y[i])
			case k > 2 && fold[i] == (f+1)%k:
				s.Val, s.YVal = append(s.Val, x[i]), append(s.YVal, y[i])
			default:
				s.Train, s.YTrain = append(s.Train, x[i]), append(s.YTrain, y[i])
			}
		}
		p, err := Probe(fmt.Sprintf("%s fold %d", name, f+1), s)
		if err != nil {
			return r, err
		}
		r.Dim = p.Dim
		right += int(math.Round(p.TestAcc * float64(p.TestN)))
		r.Folds = append(r.Folds, p)
	}
	r.Accuracy = float64(right) / float64(len(x))
	r.StdErr = binomialSE(r.Accuracy, len(x))
	return r, nil
}

// Result is r as one row of ProbeResults: the pooled accuracy of the test
// folds as TestAcc over N test rows, λ and the train and val accuracies
// NaN (each fold chose its own).
func (r CVResult) Result() ProbeResult {
	return ProbeResult{Name: r.Name, Dim: r.Dim, Lambda: math.NaN(), TrainAcc: math.NaN(), ValAcc: math.NaN(),
		TestAcc: r.Accuracy, TestN: r.N, StdErr: r.StdErr}
}

// FewShot measures a probe trained on few labels: draws times, perClass
// train rows of every class are drawn (seeded by seed) and a classifier
// with λ = 1e-2 (too few rows to spare for validation) is scored on all
// the test rows. TestAcc is the mean over the draws and StdErr its
// standard error over them; TrainN is the train rows of one draw.
func FewShot(name string, s Splits, perClass, draws int, seed int64) (ProbeResult, error) {
	r := ProbeResult{Name: name, Lambda: defaultLambda, TrainAcc: math.NaN(), ValAcc: math.NaN(), TestN: len(s.Test)}
	if perClass < 1 || draws < 1 || len(s.Test) == 0 || len(s.Test) != len(s.YTest) || len(s.Train) != len(s.YTrain) {
		return r, fmt.Errorf("eval: few-label probe %s: %d per class, %d draws, %d/%d train and %d/%d test rows and labels",
			name, perClass, draws, len(s.Train), len(s.YTrain), len(s.Test), len(s.YTest))
	}
	byClass := make([][]int, s.Classes)
	for i, c := range s.YTrain {
		if c < 0 || c >= s.Classes {
			return r, fmt.Errorf("eval: few-label probe %s: label %d outside [0, %d)", name, c, s.Classes)
		}
		byClass[c] = append(byClass[c], i)
	}
	for c, is := range byClass {
		if len(is) < perClass {
			return r, fmt.Errorf("eval: few-label probe %s: class %d has %d train rows, want %d", name, c, len(is), perClass)
		}
	}
	rng := rand.New(rand.NewSource(seed))
	accs := make([]float64, draws)
	for d := range accs {
		var x [][]float64
		var y []int
		for c, is := range byClass {
			for _, j := range rng.Perm(len(is))[:perClass] {
				x, y = append(x, s.Train[is[j]]), append(y, c)
			}
		}
		cl, err := TrainClassifier(x, y, s.Classes, defaultLambda, ProbeIters)
		if err != nil {
			return r, fmt.Errorf("eval: few-label probe %s: %w", name, err)
		}
		accs[d] = cl.Accuracy(s.Test, s.YTest)
		r.Dim, r.TrainN = len(x[0]), len(x)
	}
	var sum, sq float64
	for _, a := range accs {
		sum += a
	}
	r.TestAcc = sum / float64(draws)
	for _, a := range accs {
		sq += (a - r.TestAcc) * (a - r.TestAcc)
	}
	if draws > 1 {
		r.StdErr = math.Sqrt(sq / float64(draws-1) / float64(draws))
	}
	return r, nil
}

// ProbeResults are the probes of several kinds of features on one task.
type ProbeResults []ProbeResult

// Table lays out the results as a table: features, dim, λ, the train,
// val and test accuracies in per cent, printed with pct (e.g. "%.1f"),
// the test accuracy's standard error and the number of test rows.
func (rs ProbeResults) Table(pct string) *Table {
	t := &Table{Header: "features", Columns: []Column{
		{Name: "dim", Format: "%.0f"}, {Name: "λ", Format: "%g"},
		{Name: "train %", Format: pct}, {Name: "val %", Format: pct}, {Name: "test %", Format: pct},
		{Name: "± s.e.", Format: pct}, {Name: "test n", Format: "%.0f"},
	}}
	for _, r := range rs {
		t.Add(r.Name, float64(r.Dim), r.Lambda, 100*r.TrainAcc, 100*r.ValAcc, 100*r.TestAcc, 100*r.StdErr, float64(r.TestN))
	}
	return t
}
