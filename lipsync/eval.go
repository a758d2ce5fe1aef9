package lipsync

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"slices"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/nets"
)

// MaxOffset is the largest audio–video offset, in frames, the sync
// measures search (±15, as Wav2Lip's evaluation).
const MaxOffset = 15

// ShiftFrames is how far the "audio shifted" baseline moves the speech.
const ShiftFrames = 10

// EvalOptions configures Evaluate.
type EvalOptions struct {
	// Baselines are other models (an L1-only generator, say) whose
	// generated frames are scored beside the model's; the model's sync
	// expert scores every row.
	Baselines []*Model
	// FaceEmbedding, if set, is a face recogniser (speech2face's, say):
	// every system's whole frames are embedded and compared with the
	// identity frame's embedding, to measure whether the face stays the
	// same person's.
	FaceEmbedding func(image.Image) ([]float32, error)
	Progress      io.Writer // nil is quiet
}

// Row is one system's scores on the held-out clips.
type Row struct {
	System string
	// MouthR is Pearson's r between the mouth opening (measured on the
	// pixels) of the system's frames and of the real frames showing the
	// same speech, each clip centred on its own mean.
	MouthR float64
	// LSED and LSEC are the sync expert's distance at the best offset and
	// its confidence (median minus minimum distance over offsets within
	// ±MaxOffset frames), averaged over clips.
	LSED, LSEC float64
	// InSync is the share of clips whose best offset is within ±1 frame.
	InSync float64
	// L1 is the mean absolute pixel difference of the lower-half crops
	// from the real frames' (NaN where there is no real frame to compare).
	L1 float64
	// IdentityDist is the mean cosine distance between the face
	// recogniser's embeddings of the system's frames and of the identity
	// frame (NaN without EvalOptions.FaceEmbedding).
	IdentityDist float64
}

// Metrics are the held-out scores of a model beside its baselines.
type Metrics struct {
	Rows     []Row
	Clips    int
	Speakers int
	// OtherFaceDist is the recogniser's mean cosine distance from each
	// identity frame to another speaker's: the scale IdentityDist is read
	// on (NaN without EvalOptions.FaceEmbedding).
	OtherFaceDist float64
}

// The systems of Metrics' rows besides the models.
const (
	SystemReal     = "real frames"
	SystemIdentity = "identity frame repeated"
	SystemShifted  = "real frames, audio shifted 10 frames"
	// SystemOtherFace is the table's row of OtherFaceDist.
	SystemOtherFace = "another speaker's face (identity scale)"
)

// SystemGenerated names the rows of model i (0: the evaluated model,
// then the baselines), and SystemDubbed its rows with another speaker's
// speech.
func SystemGenerated(i int) string {
	if i == 0 {
		return "generated"
	}
	return fmt.Sprintf("baseline %d generated", i)
}

// SystemDubbed names model i's row for dubbed speech.
func SystemDubbed(i int) string { return SystemGenerated(i) + ", another speaker's speech" }

// Row returns the row of system.
func (mt Metrics) Row(system string) (Row, bool) {
	for _, r := range mt.Rows {
		if r.System == system {
			return r, true
		}
	}
	return Row{}, false
}

// Table lays the rows out side by side.
func (mt Metrics) Table() *eval.Table {
	t := &eval.Table{
		Title:  fmt.Sprintf("lip sync on %d held-out clips of %d speakers", mt.Clips, mt.Speakers),
		Header: "frames",
		Columns: []eval.Column{{Name: "mouth r", Format: "%.3f"}, {Name: "LSE-D", Format: "%.3f"},
			{Name: "LSE-C", Format: "%.3f"}, {Name: "offset ±1", Format: "%.0f%%"}, {Name: "L1 to real", Format: "%.4f"}},
	}
	ident := !math.IsNaN(mt.OtherFaceDist)
	if ident {
		t.Columns = append(t.Columns, eval.Column{Name: "identity dist", Format: "%.3f"})
	}
	for _, r := range mt.Rows {
		v := []float64{r.MouthR, r.LSED, r.LSEC, 100 * r.InSync, r.L1}
		if ident {
			v = append(v, r.IdentityDist)
		}
		t.Add(r.System, v...)
	}
	if ident {
		t.Add(SystemOtherFace, math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN(), mt.OtherFaceDist)
	}
	return t
}

// syncScore accumulates a system's sync measures over clips.
type syncScore struct {
	d, c, in float64
	n        int
}

func (s *syncScore) add(d, c float64, off int) {
	s.d += d
	s.c += c
	if abs(off) <= 1 {
		s.in++
	}
	s.n++
}

// system is one row being accumulated.
type system struct {
	name       string
	mouth      corrAcc
	sync       syncScore
	l1, l1n    float64
	id, idn    float64
	noL1, noMR bool
}

func (s *system) row() Row {
	r := Row{System: s.name, MouthR: s.mouth.r(), L1: math.NaN(), LSED: math.NaN(), LSEC: math.NaN(), InSync: math.NaN()}
	if s.noMR {
		r.MouthR = math.NaN()
	}
	if s.sync.n > 0 {
		n := float64(s.sync.n)
		r.LSED, r.LSEC, r.InSync = s.sync.d/n, s.sync.c/n, s.sync.in/n
	}
	if !s.noL1 && s.l1n > 0 {
		r.L1 = s.l1 / s.l1n
	}
	r.IdentityDist = math.NaN()
	if s.idn > 0 {
		r.IdentityDist = s.id / s.idn
	}
	return r
}

// addL1 adds the pixel differences of crops a from b.
func (s *system) addL1(a, b [][]float32) {
	for i := range min(len(a), len(b)) {
		for j, v := range a[i] {
			s.l1 += math.Abs(float64(v - b[i][j]))
		}
		s.l1n += float64(len(a[i]))
	}
}

// Evaluate scores m on held-out clips (speakers it has not seen): for
// each clip, the frames m makes from the clip's first frame (the
// identity), every frame's head with the mouth hidden and the clip's
// speech, beside the real frames, the identity frame repeated (no
// motion), the real frames with the speech shifted by ShiftFrames, and
// m's frames for another clip's speech (of another speaker where the
// clips have several), compared with that clip's real frames. m's sync
// expert, which must be trained, gives LSE-D, LSE-C and the offsets.
func Evaluate(m *Model, clips []*avio.Clip, o EvalOptions) (Metrics, error) {
	mt := Metrics{OtherFaceDist: math.NaN()}
	c := m.Config
	ds, err := c.loadAll(context.Background(), clips, o.Progress, "loading clips")
	if err != nil {
		return mt, err
	}
	if !m.ExpertTrained() {
		return mt, fmt.Errorf("lipsync: the model's sync expert is untrained")
	}
	ds = m.usable(ds)
	if len(ds) == 0 {
		return mt, fmt.Errorf("lipsync: no clips with at least %d frames to evaluate", c.Window)
	}
	for _, b := range o.Baselines {
		if b.Config.Size != c.Size || b.Config.FPS != c.FPS {
			return mt, fmt.Errorf("lipsync: a baseline makes %d-pixel frames at %g fps, the model %d at %g", b.Config.Size, b.Config.FPS, c.Size, c.FPS)
		}
	}
	models := append([]*Model{m}, o.Baselines...)
	real := &system{name: SystemReal}
	ident := &system{name: SystemIdentity}
	shifted := &system{name: SystemShifted, noL1: true}
	gens := make([]*system, len(models))
	dubs := make([]*system, len(models))
	for i := range models {
		gens[i] = &system{name: SystemGenerated(i)}
		dubs[i] = &system{name: SystemDubbed(i), noL1: true}
	}
	speakers := map[string]bool{}
	var otherDist meanAcc
	k := c.crop()
	bar := progress.New(o.Progress, "evaluating", len(ds))
	defer bar.Done()
	for ci, d := range ds {
		speakers[d.speaker] = true
		n := len(d.crops)
		realOpen := openings(d.crops, k)
		real.mouth.add(realOpen, realOpen)
		if err := m.scoreSync(&real.sync, d.crops, d.mel, 0); err != nil {
			return mt, err
		}
		idCrops := make([][]float32, n)
		for i := range idCrops {
			idCrops[i] = d.crops[0]
		}
		ident.mouth.add(realOpen, openings(idCrops, k))
		ident.addL1(idCrops, d.crops)
		if err := m.scoreSync(&ident.sync, idCrops, d.mel, 0); err != nil {
			return mt, err
		}
		if n > ShiftFrames+1 {
			shifted.mouth.add(realOpen[ShiftFrames:], realOpen[:n-ShiftFrames])
		}
		if err := m.scoreSync(&shifted.sync, d.crops, d.mel, ShiftFrames); err != nil {
			return mt, err
		}
		other := dubbingPartner(ds, ci)
		var faces *faceIdentity
		if o.FaceEmbedding != nil {
			if faces, err = c.newFaceIdentity(d, o.FaceEmbedding); err != nil {
				return mt, err
			}
			if err := faces.score(real, nil); err != nil {
				return mt, err
			}
			if other != nil {
				if err := faces.scoreOther(other, &otherDist); err != nil {
					return mt, err
				}
			}
		}
		for i, gm := range models {
			gen, err := gm.lipCrops(d.crops[0], d.crops, d.mel)
			if err != nil {
				return mt, err
			}
			gens[i].mouth.add(realOpen, openings(gen, k))
			gens[i].addL1(gen, d.crops)
			if faces != nil {
				if err := faces.score(gens[i], gen); err != nil {
					return mt, err
				}
			}
			if err := m.scoreSync(&gens[i].sync, gen, d.mel, 0); err != nil {
				return mt, err
			}
			if other == nil {
				continue
			}
			// the face of d says other's speech: its frames are compared
			// with other's real frames
			nd := min(n, len(other.crops))
			dub, err := gm.lipCrops(d.crops[0], d.crops[:nd], other.mel)
			if err != nil {
				return mt, err
			}
			dubs[i].mouth.add(openings(other.crops[:nd], k), openings(dub, k))
			if err := m.scoreSync(&dubs[i].sync, dub, other.mel, 0); err != nil {
				return mt, err
			}
		}
		bar.Set(ci+1, d.name)
	}
	for i := range models {
		mt.Rows = append(mt.Rows, gens[i].row())
	}
	mt.Rows = append(mt.Rows, real.row(), ident.row(), shifted.row())
	for i := range models {
		if dubs[i].sync.n > 0 {
			mt.Rows = append(mt.Rows, dubs[i].row())
		}
	}
	if otherDist.n > 0 {
		mt.OtherFaceDist = otherDist.mean()
	}
	mt.Clips, mt.Speakers = len(ds), len(speakers)
	return mt, nil
}

// dubbingPartner picks the clip whose speech clip i's face says in the
// dubbing rows: the next clip of another speaker, or the next clip.
func dubbingPartner(ds []*clipData, i int) *clipData {
	if len(ds) < 2 {
		return nil
	}
	for j := 1; j < len(ds); j++ {
		o := ds[(i+j)%len(ds)]
		if o.speaker != ds[i].speaker || o.speaker == "" {
			return o
		}
	}
	return ds[(i+1)%len(ds)]
}

// scoreSync adds the sync measures of frames (crops) against the speech
// of ms, its windows moved by shift frames, to s.
func (m *Model) scoreSync(s *syncScore, crops [][]float32, ms *mels, shift int) error {
	d, conf, off, err := m.syncOffsets(crops, ms, shift)
	if err != nil {
		return err
	}
	s.add(d, conf, off)
	return nil
}

// syncOffsets measures how well frames (lower-half crops) go with the speech of
// ms, as SyncNet's evaluation does: for each offset within ±MaxOffset,
// the mean distance between the expert's unit-length embeddings of every
// Window-frame window and of the mel window offset frames later (the
// speech moved by shift frames). It returns the smallest mean distance
// (LSE-D), the median minus that (LSE-C) and the offset at the minimum.
func (m *Model) syncOffsets(crops [][]float32, ms *mels, shift int) (dist, conf float64, offset int, err error) {
	c := m.Config
	nw := len(crops) - c.Window + 1
	if nw < 1 {
		return 0, 0, 0, fmt.Errorf("lipsync: %d frames, fewer than a window (%d)", len(crops), c.Window)
	}
	var video, mel []float32
	for i := 0; i < nw; i++ {
		for f := i; f < i+c.Window; f++ {
			video = append(video, crops[f]...)
		}
	}
	// audio windows for starts −MaxOffset … nw−1+MaxOffset
	na := nw + 2*MaxOffset
	for i := 0; i < na; i++ {
		mel = c.windowMel(ms, i-MaxOffset+shift, mel)
	}
	v, err := m.embeddings("video", []int{3 * c.Window, c.crop(), c.crop()}, video, nw)
	if err != nil {
		return 0, 0, 0, err
	}
	a, err := m.embeddings("mel", []int{1, c.NMels, c.MelFrames}, mel, na)
	if err != nil {
		return 0, 0, 0, err
	}
	var ds []float64
	best := math.Inf(1)
	for off := -MaxOffset; off <= MaxOffset; off++ {
		var s float64
		for i := 0; i < nw; i++ {
			s += dist2(v[i], a[i+off+MaxOffset])
		}
		s /= float64(nw)
		ds = append(ds, s)
		if s < best {
			best, offset = s, off
		}
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	return best, sorted[len(sorted)/2] - best, offset, nil
}

// embeddings runs one of the expert's encoders over n inputs of shape
// per (stacked in data) and returns their unit-length embeddings.
func (m *Model) embeddings(name string, per []int, data []float32, n int) ([][]float64, error) {
	if m.exp == nil {
		m.exp = nets.NewProgram(m.expertDefine(), nets.ProgramOptions{Mode: nets.Eval})
	}
	size := 1
	for _, d := range per {
		size *= d
	}
	out := "v"
	if name == "mel" {
		out = "a"
	}
	var embs [][]float64
	for lo := 0; lo < n; lo += batchFrames {
		hi := min(lo+batchFrames, n)
		pass, err := m.exp.Run(nets.Feed{Name: name, Shape: append([]int{hi - lo}, per...), Data: data[lo*size : hi*size]})
		if err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
		e, shape, err := pass.Value(out)
		if err != nil {
			return nil, fmt.Errorf("lipsync: %w", err)
		}
		dim := shape[1]
		for i := 0; i < hi-lo; i++ {
			row := make([]float64, dim)
			var nrm float64
			for j := range row {
				row[j] = float64(e[i*dim+j])
				nrm += row[j] * row[j]
			}
			if nrm = math.Sqrt(nrm); nrm > 0 {
				for j := range row {
					row[j] /= nrm
				}
			}
			embs = append(embs, row)
		}
	}
	return embs, nil
}

// dist2 is the Euclidean distance of a and b.
func dist2(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
