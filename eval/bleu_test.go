package eval

import (
	"math"
	"strings"
	"testing"
)

func TestBLEU(t *testing.T) {
	f := strings.Fields
	// identical sequences score 1
	if b, err := BLEU([][]string{f("a b c d e")}, [][]string{f("a b c d e")}, 4); err != nil || b != 1 {
		t.Errorf("identical: %v %v", b, err)
	}
	// no 4-gram in common scores 0
	if b, _ := BLEU([][]string{f("a b c e d")}, [][]string{f("a b c d e")}, 4); b != 0 {
		t.Errorf("no common 4-gram: %v", b)
	}
	// worked by hand: candidate "a b c d x" against "a b c d e":
	// precisions 4/5, 3/4, 2/3, 1/2, same length
	b, err := BLEU([][]string{f("a b c d x")}, [][]string{f("a b c d e")}, 4)
	want := math.Pow(0.8*0.75*(2.0/3)*0.5, 0.25)
	if err != nil || math.Abs(b-want) > 1e-12 {
		t.Errorf("BLEU %v; want %v (%v)", b, want, err)
	}
	// clipping: "a a a a" against "a b": unigram precision 1/4; the
	// candidate is longer, no brevity penalty
	b, _ = BLEU([][]string{f("a a a a")}, [][]string{f("a b")}, 1)
	if math.Abs(b-0.25) > 1e-12 {
		t.Errorf("clipped unigrams: %v", b)
	}
	// brevity: "a b" against "a b c d": exp(1 − 4/2)
	b, _ = BLEU([][]string{f("a b")}, [][]string{f("a b c d")}, 2)
	if math.Abs(b-math.Exp(-1)) > 1e-12 {
		t.Errorf("brevity penalty: %v", b)
	}
	if _, err := BLEU([][]string{f("a")}, nil, 4); err == nil {
		t.Error("mismatched lengths accepted")
	}
}
