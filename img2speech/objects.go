package img2speech

import (
	"context"
	"fmt"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"time"

	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
	"github.com/avlearn/avlearn/task"
)

// DefaultObjectPictures is the number of object pictures of the recipe
// (avl img2speech train --stage image --objects): 2,000 steps, under a
// minute on one core.
const DefaultObjectPictures = 8000

// objectPictureSize is the size synth draws the object pictures at, as
// synth.Captions draws its pictures by default; they are then scaled to
// Config.ImageSize like a corpus's.
const objectPictureSize = 64

// ObjectReport summarises PretrainImage.
type ObjectReport struct {
	task.Report
	Pictures, ValPictures int
	// ValAccuracy is the fraction of validation pictures whose object is
	// named right (chance is 1/20).
	ValAccuracy float64
}

// DefaultObjectTrainOptions are the settings PretrainImage uses for the
// fields left at zero: 8 epochs of batches of 32, Adam from 2e-3 down a
// cosine, gradient norm clipped at 5.
func DefaultObjectTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 8, BatchSize: 32, LR: 2e-3, Schedule: task.ScheduleCosine, ClipNorm: 5}
}

// PretrainImage teaches the CNN of m's captioner to name objects before it
// learns any caption, as the image encoders of Show, Attend and Tell and
// of Hsu et al. were first trained on ImageNet. Each of the pictures
// (drawn by synth from o.Seed, a tenth more for validation) holds one
// object, one of synth.CaptionShapes in one of synth.CaptionColours at a
// caption position, and its label is that object's class (20 classes);
// the CNN's largest response in each channel, over the cells, feeds a
// linear read-out that is dropped afterwards. The CNN never sees a
// caption, speech, or how many objects a picture holds and where.
//
// Trained through captions alone, the CNN did not learn the shapes: the
// captions' few shape units gave it too little to go on, and the
// captioner said shapes at chance (docs/runs/img2speech.md). It records
// pictures in m.Config.ImagePretrain; o's CheckpointPath and CurvePrefix
// are not used.
func PretrainImage(ctx context.Context, m *Model, pictures int, o TrainOptions) (ObjectReport, error) {
	start := time.Now()
	rep := ObjectReport{Pictures: pictures, ValPictures: max(1, pictures/10)}
	if pictures < 1 || pictures > MaxObjectPictures {
		return rep, fmt.Errorf("img2speech: %d object pictures; want 1–%d", pictures, MaxObjectPictures)
	}
	o, err := o.WithDefaults(DefaultObjectTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	o.CheckpointPath, o.CurvePrefix = "", ""
	classes := len(synth.CaptionShapes) * len(synth.CaptionColours)
	head, err := nets.NewLinear("objects", imageChannels[len(imageChannels)-1], classes, true, mrand.New(mrand.NewSource(m.Config.Seed)))
	if err != nil {
		return rep, err
	}
	var cnn []*nets.Param
	for _, l := range m.cap.cnn {
		cnn = append(cnn, l.Params()...)
	}
	t := &objectTask{m: m, params: slices.Concat(cnn, head.Params()), n: pictures, seed: uint64(o.Seed)}
	def := m.defineObjects(head)
	t.prog = nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, pictures, rep.ValPictures, Kind, m.Config, o, false)
	rep.Steps = t.steps
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	if rep.ValAccuracy, err = t.accuracy(rep.ValPictures); err != nil {
		return rep, err
	}
	m.Config.ImagePretrain = pictures
	rep.Duration = time.Since(start)
	return rep, nil
}

// MaxObjectPictures bounds PretrainImage's pictures (they are drawn a
// batch at a time, so this bounds time, not memory).
const MaxObjectPictures = 10_000_000

// defineObjects declares the pretraining pass: input "image" [N, 3, S, S];
// the CNN, the maximum over its cells and head give "logits" [N, 20];
// with "labels" [N] fed, their cross-entropy.
func (m *Model) defineObjects(head *nets.Linear) func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		img, err := p.Input("image")
		if err != nil {
			return err
		}
		f, err := m.cap.cnn.Forward(p.Graph(), img)
		if err != nil {
			return err
		}
		fs := f.Shape()
		if f, err = nets.NewMaxPool2d([2]int{fs[2], fs[3]}, [2]int{fs[2], fs[3]}, [2]int{}).Forward(p.Graph(), f); err != nil {
			return err
		}
		if f, err = nets.Reshape(f, tensor.Shape{fs[0], fs[1]}); err != nil {
			return err
		}
		if f, err = head.Forward(p.Graph(), f); err != nil {
			return err
		}
		if err := p.Output("logits", f); err != nil {
			return err
		}
		if !p.Has("labels") {
			return nil
		}
		y, err := p.Input("labels")
		if err != nil {
			return err
		}
		ce, err := nets.CrossEntropyLoss(f, y)
		if err != nil {
			return err
		}
		return p.Minimize(ce)
	}
}

type objectTask struct {
	m          *Model
	params     []*nets.Param
	prog, eval *nets.Program
	n          int // training pictures; validation picture i is picture n+i
	seed       uint64
	steps      int
}

func (t *objectTask) Params() []*nets.Param { return t.params }

// LossName names the loss on plots.
func (t *objectTask) LossName() string { return "object cross-entropy (nats)" }

// picture draws picture i (the same for a seed, on any machine) and
// returns it as the captioner reads pictures, with its class.
func (t *objectTask) picture(i int) ([]float32, int, error) {
	r := rand.New(rand.NewPCG(t.seed, uint64(i)))
	s, c := r.IntN(len(synth.CaptionShapes)), r.IntN(len(synth.CaptionColours))
	item := synth.CaptionItem{Shape: synth.CaptionShapes[s], Colour: synth.CaptionColours[c], Position: synth.CaptionPositions[r.IntN(len(synth.CaptionPositions))]}
	img, err := synth.RenderCaption(r, []synth.CaptionItem{item}, objectPictureSize)
	if err != nil {
		return nil, 0, err
	}
	x, err := avio.ImageTensor(img, t.m.Config.imageOptions())
	return x, s*len(synth.CaptionColours) + c, err
}

// feeds draws pictures first+idx[k].
func (t *objectTask) feeds(first int, idx []int) ([]nets.Feed, error) {
	s := t.m.Config.ImageSize
	img := make([]float32, 0, len(idx)*3*s*s)
	lab := make([]float32, len(idx))
	for k, i := range idx {
		x, y, err := t.picture(first + i)
		if err != nil {
			return nil, err
		}
		img, lab[k] = append(img, x...), float32(y)
	}
	return []nets.Feed{{Name: "image", Shape: []int{len(idx), 3, s, s}, Data: img}, {Name: "labels", Shape: []int{len(idx)}, Data: lab}}, nil
}

func (t *objectTask) run(prog *nets.Program, first int, idx []int) (float64, error) {
	f, err := t.feeds(first, idx)
	if err != nil {
		return 0, err
	}
	pass, err := prog.Run(f...)
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

func (t *objectTask) TrainBatch(idx []int) (float64, error) {
	t.steps++
	return t.run(t.prog, 0, idx)
}

func (t *objectTask) EvalBatch(idx []int) (float64, error) { return t.run(t.eval, t.n, idx) }

// accuracy is the fraction of the nVal validation pictures named right.
func (t *objectTask) accuracy(nVal int) (float64, error) {
	right := 0
	for lo := 0; lo < nVal; lo += 64 {
		idx := make([]int, min(64, nVal-lo))
		for k := range idx {
			idx[k] = lo + k
		}
		f, err := t.feeds(t.n, idx)
		if err != nil {
			return 0, err
		}
		pass, err := t.eval.Run(f...)
		if err != nil {
			return 0, err
		}
		logits, sh, err := pass.Value("logits")
		if err != nil {
			return 0, err
		}
		for k := range idx {
			row := logits[k*sh[1] : (k+1)*sh[1]]
			if slices.Index(row, slices.Max(row)) == int(f[1].Data[k]) {
				right++
			}
		}
	}
	return float64(right) / float64(nVal), nil
}
