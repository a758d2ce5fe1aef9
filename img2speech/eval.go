package img2speech

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/spectrogram"
)

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Reference are clips the baseline's k-means is fitted on (the
	// training split); they need no phone labels.
	Reference []*avio.Clip
	// Seed seeds the k-means baseline.
	Seed int64
	// Resynthesis is the number of clips (the first ones) also turned
	// into units and back into speech, to measure the resynthesis; 0
	// measures none.
	Resynthesis int
	// Images also measures image → units: the units decoded from each
	// clip's first frame, against the units of its spoken caption.
	Images bool
	// Beam is the beam width of the image → units decoding; 0 means
	// DefaultBeam.
	Beam int
	// Judge, when set, recognises the words of speech, to measure it
	// against each clip's "caption" label: the clean speech, the
	// resynthesis and, with Images, the speech made from the first
	// Resynthesis pictures, from shuffled pictures and from the true
	// units. Its front-end must be the model's.
	Judge *Recogniser
	// Progress receives progress lines; nil is quiet.
	Progress io.Writer
}

// beam is o.Beam or its default.
func (o EvalOptions) beam() int {
	if o.Beam > 0 {
		return o.Beam
	}
	return DefaultBeam
}

// UnitScores measures one unit system on held-out speech.
type UnitScores struct {
	System string
	// Purity is the frame-level phone purity: the share of 10 ms frames
	// whose phone (the "phones" label at the frame's centre, silence
	// included) is the most common phone of their unit.
	Purity float64
	// Used is the number of distinct units chosen; Perplexity the
	// perplexity of their frequencies.
	Used       int
	Perplexity float64
	// UnitsPerSecond is the rate of the unit sequence once consecutive
	// repeats are collapsed.
	UnitsPerSecond float64
	// ABX is the ABX error across speakers: each phone occurrence
	// (silence left out) represented by the shares of the units over its
	// frames, the share of triplets where an occurrence X is not closer
	// (cosine) to the same phone said by another speaker than to another
	// phone said by that speaker. 0.5 is chance.
	ABX float64
}

// ResynthScores measures speech made from something else by how far its
// log-mel spectrogram is from the original's.
type ResynthScores struct {
	System string
	// MelDB is the mean absolute difference of the log-mel values, dB.
	MelDB float64
	// WordError is the Judge's word error rate against the captions (NaN
	// without a judge).
	WordError float64
}

// Metrics are Evaluate's figures: the learned units beside the k-means
// baseline, a single unit (the share of the most common phone) and, for
// ABX only, the MFCC frames themselves; and,
// with EvalOptions.Resynthesis, speech → units → speech beside the
// decoder's spectrogram before the vocoder and the vocoder fed the true
// spectrogram.
type Metrics struct {
	Clips, Frames int
	Codes         int
	Systems       []UnitScores
	ResynthClips  int
	Resynthesis   []ResynthScores
	Images        []ImageScores
	Beam          int // the beam width of the image → units decoding
}

// ImageScores measures units decoded from pictures against the
// (collapsed) units of the pictures' spoken captions.
type ImageScores struct {
	System string
	// UnitError is the edit distance to the caption's units over their
	// number, summed over clips (a unit error rate; above 1 is possible).
	UnitError float64
	// Length is the mean number of units decoded, Truth the caption's.
	Length, Truth float64
	// Spoken is the number of clips whose units were spoken and judged
	// (0 without a judge); Words the judge's measures of that speech.
	Spoken int
	Words  WordScores
}

// baselineSample bounds the unit vectors the k-means baseline is fitted on.
const baselineSample = 20000

// Evaluate measures m's units on clips (held-out speech with a "phones"
// label, as synth.Captions writes) beside a k-means baseline with as many
// clusters as m has codes, fitted on o.Reference's MFCCs (13 per frame,
// the Stride frames of a unit stacked and standardised), and beside one
// unit for everything.
func Evaluate(m *Model, clips []*avio.Clip, o EvalOptions) (Metrics, error) {
	var mt Metrics
	if len(clips) == 0 {
		return mt, fmt.Errorf("img2speech: no clips to evaluate")
	}
	if len(o.Reference) == 0 {
		return mt, fmt.Errorf("img2speech: no reference clips for the k-means baseline")
	}
	ctx := context.Background()
	c := m.Config
	if j := o.Judge; j != nil && (j.Config.Rate != c.Rate || j.Config.NMels != c.NMels || j.Config.PreEmphasis != c.PreEmphasis) {
		return mt, fmt.Errorf("img2speech: the judge's front-end (%d Hz, %d mels, pre-emphasis %v) is not the model's (%d Hz, %d mels, %v)",
			j.Config.Rate, j.Config.NMels, j.Config.PreEmphasis, c.Rate, c.NMels, c.PreEmphasis)
	}
	test, err := c.loadUtterances(ctx, clips, true, o.Progress, "loading test clips")
	if err != nil {
		return mt, err
	}
	var labels []string
	var secs float64
	for _, u := range test {
		if u.phones == nil {
			return mt, fmt.Errorf("img2speech: clip %s: no %q label to measure units against", u.name, PhonesLabel)
		}
		labels = append(labels, u.phones...)
		secs += u.mel.Duration()
	}
	mt.Clips, mt.Frames, mt.Codes = len(test), len(labels), c.Codes

	units, err := m.unitsOf(test)
	if err != nil {
		return mt, err
	}
	learned, err := scoreUnits("VQ units", units, test, labels, c.Codes, c.Stride, secs)
	if err != nil {
		return mt, err
	}

	ref, err := c.loadUtterances(ctx, o.Reference, true, o.Progress, "loading reference clips")
	if err != nil {
		return mt, err
	}
	km, norm, err := c.fitKMeans(ref, o.Seed)
	if err != nil {
		return mt, err
	}
	base := make([][]int, len(test))
	for i, u := range test {
		for _, v := range c.unitVectors(u, norm) {
			base[i] = append(base[i], km.Assign(v))
		}
	}
	kmScores, err := scoreUnits("k-means on MFCC", base, test, labels, c.Codes, c.Stride, secs)
	if err != nil {
		return mt, err
	}
	one := make([][]int, len(test))
	for i := range one {
		one[i] = make([]int, len(units[i]))
	}
	single, err := scoreUnits("one unit", one, test, labels, c.Codes, c.Stride, secs)
	if err != nil {
		return mt, err
	}
	mfcc := UnitScores{System: "MFCC frames (no units)", Purity: math.NaN(), Perplexity: math.NaN(), UnitsPerSecond: math.NaN(),
		ABX: abxError(phoneSegments(test, func(i, a, b int) []float64 {
			s := test[i].mfcc // mean MFCCs over the occurrence, as the baseline standardises them
			v := make([]float64, s.Bins)
			for r := range v {
				for t := a; t < b; t++ {
					v[r] += (float64(s.At(r, t)) - norm.mean[r]) / norm.std[r]
				}
			}
			return v
		}), o.Seed)}
	for k, us := range [][][]int{units, base, one} {
		sc := []*UnitScores{&learned, &kmScores, &single}[k]
		sc.ABX = abxError(phoneSegments(test, func(i, a, b int) []float64 { return unitHistogram(us[i], c.Codes, c.Stride, a, b) }), o.Seed)
	}
	mt.Systems = []UnitScores{learned, kmScores, single, mfcc}
	if o.Images {
		if err := m.imageScores(&mt, clips, units, o); err != nil {
			return mt, err
		}
	}
	if o.Resynthesis > 0 {
		if err := m.resynthesis(&mt, test[:min(len(test), o.Resynthesis)], units, o.Judge); err != nil {
			return mt, err
		}
	}
	return mt, nil
}

// imageScores fills mt.Images: the captioner on each clip's picture, and
// on another clip's picture (shuffled: what decoding without looking
// scores); with a judge, the speech of the first o.Resynthesis clips'
// units from each, and from their true units (the upper bound).
func (m *Model) imageScores(mt *Metrics, clips []*avio.Clip, units [][]int, o EvalOptions) error {
	ex, err := m.captionExamplesFrom(clips, units)
	if err != nil {
		return err
	}
	mt.Beam = o.beam()
	images := make([][]float32, len(ex))
	shuffled := make([][]float32, len(ex))
	truth := make([][]int, len(ex))
	for i := range ex {
		images[i] = ex[i].image
		shuffled[i] = ex[(i+1)%len(ex)].image
		truth[i] = ex[i].units
	}
	spoken := 0
	if o.Judge != nil {
		if m.durations == nil {
			return fmt.Errorf("img2speech: the model has no unit durations to speak units from pictures (train the image stage)")
		}
		spoken = min(len(ex), o.Resynthesis)
	}
	for k := range 3 {
		pred := truth
		if k < 2 {
			if pred, err = m.unitsFromImages([][][]float32{images, shuffled}[k], o.beam(), o.Progress); err != nil {
				return err
			}
		}
		var edits, n, length float64
		for i := range ex {
			edits += float64(editDistance(pred[i], ex[i].units))
			n += float64(len(ex[i].units))
			length += float64(len(pred[i]))
		}
		name := []string{"image → units", "shuffled images → units", "true units"}[k]
		sc := ImageScores{System: name, UnitError: edits / max(1, n),
			Length: length / float64(len(ex)), Truth: n / float64(len(ex)), Spoken: spoken,
			Words: WordScores{WordError: math.NaN(), Content: math.NaN(), ContentInOrder: math.NaN(), Colours: math.NaN(), Shapes: math.NaN(), Positions: math.NaN(), Count: math.NaN(), BLEU4: math.NaN()}}
		if spoken > 0 {
			var hyps, refs [][]string
			bar := progress.New(o.Progress, "speaking "+name, spoken)
			for i := range spoken {
				h, err := m.judgeSeq(o.Judge, pred[i])
				if err != nil {
					return fmt.Errorf("img2speech: clip %s: %w", clips[i].Dir, err)
				}
				hyps = append(hyps, h)
				refs = append(refs, words(clips[i].Meta.Labels["caption"]))
				bar.Set(i+1, "")
			}
			bar.Done()
			if sc.Words, err = scoreWords(hyps, refs); err != nil {
				return fmt.Errorf("img2speech: %w", err)
			}
		}
		if k == 2 && spoken == 0 {
			continue // the true units against themselves say nothing
		}
		mt.Images = append(mt.Images, sc)
	}
	return nil
}

// judgeSeq speaks a collapsed unit sequence (Expand, Speak) and returns
// the words judge recognises in it (none for an empty sequence).
func (m *Model) judgeSeq(judge *Recogniser, seq []int) ([]string, error) {
	if len(seq) == 0 {
		return nil, nil
	}
	u, err := m.Expand(seq)
	if err != nil {
		return nil, err
	}
	y, err := m.Speak(u)
	if err != nil {
		return nil, err
	}
	return judge.Words(y)
}

// editDistance is the Levenshtein distance between sequences.
func editDistance[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// resynthesis fills mt.Resynthesis from utterances us and their units;
// with a judge, also the word error of each speech, and of the clean
// speech.
func (m *Model) resynthesis(mt *Metrics, us []*utterance, units [][]int, judge *Recogniser) error {
	sums := make([]float64, 3)
	frames := 0
	var refs [][]string
	hyps := make([][][]string, 3) // clean speech, units → speech, true mel → speech
	for i, u := range us {
		dec, err := m.MelFromUnits(units[i])
		if err != nil {
			return err
		}
		y, err := m.Config.vocode(dec)
		if err != nil {
			return err
		}
		z, err := m.Config.vocode(u.mel)
		if err != nil {
			return err
		}
		n := u.mel.Frames
		for k, s := range []*spectrogram.Spectrogram{dec, nil, nil} {
			var err error
			switch k {
			case 1:
				s, err = m.Config.frames(y, m.Config.melConfig())
			case 2:
				s, err = m.Config.frames(z, m.Config.melConfig())
			}
			if err != nil {
				return fmt.Errorf("img2speech: clip %s: resynthesis: %w", u.name, err)
			}
			sums[k] += melDistance(u.mel, s, n)
		}
		frames += n
		if judge == nil {
			continue
		}
		refs = append(refs, words(u.caption))
		for k, x := range [][]float64{nil, y, z} {
			var w []string
			if k == 0 {
				w, err = judge.wordsOfMel(u.mel)
			} else {
				w, err = judge.Words(x)
			}
			if err != nil {
				return fmt.Errorf("img2speech: clip %s: %w", u.name, err)
			}
			hyps[k] = append(hyps[k], w)
		}
	}
	mt.ResynthClips = len(us)
	wer := func(k int) float64 {
		if judge == nil {
			return math.NaN()
		}
		e, n := 0, 0
		for i, h := range hyps[k] {
			e += editDistance(h, refs[i])
			n += len(refs[i])
		}
		return float64(e) / float64(max(1, n))
	}
	if judge != nil {
		mt.Resynthesis = append(mt.Resynthesis, ResynthScores{System: "clean speech", MelDB: 0, WordError: wer(0)})
	}
	for k, name := range []string{"units → decoder's mel", "units → speech (Griffin-Lim)", "true mel → speech (Griffin-Lim)"} {
		sc := ResynthScores{System: name, MelDB: sums[k] / float64(frames*m.Config.NMels), WordError: math.NaN()}
		switch k {
		case 1:
			sc.WordError = wer(1)
		case 2:
			sc.WordError = wer(2)
		}
		mt.Resynthesis = append(mt.Resynthesis, sc)
	}
	return nil
}

// melDistance sums |a − b| over the first n frames of two log-mel
// spectrograms of the same bands (b's missing frames count as its last).
func melDistance(a, b *spectrogram.Spectrogram, n int) float64 {
	d := 0.0
	for r := 0; r < a.Bins; r++ {
		for t := 0; t < n; t++ {
			d += math.Abs(float64(a.At(r, t) - b.At(r, min(t, b.Frames-1))))
		}
	}
	return d
}

// scoreUnits measures units (one per stride frames of each utterance).
func scoreUnits(name string, units [][]int, us []*utterance, labels []string, k, stride int, secs float64) (UnitScores, error) {
	var frameUnits, all []int
	collapsed := 0
	for i, u := range us {
		for t := 0; t < u.mel.Frames; t++ {
			frameUnits = append(frameUnits, units[i][t/stride])
		}
		all = append(all, units[i]...)
		collapsed += len(Collapse(units[i]))
	}
	p, err := eval.Purity(frameUnits, labels)
	if err != nil {
		return UnitScores{}, fmt.Errorf("img2speech: %w", err)
	}
	used := map[int]bool{}
	for _, u := range all {
		used[u] = true
	}
	return UnitScores{System: name, Purity: p, Used: len(used), Perplexity: nets.CodePerplexity(all, k),
		UnitsPerSecond: float64(collapsed) / secs}, nil
}

// featureNorm standardises the baseline's unit vectors.
type featureNorm struct{ mean, std []float64 }

// unitVectors stacks the MFCCs of each unit's Stride frames (the last
// unit's missing frames repeat its last frame) and standardises them.
func (c Config) unitVectors(u *utterance, n *featureNorm) [][]float64 {
	s := u.mfcc
	nu := (s.Frames + c.Stride - 1) / c.Stride
	out := make([][]float64, nu)
	for j := range out {
		v := make([]float64, 0, s.Bins*c.Stride)
		for k := 0; k < c.Stride; k++ {
			t := min(j*c.Stride+k, s.Frames-1)
			for b := 0; b < s.Bins; b++ {
				v = append(v, float64(s.At(b, t)))
			}
		}
		if n != nil {
			for i := range v {
				v[i] = (v[i] - n.mean[i]) / n.std[i]
			}
		}
		out[j] = v
	}
	return out
}

// fitKMeans fits the baseline on (a sample of) the reference utterances'
// unit vectors.
func (c Config) fitKMeans(ref []*utterance, seed int64) (*eval.KMeans, *featureNorm, error) {
	var x [][]float64
	for _, u := range ref {
		x = append(x, c.unitVectors(u, nil)...)
	}
	if len(x) == 0 {
		return nil, nil, fmt.Errorf("img2speech: no reference speech")
	}
	d := len(x[0])
	n := &featureNorm{mean: make([]float64, d), std: make([]float64, d)}
	for _, v := range x {
		for i, a := range v {
			n.mean[i] += a / float64(len(x))
		}
	}
	for _, v := range x {
		for i, a := range v {
			n.std[i] += (a - n.mean[i]) * (a - n.mean[i]) / float64(len(x))
		}
	}
	for i := range n.std {
		n.std[i] = max(1e-6, math.Sqrt(n.std[i]))
	}
	r := rand.New(rand.NewSource(seed))
	r.Shuffle(len(x), func(i, j int) { x[i], x[j] = x[j], x[i] })
	x = x[:min(len(x), baselineSample)]
	for _, v := range x {
		for i := range v {
			v[i] = (v[i] - n.mean[i]) / n.std[i]
		}
	}
	km, err := eval.TrainKMeans(x, c.Codes, 50, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("img2speech: k-means baseline: %w", err)
	}
	return km, n, nil
}

// Table lays the systems out side by side.
func (mt Metrics) Table() *eval.Table {
	t := &eval.Table{Header: "units", Title: fmt.Sprintf("phone purity of %d held-out clips (%d frames of 10 ms), codebook %d", mt.Clips, mt.Frames, mt.Codes),
		Columns: []eval.Column{{Name: "purity %", Format: "%.1f"}, {Name: "units used", Format: "%.0f"}, {Name: "perplexity", Format: "%.1f"}, {Name: "units/s (collapsed)", Format: "%.1f"}, {Name: "ABX error %", Format: "%.1f"}}}
	for _, s := range mt.Systems {
		used := float64(s.Used)
		if math.IsNaN(s.Purity) {
			used = math.NaN()
		}
		t.Add(s.System, 100*s.Purity, used, s.Perplexity, s.UnitsPerSecond, 100*s.ABX)
	}
	return t
}

// ImageTable lays out the image → units figures (nil without them).
func (mt Metrics) ImageTable() *eval.Table {
	if len(mt.Images) == 0 {
		return nil
	}
	title := fmt.Sprintf("image → units on %d held-out pictures, beam %d, against their captions' units", mt.Clips, mt.Beam)
	if n := mt.Images[0].Spoken; n > 0 {
		title += fmt.Sprintf("; the first %d spoken and recognised, against their captions", n)
	}
	t := &eval.Table{Header: "units from", Title: title,
		Columns: []eval.Column{{Name: "unit error %", Format: "%.1f"}, {Name: "units decoded", Format: "%.1f"}, {Name: "caption units", Format: "%.1f"},
			{Name: "word error %", Format: "%.1f"}, {Name: "content words %", Format: "%.1f"}, {Name: "colours %", Format: "%.1f"},
			{Name: "shapes %", Format: "%.1f"}, {Name: "positions %", Format: "%.1f"}, {Name: "count %", Format: "%.1f"}, {Name: "BLEU-4", Format: "%.3f"},
			{Name: "content, caption order %", Format: "%.1f"}}}
	for _, s := range mt.Images {
		w := s.Words
		t.Add(s.System, 100*s.UnitError, s.Length, s.Truth, 100*w.WordError, 100*w.Content, 100*w.Colours, 100*w.Shapes, 100*w.Positions, 100*w.Count, w.BLEU4, 100*w.ContentInOrder)
	}
	return t
}

// ResynthesisTable lays out the resynthesis figures (nil without them).
func (mt Metrics) ResynthesisTable() *eval.Table {
	if len(mt.Resynthesis) == 0 {
		return nil
	}
	t := &eval.Table{Header: "speech from", Title: fmt.Sprintf("log-mel distance to the original speech of %d held-out clips, and the judge's word error", mt.ResynthClips),
		Columns: []eval.Column{{Name: "mean abs Δ dB", Format: "%.2f"}, {Name: "word error %", Format: "%.1f"}}}
	for _, s := range mt.Resynthesis {
		t.Add(s.System, s.MelDB, 100*s.WordError)
	}
	return t
}
