package eval

import (
	"math"
	"math/rand"
	"testing"
)

func TestPurity(t *testing.T) {
	p, err := Purity([]int{0, 0, 0, 1, 1, 2}, []string{"a", "a", "b", "b", "b", "c"})
	if err != nil || math.Abs(p-5.0/6) > 1e-12 {
		t.Errorf("purity %v, %v; want 5/6", p, err)
	}
	if _, err := Purity([]int{0}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
}

// TestKMeansFindsClusters: three well-separated blobs are found exactly,
// so purity against the blob labels is 1.
func TestKMeansFindsClusters(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	centres := [][]float64{{0, 0}, {10, 0}, {0, 10}}
	var x [][]float64
	var labels []string
	for i := 0; i < 300; i++ {
		c := i % 3
		x = append(x, []float64{centres[c][0] + r.NormFloat64(), centres[c][1] + r.NormFloat64()})
		labels = append(labels, string(rune('a'+c)))
	}
	km, err := TrainKMeans(x, 3, 50, 2)
	if err != nil {
		t.Fatal(err)
	}
	units := make([]int, len(x))
	for i, v := range x {
		units[i] = km.Assign(v)
	}
	if p, _ := Purity(units, labels); p != 1 {
		t.Errorf("purity %v; want 1", p)
	}
	if _, err := TrainKMeans(x[:2], 3, 10, 1); err == nil {
		t.Error("fewer vectors than clusters accepted")
	}
}
