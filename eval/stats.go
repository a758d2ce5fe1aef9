package eval

import (
	"fmt"
	"math"
)

// Float is the element type of the helpers that take float32 network
// outputs as well as float64 statistics.
type Float interface{ ~float32 | ~float64 }

// Argmax returns the index of the largest value of v (the first of equal
// ones), or -1 for an empty v.
func Argmax[T Float](v []T) int {
	if len(v) == 0 {
		return -1
	}
	k := 0
	for i, x := range v {
		if x > v[k] {
			k = i
		}
	}
	return k
}

// Softmax turns the scores v into probabilities in place, accumulating in
// float64 after subtracting the maximum so that large scores cannot
// overflow.
func Softmax[T Float](v []T) {
	if len(v) == 0 {
		return
	}
	m := v[0]
	for _, x := range v {
		m = max(m, x)
	}
	var s float64
	for i, x := range v {
		e := math.Exp(float64(x - m))
		v[i] = T(e)
		s += e
	}
	for i := range v {
		v[i] = T(float64(v[i]) / s)
	}
}

// LogSoftmaxAt returns log softmax(v)[k] in float64, without forming the
// other probabilities.
func LogSoftmaxAt[T Float](v []T, k int) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, float64(x))
	}
	var s float64
	for _, x := range v {
		s += math.Exp(float64(x) - m)
	}
	return float64(v[k]) - m - math.Log(s)
}

// Standardiser maps each column to zero mean and unit variance with the
// statistics of the rows it was fitted on (the train rows: validation and
// test rows are scaled with them, never with their own).
type Standardiser struct {
	Mean, Std []float64 // per column; Std is 1 for a constant column
}

// FitStandardiser computes the mean and population standard deviation of
// each column of rows. A column whose deviation is below 1e-8 gets Std 1,
// so that it maps to 0 instead of blowing up.
func FitStandardiser(rows [][]float64) (Standardiser, error) {
	n := len(rows)
	if n == 0 {
		return Standardiser{}, fmt.Errorf("eval: standardiser fitted on no rows")
	}
	d := len(rows[0])
	s := Standardiser{Mean: make([]float64, d), Std: make([]float64, d)}
	for i, r := range rows {
		if len(r) != d {
			return Standardiser{}, fmt.Errorf("eval: row %d has %d values, row 0 has %d", i, len(r), d)
		}
		for j, v := range r {
			s.Mean[j] += v / float64(n)
		}
	}
	for _, r := range rows {
		for j, v := range r {
			s.Std[j] += (v - s.Mean[j]) * (v - s.Mean[j]) / float64(n)
		}
	}
	for j := range s.Std {
		s.Std[j] = math.Sqrt(s.Std[j])
		if s.Std[j] < 1e-8 {
			s.Std[j] = 1
		}
	}
	return s, nil
}

// Apply returns row standardised (a new slice).
func (s Standardiser) Apply(row []float64) []float64 {
	z := make([]float64, len(row))
	for j, v := range row {
		z[j] = (v - s.Mean[j]) / s.Std[j]
	}
	return z
}

// ApplyAll returns every row standardised.
func (s Standardiser) ApplyAll(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = s.Apply(r)
	}
	return out
}

// Accuracy is the fraction of pred equal to y (NaN when both are empty).
func Accuracy(pred, y []int) (float64, error) {
	if len(pred) != len(y) {
		return 0, fmt.Errorf("eval: %d predictions for %d labels", len(pred), len(y))
	}
	if len(y) == 0 {
		return math.NaN(), nil
	}
	ok := 0
	for i, p := range pred {
		if p == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(y)), nil
}

// Majority returns the most frequent class of the train labels y (the
// smallest index among equally frequent ones): the baseline that always
// answers it is the floor a classifier has to beat. It returns -1 for no
// labels.
func Majority(y []int) int {
	count := map[int]int{}
	best := -1
	for _, c := range y {
		count[c]++
	}
	for c, n := range count {
		if best < 0 || n > count[best] || n == count[best] && c < best {
			best = c
		}
	}
	return best
}

// MajorityAccuracy is the accuracy on test labels of always answering the
// majority class of train labels.
func MajorityAccuracy(train, test []int) float64 {
	m := Majority(train)
	pred := make([]int, len(test))
	for i := range pred {
		pred[i] = m
	}
	a, _ := Accuracy(pred, test)
	return a
}
