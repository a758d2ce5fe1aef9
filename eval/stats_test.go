package eval

import (
	"math"
	"testing"
)

func TestArgmaxSoftmax(t *testing.T) {
	if got := Argmax([]float64{1, 3, 3, 2}); got != 1 {
		t.Errorf("Argmax = %d, want 1 (the first of equal maxima)", got)
	}
	if got := Argmax([]float32{}); got != -1 {
		t.Errorf("Argmax of nothing = %d, want -1", got)
	}
	// softmax(0, ln 2, ln 5) = (1, 2, 5)/8, with a large offset that
	// would overflow exp without the max subtraction
	v := []float64{1000, 1000 + math.Log(2), 1000 + math.Log(5)}
	Softmax(v)
	for i, want := range []float64{1.0 / 8, 2.0 / 8, 5.0 / 8} {
		if math.Abs(v[i]-want) > 1e-12 {
			t.Errorf("Softmax[%d] = %v, want %v", i, v[i], want)
		}
	}
	w := []float32{0, float32(math.Log(3))}
	Softmax(w)
	if math.Abs(float64(w[0])-0.25) > 1e-7 || math.Abs(float64(w[1])-0.75) > 1e-7 {
		t.Errorf("float32 Softmax = %v, want [0.25 0.75]", w)
	}
	if got := LogSoftmaxAt([]float32{0, float32(math.Log(3))}, 0); math.Abs(got-math.Log(0.25)) > 1e-7 {
		t.Errorf("LogSoftmaxAt = %v, want ln 0.25", got)
	}
}

// meanStd is an independent two-pass mean and population deviation.
func meanStd(xs []float64) (mean, std float64) {
	for _, v := range xs {
		mean += v
	}
	mean /= float64(len(xs))
	for _, v := range xs {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

func TestStandardiser(t *testing.T) {
	if m, s := meanStd([]float64{2, 4, 4, 4, 5, 5, 7, 9}); m != 5 || s != 2 {
		t.Fatalf("test helper meanStd = %v, %v, want 5, 2", m, s)
	}
	rows := [][]float64{{1, 7}, {3, 7}, {5, 7}}
	sc, err := FitStandardiser(rows)
	if err != nil {
		t.Fatal(err)
	}
	// column 0: mean 3, std √(8/3); column 1 constant: std set to 1
	if math.Abs(sc.Mean[0]-3) > 1e-15 || math.Abs(sc.Std[0]-math.Sqrt(8.0/3)) > 1e-15 || sc.Mean[1] != 7 || sc.Std[1] != 1 {
		t.Errorf("standardiser %+v", sc)
	}
	z := sc.Apply([]float64{5, 9})
	if math.Abs(z[0]-2/math.Sqrt(8.0/3)) > 1e-15 || z[1] != 2 {
		t.Errorf("Apply = %v", z)
	}
	if _, err := FitStandardiser([][]float64{{1, 2}, {3}}); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := FitStandardiser(nil); err == nil {
		t.Error("no rows accepted")
	}
}

func TestMajority(t *testing.T) {
	if got := Majority([]int{2, 0, 2, 1, 0}); got != 0 {
		t.Errorf("Majority = %d, want 0 (tie of 0 and 2 goes to the smaller)", got)
	}
	if got := Majority(nil); got != -1 {
		t.Errorf("Majority(nil) = %d", got)
	}
	if got := MajorityAccuracy([]int{1, 1, 0}, []int{1, 0, 0, 1}); got != 0.5 {
		t.Errorf("MajorityAccuracy = %v, want 0.5", got)
	}
	if a, err := Accuracy([]int{1, 2, 3}, []int{1, 0, 3}); err != nil || math.Abs(a-2.0/3) > 1e-15 {
		t.Errorf("Accuracy = %v, %v", a, err)
	}
	if _, err := Accuracy([]int{1}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
}
