package img2speech

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWordSpans(t *testing.T) {
	ws, err := wordSpans("sil:0.000-0.1 l:0.1-0.2 e:0.2-0.3 sil:0.3-0.35 s:0.35-0.4 u:0.4-0.5 sil:0.5-0.6", "red square")
	if err != nil || !slices.Equal(ws, [][2]float64{{0.1, 0.3}, {0.35, 0.5}}) {
		t.Errorf("spans %v, %v", ws, err)
	}
	if _, err := wordSpans("l:0.1-0.2 sil:0.2-0.3", "red square"); err == nil || !strings.Contains(err.Error(), "1 words") {
		t.Errorf("too few words: %v", err)
	}
}

func TestScoreWords(t *testing.T) {
	f := strings.Fields
	// a substitution of a content word
	hyp := f("red circle left and blue square right")
	ref := f("red circle left and green square right")
	if got := alignedMatches(hyp, ref); !slices.Equal(got, []int{0, 1, 2, 3, 5, 6}) {
		t.Errorf("aligned matches %v", got)
	}
	s, err := scoreWords([][]string{hyp, f("red star")}, [][]string{ref, f("red star top")})
	if err != nil {
		t.Fatal(err)
	}
	// 1 substitution + 1 deletion over 10 words; 7 of 9 content words; both counts right
	// colours 2 of 3, shapes 3 of 3, positions 2 of 3
	if math.Abs(s.WordError-0.2) > 1e-12 || math.Abs(s.Content-7.0/9) > 1e-12 || s.Count != 1 ||
		math.Abs(s.Colours-2.0/3) > 1e-12 || s.Shapes != 1 || math.Abs(s.Positions-2.0/3) > 1e-12 {
		t.Errorf("scores %+v", s)
	}
	if !(s.BLEU4 > 0 && s.BLEU4 < 1) {
		t.Errorf("BLEU-4 %v", s.BLEU4)
	}
	if math.Abs(s.ContentInOrder-7.0/9) > 1e-12 {
		t.Errorf("content words in caption order %v, want 7/9 (same order)", s.ContentInOrder)
	}
	// the items said in another order than the caption's: all right in
	// the best order, 3 of 9 in the caption's
	s, err = scoreWords([][]string{f("blue star top and green square right and red circle left")}, [][]string{f("red circle left and green square right and blue star top")})
	if err != nil {
		t.Fatal(err)
	}
	if s.Content != 1 || s.WordError != 0 || math.Abs(s.BLEU4-1) > 1e-12 || math.Abs(s.ContentInOrder-3.0/9) > 1e-12 {
		t.Errorf("items reordered: %+v", s)
	}
	// nothing recognised: every word wrong, no count right unless the caption has no shape
	s, _ = scoreWords([][]string{nil}, [][]string{ref})
	if s.WordError != 1 || s.Content != 0 || s.Count != 0 || s.BLEU4 != 0 {
		t.Errorf("empty hypothesis: %+v", s)
	}
}

func TestRecogniserDecode(t *testing.T) {
	r := &Recogniser{Config: RecogniserConfig{Words: []string{"a", "b"}}}
	// a 2-frame blip of b inside a is dropped and the two runs of a merge;
	// b's 5 frames count
	got := r.decode([]int{0, 1, 1, 1, 1, 2, 2, 1, 1, 1, 0, 0, 2, 2, 2, 2, 2, 0})
	if !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("decode %v", got)
	}
}

// TestRecogniser trains a tiny recogniser: its loss falls, it recognises
// words from speech, and a saved one recognises the same.
func TestRecogniser(t *testing.T) {
	ds := corpus(t, 16, 3)
	clips := ds.Clips
	words := CaptionWords(clips)
	if len(words) < 3 || !slices.IsSorted(words) {
		t.Fatalf("vocabulary %v", words)
	}
	cfg := DefaultRecogniserConfig(words)
	cfg.Hidden, cfg.Segment = 16, 64
	r, err := NewRecogniser(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := TrainRecogniser(context.Background(), r, Data{Train: clips[:12], Val: clips[12:]}, TrainOptions{Epochs: 4, BatchSize: 8, LR: 3e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if h := rep.History; !(h.BestLoss < h.Epochs[0].TrainLoss) {
		t.Errorf("loss did not fall: %+v", h.Epochs)
	}
	x, err := clips[13].Audio(cfg.Rate)
	if err != nil {
		t.Fatal(err)
	}
	w1, err := r.Words(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range w1 {
		if !slices.Contains(words, w) {
			t.Errorf("word %q is not in the vocabulary", w)
		}
	}
	path := filepath.Join(t.TempDir(), "r.safetensors")
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	r2, err := LoadRecogniser(path)
	if err != nil {
		t.Fatal(err)
	}
	if w2, err := r2.Words(x); err != nil || !slices.Equal(w1, w2) {
		t.Errorf("after Load: %v (%v); before %v", w2, err, w1)
	}
	bad := cfg
	bad.Words = []string{"two words"}
	if _, err := NewRecogniser(bad); err == nil || !strings.Contains(err.Error(), "word") {
		t.Errorf("a word with a space: %v", err)
	}
}

func TestExpand(t *testing.T) {
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Expand([]int{1}); err == nil {
		t.Error("Expand without durations")
	}
	m.fitDurations([][]int{{1, 1, 1, 2, 1, 1, 3}})
	if d := m.durations; d[1] != 2.5 || d[2] != 1 || d[0] != 1 {
		t.Errorf("durations %v", d)
	}
	got, err := m.Expand([]int{1, 2, 1})
	if err != nil || !slices.Equal(got, []int{1, 1, 1, 2, 1, 1}) { // 2.5 → 3, 3.5 → 4 (1 more), 6
		t.Errorf("Expand %v %v", got, err)
	}
	if _, err := m.Expand([]int{9}); err == nil {
		t.Error("unit outside the codebook accepted")
	}
}
