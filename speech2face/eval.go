package speech2face

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"io"
	"math"
	"math/rand"
	"sort"
	"strconv"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
)

// Attributes are the face labels (synth.Speakers writes them) whose
// agreement Evaluate measures: sex_like is compared as a class (above or
// below 0.5), the others by correlation. Labels a corpus lacks are skipped.
var Attributes = []string{"sex_like", "face_height", "face_width", "jaw", "brow", "eye_size", "eye_spacing", "nose"}

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Train holds clips of other speakers with the Attributes labels: the
	// attribute estimator (kernel ridge regression from a true face's
	// pixels to its labels), the mean face and the attribute-matched
	// ceiling are made of their faces. Without it, attributes, the mean
	// face and the ceiling are not measured.
	Train []*avio.Clip
	// Speakers bounds the held-out speakers (the faces each voice is ranked
	// among); 0 means 100. The first ones by label are taken.
	Speakers int
	Seed     int64     // the shuffled-voices baseline
	Progress io.Writer // progress lines; nil is quiet
}

// Scores are one system's figures; NaN where a measure does not apply.
type Scores struct {
	R1, R10 float64 // retrieval: fraction of queries whose true face ranks first, in the first 10
	// Sex is the fraction of queries whose estimated sex_like falls on the
	// same side of 0.5 on the decoded face as on the true face.
	Sex float64
	// Corr is, per Attributes entry (sex_like too), the correlation of
	// the estimate on the decoded face with the estimate on the true face.
	Corr       []float64
	SSIM, L1   float64 // the decoded face against the true face
	Queries    int
	hasQueries bool
}

// Metrics are Evaluate's figures.
type Metrics struct {
	Speakers, Clips int
	Attributes      []string // the attributes measured (of Attributes)
	// Model is voice → decoded face; Shuffled the same with every voice
	// taken from another speaker; TrueEmbedding the decoder fed the true
	// face's embedding (the upper bound); AttributeMatch the decoder fed
	// the embedding of the Train face whose VoiceAttributes labels are
	// nearest the speaker's true ones (what a voice that told those
	// attributes exactly, and nothing else, could reach); MeanFace the
	// training faces' average picture; Chance the retrieval by chance;
	// Estimator the estimator on the true faces against their labels (sex
	// as agreement, the others as correlation).
	Model, Shuffled, TrueEmbedding, AttributeMatch, MeanFace, Chance, Estimator Scores
}

func nanScores(k int) Scores {
	s := Scores{R1: math.NaN(), R10: math.NaN(), Sex: math.NaN(), SSIM: math.NaN(), L1: math.NaN()}
	for range k {
		s.Corr = append(s.Corr, math.NaN())
	}
	return s
}

// Table puts the model beside its baselines.
func (mt Metrics) Table() *eval.Table {
	t := &eval.Table{Title: fmt.Sprintf("Speech2Face on %d held-out speakers (%d clips)", mt.Speakers, mt.Clips), Header: "system",
		Columns: []eval.Column{{Name: "R@1 %", Format: "%.1f"}, {Name: "R@10 %", Format: "%.1f"}}}
	if len(mt.Attributes) > 0 {
		t.Columns = append(t.Columns, eval.Column{Name: "sex agree %", Format: "%.1f"})
		for _, a := range mt.Attributes {
			t.Columns = append(t.Columns, eval.Column{Name: "r " + a, Format: "%.2f"})
		}
	}
	t.Columns = append(t.Columns, eval.Column{Name: "SSIM", Format: "%.3f"}, eval.Column{Name: "L1", Format: "%.3f"})
	row := func(name string, s Scores) {
		v := []float64{100 * s.R1, 100 * s.R10}
		if len(mt.Attributes) > 0 {
			v = append(v, 100*s.Sex)
			for j := range mt.Attributes {
				r := math.NaN()
				if j < len(s.Corr) {
					r = s.Corr[j]
				}
				v = append(v, r)
			}
		}
		t.Add(name, append(v, s.SSIM, s.L1)...)
	}
	row("voice → face (model)", mt.Model)
	row("shuffled voices", mt.Shuffled)
	row("true face embedding → decoder", mt.TrueEmbedding)
	if !math.IsNaN(mt.AttributeMatch.R1) {
		row("face with the true voice attributes → decoder", mt.AttributeMatch)
	}
	row("mean face", mt.MeanFace)
	row("chance", mt.Chance)
	if len(mt.Attributes) > 0 {
		row("estimator: true face vs labels", mt.Estimator)
	}
	return t
}

// heldOut is one evaluated speaker: its clips' speech and its true face.
type heldOut struct {
	id    string
	face  []float32
	audio [][]float64
}

// speakersOf groups loaded clips by speaker, sorted by label.
func speakersOf(ds []*clipData) []*heldOut {
	by := map[string]*heldOut{}
	var out []*heldOut
	for _, d := range ds {
		h, ok := by[d.speaker]
		if !ok {
			h = &heldOut{id: d.speaker, face: floats(d.face)}
			by[d.speaker] = h
			out = append(out, h)
		}
		x := make([]float64, len(d.audio))
		for i, v := range d.audio {
			x[i] = float64(v)
		}
		h.audio = append(h.audio, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Evaluate measures m on clips of speakers it has not seen: each clip's
// voice → decoded face → the recogniser's embedding, ranked (cosine)
// among the true faces of up to o.Speakers held-out speakers; the
// attributes an estimator reads off the decoded faces against those it
// reads off the true faces (an estimator fitted on o.Train's true faces'
// pixels); SSIM and L1 of decoded faces against the true ones. Beside it:
// the same with voices shuffled across speakers, the decoder fed the true
// face's embedding, the decoder fed the embedding of the o.Train face
// nearest in VoiceAttributes (the ceiling for a voice that tells those
// attributes and nothing else), the mean face and chance.
func Evaluate(m *Model, clips []*avio.Clip, o EvalOptions) (Metrics, error) {
	var mt Metrics
	if o.Speakers == 0 {
		o.Speakers = 100
	}
	if o.Speakers < 2 {
		return mt, fmt.Errorf("speech2face: evaluate: %d speakers; want at least 2", o.Speakers)
	}
	c := m.Config
	ds, err := c.loadCtx(clips, true, o.Progress, "loading held-out clips")
	if err != nil {
		return mt, err
	}
	sps := speakersOf(ds)
	if len(sps) > o.Speakers {
		sps = sps[:o.Speakers]
	}
	if len(sps) < 2 {
		return mt, fmt.Errorf("speech2face: evaluate: the clips have %d speakers; want at least 2", len(sps))
	}
	mt.Speakers = len(sps)
	faces := make([][]float32, len(sps))
	for i, s := range sps {
		faces[i] = s.face
	}
	gallery, _, err := m.embedAll(faces)
	if err != nil {
		return mt, fmt.Errorf("speech2face: %w", err)
	}
	// the queries: every clip's voice, the speaker it belongs to
	var vEmb [][]float32
	var owner []int
	for i, s := range sps {
		for _, x := range s.audio {
			e, err := m.VoiceEmbedding(x)
			if err != nil {
				return mt, err
			}
			vEmb = append(vEmb, e)
			owner = append(owner, i)
		}
	}
	mt.Clips = len(vEmb)
	// shuffled: each query's voice comes from a clip of another speaker
	r := rand.New(rand.NewSource(o.Seed))
	other := make([]int, len(vEmb))
	for q := range vEmb {
		for {
			j := r.Intn(len(vEmb))
			if owner[j] != owner[q] {
				other[q] = j
				break
			}
		}
	}
	decoded, err := m.decodeAll(vEmb)
	if err != nil {
		return mt, err
	}
	upper, err := m.decodeAll(gallery)
	if err != nil {
		return mt, err
	}
	reEmb := func(ims []*image.RGBA) ([][]float32, [][]float32, error) {
		var ts [][]float32
		for _, im := range ims {
			t, err := c.faceTensor(im)
			if err != nil {
				return nil, nil, err
			}
			ts = append(ts, t)
		}
		e, _, err := m.embedAll(ts)
		return e, ts, err
	}
	qEmb, qImg, err := reEmb(decoded)
	if err != nil {
		return mt, fmt.Errorf("speech2face: %w", err)
	}
	uEmb, uImg, err := reEmb(upper)
	if err != nil {
		return mt, fmt.Errorf("speech2face: %w", err)
	}
	shEmb := make([][]float32, len(qEmb))
	shImg := make([][]float32, len(qEmb))
	for q := range qEmb {
		shEmb[q], shImg[q] = qEmb[other[q]], qImg[other[q]]
	}
	uOwner := make([]int, len(sps))
	for i := range uOwner {
		uOwner[i] = i
	}
	mt.Model = retrieval(qEmb, owner, gallery)
	mt.Shuffled = retrieval(shEmb, owner, gallery)
	mt.TrueEmbedding = retrieval(uEmb, uOwner, gallery)
	mt.Model.SSIM, mt.Model.L1 = quality(qImg, owner, faces, c.FaceSize)
	mt.Shuffled.SSIM, mt.Shuffled.L1 = quality(shImg, owner, faces, c.FaceSize)
	mt.TrueEmbedding.SSIM, mt.TrueEmbedding.L1 = quality(uImg, uOwner, faces, c.FaceSize)
	k := len(sps)
	mt.Chance = nanScores(0)
	mt.Chance.R1, mt.Chance.R10 = 1/float64(k), math.Min(1, 10/float64(k))
	mt.MeanFace = nanScores(0)
	mt.AttributeMatch = nanScores(0)
	mt.Estimator = nanScores(0)
	if len(o.Train) == 0 {
		return mt, nil
	}
	// the attribute estimator and the mean face, from other speakers' faces
	tr, err := c.loadCtx(o.Train, false, o.Progress, "loading attribute-estimator faces")
	if err != nil {
		return mt, err
	}
	trSp := speakersOf(tr)
	var attrs []string
	for _, a := range Attributes {
		if hasLabel(clips, a) && hasLabel(o.Train, a) {
			attrs = append(attrs, a)
		}
	}
	mean := make([]float32, 3*c.FaceSize*c.FaceSize)
	var trFaces [][]float32
	for _, s := range trSp {
		trFaces = append(trFaces, s.face)
		for i, v := range s.face {
			mean[i] += v / float32(len(trSp))
		}
	}
	meanImgs := make([][]float32, len(sps))
	for i := range meanImgs {
		meanImgs[i] = mean
	}
	mt.MeanFace.SSIM, mt.MeanFace.L1 = quality(meanImgs, uOwner, faces, c.FaceSize)
	if len(attrs) == 0 || attrs[0] != "sex_like" {
		return mt, nil
	}
	mt.Attributes = attrs
	y, err := labelRows(clips0(o.Train, trSp), attrs)
	if err != nil {
		return mt, err
	}
	est, err := fitEstimator(trFaces, y, c.FaceSize)
	if err != nil {
		return mt, fmt.Errorf("speech2face: attribute estimator: %w", err)
	}
	truth := est.apply(faces, c.FaceSize) // per speaker
	perQuery := func(own []int) [][]float64 {
		out := make([][]float64, len(own))
		for q, i := range own {
			out[q] = truth[i]
		}
		return out
	}
	mt.Model.Sex, mt.Model.Corr = agreement(est.apply(qImg, c.FaceSize), perQuery(owner))
	mt.Shuffled.Sex, mt.Shuffled.Corr = agreement(est.apply(shImg, c.FaceSize), perQuery(owner))
	mt.TrueEmbedding.Sex, mt.TrueEmbedding.Corr = agreement(est.apply(uImg, c.FaceSize), truth)
	yt, err := labelRows(clips0(clips, sps), attrs)
	if err != nil {
		return mt, err
	}
	mt.Estimator.Sex, mt.Estimator.Corr = agreement(truth, yt)
	// the ceiling: each speaker's true voice attributes pick the nearest
	// training face (attributes standardised on the training speakers)
	var vattrs []int
	for j, a := range attrs {
		for _, v := range VoiceAttributes {
			if a == v {
				vattrs = append(vattrs, j)
			}
		}
	}
	if len(vattrs) == 0 {
		return mt, nil
	}
	pick := func(rows [][]float64) [][]float64 {
		out := make([][]float64, len(rows))
		for i, r := range rows {
			for _, j := range vattrs {
				out[i] = append(out[i], r[j])
			}
		}
		return out
	}
	std, err := eval.FitStandardiser(pick(y))
	if err != nil {
		return mt, fmt.Errorf("speech2face: attribute-matched faces: %w", err)
	}
	trA, teA := std.ApplyAll(pick(y)), std.ApplyAll(pick(yt))
	matched := make([][]float32, len(sps))
	for i, a := range teA {
		best, bd := 0, math.Inf(1)
		for t, b := range trA {
			var d float64
			for j := range a {
				d += (a[j] - b[j]) * (a[j] - b[j])
			}
			if d < bd {
				best, bd = t, d
			}
		}
		matched[i] = trFaces[best]
	}
	mEmb, _, err := m.embedAll(matched)
	if err != nil {
		return mt, fmt.Errorf("speech2face: %w", err)
	}
	mDec, err := m.decodeAll(mEmb)
	if err != nil {
		return mt, err
	}
	maEmb, maImg, err := reEmb(mDec)
	if err != nil {
		return mt, fmt.Errorf("speech2face: %w", err)
	}
	mt.AttributeMatch = retrieval(maEmb, uOwner, gallery)
	mt.AttributeMatch.SSIM, mt.AttributeMatch.L1 = quality(maImg, uOwner, faces, c.FaceSize)
	mt.AttributeMatch.Sex, mt.AttributeMatch.Corr = agreement(est.apply(maImg, c.FaceSize), truth)
	return mt, nil
}

// loadCtx is load without cancellation.
func (c Config) loadCtx(clips []*avio.Clip, audio bool, w io.Writer, what string) ([]*clipData, error) {
	return c.load(context.Background(), clips, 0, audio, w, what)
}

// clips0 returns, for each speaker, its first clip among clips.
func clips0(clips []*avio.Clip, sps []*heldOut) []*avio.Clip {
	first := map[string]*avio.Clip{}
	for _, c := range clips {
		if s := c.Meta.Labels["speaker"]; first[s] == nil {
			first[s] = c
		}
	}
	out := make([]*avio.Clip, len(sps))
	for i, s := range sps {
		out[i] = first[s.id]
	}
	return out
}

func hasLabel(clips []*avio.Clip, key string) bool {
	for _, c := range clips {
		if _, ok := c.Meta.Labels[key]; !ok {
			return false
		}
	}
	return len(clips) > 0
}

// labelRows reads the attributes of clips as numbers.
func labelRows(clips []*avio.Clip, attrs []string) ([][]float64, error) {
	out := make([][]float64, len(clips))
	for i, c := range clips {
		for _, a := range attrs {
			v, err := strconv.ParseFloat(c.Meta.Labels[a], 64)
			if err != nil {
				return nil, fmt.Errorf("speech2face: clip %s: label %s %q is not a number", c.Dir, a, c.Meta.Labels[a])
			}
			out[i] = append(out[i], v)
		}
	}
	return out, nil
}

// retrieval ranks each query (owner[q] is the index of its true item in
// items) by cosine similarity; ties count against the query.
func retrieval(queries [][]float32, owner []int, items [][]float32) Scores {
	s := nanScores(0)
	sim, err := eval.Cosine(f64(queries), f64(items))
	if err != nil || len(queries) == 0 {
		return s
	}
	var r1, r10 int
	for q, row := range sim {
		rank := 0
		for j, v := range row {
			if j != owner[q] && v >= row[owner[q]] {
				rank++
			}
		}
		if rank < 1 {
			r1++
		}
		if rank < 10 {
			r10++
		}
	}
	s.R1, s.R10 = float64(r1)/float64(len(queries)), float64(r10)/float64(len(queries))
	s.Queries = len(queries)
	return s
}

func f64(x [][]float32) [][]float64 {
	out := make([][]float64, len(x))
	for i, r := range x {
		out[i] = make([]float64, len(r))
		for j, v := range r {
			out[i][j] = float64(v)
		}
	}
	return out
}

// quality is the mean SSIM and L1 of images against the true faces
// truth[owner[i]].
func quality(imgs [][]float32, owner []int, truth [][]float32, size int) (ssim, l1 float64) {
	for i, im := range imgs {
		t := truth[owner[i]]
		ssim += SSIM(im, t, size)
		var d float64
		for k := range im {
			d += math.Abs(float64(im[k] - t[k]))
		}
		l1 += d / float64(len(im))
	}
	n := float64(len(imgs))
	return ssim / n, l1 / n
}

// SSIM is the structural similarity of two RGB images (CHW in [0, 1],
// size×size) on their luma, averaged over 7×7 windows (uniform weights,
// C1 = 0.01², C2 = 0.03²), as skimage's structural_similarity with its
// defaults for data range 1.
func SSIM(a, b []float32, size int) float64 {
	luma := func(x []float32) []float64 {
		n := size * size
		out := make([]float64, n)
		for i := range out {
			out[i] = 0.299*float64(x[i]) + 0.587*float64(x[n+i]) + 0.114*float64(x[2*n+i])
		}
		return out
	}
	x, y := luma(a), luma(b)
	const w = 7
	c1, c2 := 0.01*0.01, 0.03*0.03
	var total float64
	var cnt int
	np := float64(w * w)
	for y0 := 0; y0+w <= size; y0++ {
		for x0 := 0; x0+w <= size; x0++ {
			var sx, sy, sxx, syy, sxy float64
			for dy := 0; dy < w; dy++ {
				for dx := 0; dx < w; dx++ {
					k := (y0+dy)*size + x0 + dx
					sx += x[k]
					sy += y[k]
					sxx += x[k] * x[k]
					syy += y[k] * y[k]
					sxy += x[k] * y[k]
				}
			}
			mx, my := sx/np, sy/np
			// sample (co)variances, as skimage
			vx := (sxx - np*mx*mx) / (np - 1)
			vy := (syy - np*my*my) / (np - 1)
			cxy := (sxy - np*mx*my) / (np - 1)
			total += ((2*mx*my + c1) * (2*cxy + c2)) / ((mx*mx + my*my + c1) * (vx + vy + c2))
			cnt++
		}
	}
	return total / float64(cnt)
}

// agreement compares estimates with references, both rows of
// attributes (sex_like first): the fraction on the same side of 0.5 for
// sex_like, and the correlation of each attribute.
func agreement(est, ref [][]float64) (float64, []float64) {
	var same int
	for i := range est {
		if (est[i][0] > 0.5) == (ref[i][0] > 0.5) {
			same++
		}
	}
	var corr []float64
	for j := range est[0] {
		a, b := make([]float64, len(est)), make([]float64, len(est))
		for i := range est {
			a[i], b[i] = est[i][j], ref[i][j]
		}
		corr = append(corr, pearson(a, b))
	}
	return float64(same) / float64(len(est)), corr
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i] / n
		mb += b[i] / n
	}
	var sab, saa, sbb float64
	for i := range a {
		sab += (a[i] - ma) * (b[i] - mb)
		saa += (a[i] - ma) * (a[i] - ma)
		sbb += (b[i] - mb) * (b[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return math.NaN()
	}
	return sab / math.Sqrt(saa*sbb)
}

// ContactSheet draws, for the first n speakers (by label) of clips, three
// rows of faces at twice their size: the face decoded from the voice of
// the speaker's first clip, the face decoded from the true face's
// embedding, and the true face.
func ContactSheet(m *Model, clips []*avio.Clip, n int) (image.Image, error) {
	c := m.Config
	ds, err := c.loadCtx(clips, true, nil, "")
	if err != nil {
		return nil, err
	}
	sps := speakersOf(ds)
	if len(sps) > n {
		sps = sps[:n]
	}
	if len(sps) == 0 {
		return nil, fmt.Errorf("speech2face: contact sheet: no speakers")
	}
	s := 2 * c.FaceSize
	const gap = 4
	sheet := image.NewRGBA(image.Rect(0, 0, len(sps)*(s+gap)+gap, 3*(s+gap)+gap))
	draw.Draw(sheet, sheet.Bounds(), image.White, image.Point{}, draw.Src)
	put := func(img image.Image, col, row int) {
		b := img.Bounds()
		x0, y0 := gap+col*(s+gap), gap+row*(s+gap)
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				sheet.Set(x0+x, y0+y, img.At(b.Min.X+x/2, b.Min.Y+y/2))
			}
		}
	}
	for i, sp := range sps {
		v, err := m.FaceFromVoice(sp.audio[0])
		if err != nil {
			return nil, err
		}
		e, _, err := m.embedAll([][]float32{sp.face})
		if err != nil {
			return nil, fmt.Errorf("speech2face: %w", err)
		}
		u, err := m.Decode(e[0])
		if err != nil {
			return nil, err
		}
		put(v, i, 0)
		put(u, i, 1)
		put(toImage(sp.face, c.FaceSize), i, 2)
	}
	return sheet, nil
}
