package eval

import (
	"fmt"
	"math"
	"strings"
)

// BLEU is corpus-level BLEU (Papineni et al., 2002) of candidate token
// sequences against one reference each, up to n-grams of order n (BLEU-4
// is n = 4): the geometric mean of the n-gram precisions, each clipped by
// the reference's counts and summed over the corpus, times the brevity
// penalty exp(1 − r/c) when the candidates are shorter than the
// references. It is 0 when an order has no match, and in [0, 1].
func BLEU(cands, refs [][]string, n int) (float64, error) {
	if len(cands) != len(refs) {
		return 0, fmt.Errorf("eval: BLEU: %d candidates, %d references", len(cands), len(refs))
	}
	if n < 1 {
		return 0, fmt.Errorf("eval: BLEU: order %d; want ≥ 1", n)
	}
	match, total := make([]float64, n), make([]float64, n)
	var c, r float64
	for i, cand := range cands {
		ref := refs[i]
		c += float64(len(cand))
		r += float64(len(ref))
		for k := 1; k <= n; k++ {
			rc := ngrams(ref, k)
			for g, m := range ngrams(cand, k) {
				match[k-1] += float64(min(m, rc[g]))
				total[k-1] += float64(m)
			}
		}
	}
	logp := 0.0
	for k := range match {
		if match[k] == 0 {
			return 0, nil
		}
		logp += math.Log(match[k]/total[k]) / float64(n)
	}
	bp := 1.0
	if c < r {
		bp = math.Exp(1 - r/c)
	}
	return bp * math.Exp(logp), nil
}

// ngrams counts the k-grams of s.
func ngrams(s []string, k int) map[string]int {
	out := map[string]int{}
	for i := 0; i+k <= len(s); i++ {
		out[strings.Join(s[i:i+k], "\x00")]++
	}
	return out
}
