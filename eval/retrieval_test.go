package eval

import (
	"math"
	"testing"
)

func TestCosine(t *testing.T) {
	sim, err := Cosine([][]float64{{1, 0}, {1, 1}, {0, 0}}, [][]float64{{2, 0}, {0, 3}, {-1, -1}})
	if err != nil {
		t.Fatal(err)
	}
	r := 1 / math.Sqrt2
	want := [][]float64{{1, 0, -r}, {r, r, -1}, {0, 0, 0}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(sim[i][j]-want[i][j]) > 1e-15 {
				t.Errorf("sim[%d][%d] = %v, want %v", i, j, sim[i][j], want[i][j])
			}
		}
	}
	if _, err := Cosine([][]float64{{1}}, [][]float64{{1, 2}}); err == nil {
		t.Error("mismatched dimensions accepted")
	}
}

func TestRecallAtK(t *testing.T) {
	sim := [][]float64{
		{0.9, 0.1, 0.0, 0.2}, // own item first: rank 0
		{0.5, 0.4, 0.6, 0.1}, // two items above: rank 2
		{0.3, 0.3, 0.3, 0.3}, // ties count against: rank 3
		{0.1, 0.2, 0.8, 0.7}, // one above: rank 1
	}
	ranks, err := Ranks(sim)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 2, 3, 1} {
		if ranks[i] != want {
			t.Errorf("rank of query %d = %d, want %d", i, ranks[i], want)
		}
	}
	got, err := RecallAtK(sim, 1, 2, 3, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0.25, 0.5, 0.75, 1} {
		if got[i] != want {
			t.Errorf("R@%d = %v, want %v", i+1, got[i], want)
		}
	}
	if _, err := RecallAtK(sim, 0); err == nil {
		t.Error("k = 0 accepted")
	}
	if _, err := RecallAtK([][]float64{{1, 2}}, 1); err == nil {
		t.Error("non-square similarities accepted")
	}
}
