package img2speech

import (
	"slices"
	"strings"

	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/synth"
)

// WordScores are a recogniser's words for speech measured against the
// captions that speech should say. A picture's items have no order (the
// corpus names them in a random one), so every measure but
// ContentInOrder takes the caption with its items (the words between
// "and"s) in the order, of all orders, that pairs the most content words
// with the heard ones (of those, the fewest edits).
type WordScores struct {
	// WordError is the word edit distance over the captions' words,
	// summed over clips (above 1 is possible).
	WordError float64
	// Content is the share of the captions' content words (colour, shape,
	// position) that the alignment of least edits pairs with the same
	// word.
	Content float64
	// ContentInOrder is Content against the captions' items in the order
	// they were said.
	ContentInOrder float64
	// Colours, Shapes and Positions are the same share for each kind of
	// content word.
	Colours, Shapes, Positions float64
	// Count is the share of clips where as many shapes are recognised as
	// the caption names.
	Count float64
	// BLEU4 is the corpus BLEU-4 of the recognised words.
	BLEU4 float64
}

// scoreWords measures recognised words hyps against captions refs.
func scoreWords(hyps, refs [][]string) (WordScores, error) {
	var edits, words, count float64
	kinds := [][]string{synth.CaptionColours, synth.CaptionShapes, synth.CaptionPositions}
	right, content := make([]float64, len(kinds)), make([]float64, len(kinds))
	inOrder := 0.0
	kindOf := func(w string) int {
		for k, ws := range kinds {
			if slices.Contains(ws, w) {
				return k
			}
		}
		return -1
	}
	matched := func(h, r []string) (n int) {
		for _, j := range alignedMatches(h, r) {
			if kindOf(r[j]) >= 0 {
				n++
			}
		}
		return n
	}
	ordered := make([][]string, len(refs))
	for i, h := range hyps {
		inOrder += float64(matched(h, refs[i]))
		r := bestOrder(h, refs[i], matched)
		ordered[i] = r
		edits += float64(editDistance(h, r))
		words += float64(len(r))
		for _, j := range alignedMatches(h, r) {
			if k := kindOf(r[j]); k >= 0 {
				right[k]++
			}
		}
		for _, w := range r {
			if k := kindOf(w); k >= 0 {
				content[k]++
			}
		}
		shapes := func(s []string) int {
			n := 0
			for _, w := range s {
				if slices.Contains(synth.CaptionShapes, w) {
					n++
				}
			}
			return n
		}
		if shapes(h) == shapes(r) {
			count++
		}
	}
	b, err := eval.BLEU(hyps, ordered, 4)
	if err != nil {
		return WordScores{}, err
	}
	share := func(a, b float64) float64 { return a / max(1, b) }
	all := content[0] + content[1] + content[2]
	return WordScores{WordError: share(edits, words), Content: share(right[0]+right[1]+right[2], all), ContentInOrder: share(inOrder, all),
		Colours: share(right[0], content[0]), Shapes: share(right[1], content[1]), Positions: share(right[2], content[2]),
		Count: share(count, float64(len(hyps))), BLEU4: b}, nil
}

// bestOrder returns caption r with its items (the words between "and"s)
// in the order that matched (content words paired) rates highest against
// h, of ties the one of fewest edits, of those the first in r's order.
func bestOrder(h, r []string, matched func(h, r []string) int) []string {
	var items [][]string
	for _, w := range r {
		if w == "and" || len(items) == 0 {
			items = append(items, nil)
		}
		if w != "and" {
			items[len(items)-1] = append(items[len(items)-1], w)
		}
	}
	if len(items) < 2 || len(items) > 5 {
		return r
	}
	best, bm, be := r, matched(h, r), editDistance(h, r)
	permute(len(items), func(p []int) {
		var c []string
		for k, i := range p {
			if k > 0 {
				c = append(c, "and")
			}
			c = append(c, items[i]...)
		}
		if m := matched(h, c); m > bm || m == bm && editDistance(h, c) < be {
			best, bm, be = c, m, editDistance(h, c)
		}
	})
	return best
}

// permute calls f with every permutation of 0…n−1 (Heap's algorithm).
func permute(n int, f func([]int)) {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	c := make([]int, n)
	f(p)
	for i := 0; i < n; {
		if c[i] < i {
			if i%2 == 0 {
				p[0], p[i] = p[i], p[0]
			} else {
				p[c[i]], p[i] = p[i], p[c[i]]
			}
			f(p)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

// alignedMatches returns the positions in b of the words a Levenshtein
// alignment of least edits between a and b pairs with an identical word
// (of the alignments of least edits, one with the most matches).
func alignedMatches(a, b []string) []int {
	// cost[i][j]: edits aligning a[:i] with b[:j]; matches breaks ties
	type cell struct{ cost, matches int }
	d := make([][]cell, len(a)+1)
	for i := range d {
		d[i] = make([]cell, len(b)+1)
		d[i][0].cost = i
	}
	for j := range d[0] {
		d[0][j].cost = j
	}
	better := func(x, y cell) bool { return x.cost < y.cost || x.cost == y.cost && x.matches > y.matches }
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			diag := d[i-1][j-1]
			if a[i-1] == b[j-1] {
				diag.matches++
			} else {
				diag.cost++
			}
			best := diag
			for _, c := range []cell{{d[i-1][j].cost + 1, d[i-1][j].matches}, {d[i][j-1].cost + 1, d[i][j-1].matches}} {
				if better(c, best) {
					best = c
				}
			}
			d[i][j] = best
		}
	}
	var out []int
	for i, j := len(a), len(b); i > 0 && j > 0; {
		diag := d[i-1][j-1]
		if a[i-1] == b[j-1] && d[i][j] == (cell{diag.cost, diag.matches + 1}) {
			out = append(out, j-1)
			i, j = i-1, j-1
			continue
		}
		switch {
		case d[i][j] == (cell{diag.cost + 1, diag.matches}) && a[i-1] != b[j-1]:
			i, j = i-1, j-1
		case d[i][j] == (cell{d[i-1][j].cost + 1, d[i-1][j].matches}):
			i--
		default:
			j--
		}
	}
	slices.Reverse(out)
	return out
}

// words splits a caption into its words.
func words(caption string) []string { return strings.Fields(caption) }
