package eval

import (
	"fmt"
	"math"
)

// Cosine returns the cosine similarity of every query row with every item
// row: sim[i][j] = q_i·v_j / (‖q_i‖‖v_j‖), 0 where either is the zero
// vector.
func Cosine(queries, items [][]float64) ([][]float64, error) {
	norm := func(v []float64) float64 {
		var s float64
		for _, x := range v {
			s += x * x
		}
		return math.Sqrt(s)
	}
	in := make([]float64, len(items))
	for j, v := range items {
		if len(v) != len(items[0]) {
			return nil, fmt.Errorf("eval: item %d has %d values, item 0 has %d", j, len(v), len(items[0]))
		}
		in[j] = norm(v)
	}
	sim := make([][]float64, len(queries))
	for i, q := range queries {
		if len(items) > 0 && len(q) != len(items[0]) {
			return nil, fmt.Errorf("eval: query %d has %d values, items have %d", i, len(q), len(items[0]))
		}
		qn := norm(q)
		sim[i] = make([]float64, len(items))
		for j, v := range items {
			if qn == 0 || in[j] == 0 {
				continue
			}
			var s float64
			for k, x := range q {
				s += x * v[k]
			}
			sim[i][j] = s / (qn * in[j])
		}
	}
	return sim, nil
}

// Ranks returns, for every query i of a square similarity matrix, the rank
// (0 = first) of its own item i among all items: the number of other items
// scored higher or equal, so ties count against the query and a constant
// score earns no credit.
func Ranks(sim [][]float64) ([]int, error) {
	ranks := make([]int, len(sim))
	for i, row := range sim {
		if len(row) != len(sim) {
			return nil, fmt.Errorf("eval: similarity row %d has %d items, want %d (one per query)", i, len(row), len(sim))
		}
		for j, s := range row {
			if j != i && !(s < row[i]) {
				ranks[i]++
			}
		}
	}
	return ranks, nil
}

// RecallAtK returns, for each k, the fraction of queries whose own item
// (item i for query i) is among the k best-scored items of sim (square:
// queries × items), with ties counted against the query as in Ranks.
func RecallAtK(sim [][]float64, ks ...int) ([]float64, error) {
	ranks, err := Ranks(sim)
	if err != nil {
		return nil, err
	}
	if len(ranks) == 0 {
		return nil, fmt.Errorf("eval: recall of no queries")
	}
	out := make([]float64, len(ks))
	for a, k := range ks {
		if k < 1 {
			return nil, fmt.Errorf("eval: recall@%d, want k ≥ 1", k)
		}
		hit := 0
		for _, r := range ranks {
			if r < k {
				hit++
			}
		}
		out[a] = float64(hit) / float64(len(ranks))
	}
	return out, nil
}
