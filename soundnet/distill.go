package soundnet

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"strconv"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// Data is what Train learns from: clips whose audio and frames are
// used and whose labels are never read, and the teacher that turns their
// frames into target distributions.
type Data struct {
	Train   []*avio.Clip
	Val     []*avio.Clip // optional: gives the validation KL
	Teacher Teacher
}

// window is one training example: Config.WindowSamples() samples of a
// clip from start, with the teacher distributions of the frames at its
// conv8 steps.
type window struct {
	clip       *avio.Clip
	start      int
	audio      []float32 // scaled, padded to the window length; nil: read from clip
	objs, scns [][]float32
}

// windowMemory bounds the audio that a corpus's windows keep in memory
// (a variable for tests). Beyond it, each window reads its clip's audio
// file when a batch needs it: the same samples, for corpora of any size.
var windowMemory = 1 << 30

// samples writes the window's scaled samples into dst (the window length).
func (w *window) samples(dst []float32) error {
	if w.audio != nil {
		copy(dst, w.audio)
		return nil
	}
	x, err := w.clip.Audio(Rate)
	if err != nil {
		return fmt.Errorf("soundnet: %w", err)
	}
	return excerpt(dst, x, w.start, w.clip.Name)
}

// excerpt writes x[start:] scaled by InputScale into dst, zero-padded.
func excerpt(dst []float32, x []float64, start int, clip string) error {
	clear(dst)
	for i := 0; i < len(dst) && start+i < len(x); i++ {
		v := x[start+i]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("soundnet: clip %s: sample %d is %v", clip, start+i, v)
		}
		dst[i] = float32(v * InputScale)
	}
	return nil
}

// windows cuts clip c (audio at Rate) into excerpts of n samples: one,
// zero-padded, if the clip is shorter; otherwise excerpts every n/2
// samples plus one that ends at the clip's end. Each conv8 step j of an
// excerpt starting at sample s is taught by the frame at time
// s/Rate + StepTime(j).
func windows(c *avio.Clip, t Teacher, n int) ([]window, error) {
	x, err := c.Audio(Rate)
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("soundnet: clip %s: empty audio", c.Name)
	}
	do, ds, err := t.Distributions(c)
	if err != nil {
		return nil, err
	}
	if len(do) != c.NumFrames || len(ds) != c.NumFrames {
		return nil, fmt.Errorf("soundnet: clip %s: teacher gave %d/%d rows for %d frames", c.Name, len(do), len(ds), c.NumFrames)
	}
	var starts []int
	if len(x) <= n {
		starts = []int{0}
	} else {
		for s := 0; s+n <= len(x); s += n / 2 {
			starts = append(starts, s)
		}
		if last := len(x) - n; starts[len(starts)-1] != last {
			starts = append(starts, last)
		}
	}
	steps := Lengths(n)["conv8"]
	var out []window
	for _, s := range starts {
		w := window{clip: c, start: s, audio: make([]float32, n)}
		if err := excerpt(w.audio, x, s, c.Name); err != nil {
			return nil, err
		}
		for j := 0; j < steps; j++ {
			f := c.FrameAt(float64(s)/Rate + StepTime(j))
			w.objs = append(w.objs, do[f])
			w.scns = append(w.scns, ds[f])
		}
		out = append(out, w)
	}
	return out, nil
}

// allWindows cuts every clip into windows with their teacher targets.
// The windows keep their audio while it fits windowMemory; past that,
// none does (see window.samples).
func allWindows(ctx context.Context, clips []*avio.Clip, t Teacher, n int, w io.Writer) ([]window, error) {
	var out []window
	bar := progress.New(w, "teacher targets", len(clips))
	defer bar.Done()
	held := true
	for i, c := range clips {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ws, err := windows(c, t, n)
		if err != nil {
			return nil, err
		}
		if held && (len(out)+len(ws))*n*4 > windowMemory {
			held = false
			for j := range out {
				out[j].audio = nil
			}
		}
		if !held {
			for j := range ws {
				ws[j].audio = nil
			}
		}
		out = append(out, ws...)
		bar.Set(i+1, "")
	}
	return out, nil
}

// Report summarises a distillation run.
type Report struct {
	task.Report      // loss history, optimiser steps, wall time
	TrainWindows int // excerpts of Config.Window seconds
	ValWindows   int
	Conv8Steps   int // conv8 steps per excerpt
}

// distillTask adapts distillation to nets.Fit.
type distillTask struct {
	m          *Model
	train, val []window
	bs, n, t   int
	prog       *nets.Program
	xb, ob, sb []float32
	xw         []float32 // one window's samples, before augmentation
	steps      int       // optimiser steps taken
	rng        *rand.Rand
}

func (k *distillTask) Params() []*nets.Param { return k.m.params }

// fillDist writes the rows of windows ws (steps × classes) into buf laid
// out as [len(ws), classes, steps].
func fillDist(buf []float32, rows [][]float32, i, t int) {
	c := len(rows[0])
	for j, r := range rows {
		for q, p := range r {
			buf[(i*c+q)*t+j] = p
		}
	}
}

// LossName names the loss on plots.
func (k *distillTask) LossName() string {
	return "KL divergence to the teachers (nats)"
}

func (k *distillTask) TrainBatch(idx []int) (float64, error) {
	for i, j := range idx {
		w := &k.train[j]
		if err := w.samples(k.xw); err != nil {
			return 0, err
		}
		k.augment(k.xb[i*k.n:(i+1)*k.n], k.xw)
		fillDist(k.ob, w.objs, i, k.t)
		fillDist(k.sb, w.scns, i, k.t)
	}
	m := k.m.Config
	pass, err := k.prog.Run(
		nets.Feed{Name: "audio", Shape: []int{k.bs, 1, k.n}, Data: k.xb},
		nets.Feed{Name: "teacher_objects", Shape: []int{k.bs, m.Objects, k.t}, Data: k.ob},
		nets.Feed{Name: "teacher_scenes", Shape: []int{k.bs, m.Scenes, k.t}, Data: k.sb})
	if err != nil {
		return 0, err
	}
	k.steps++
	return pass.Loss()
}

// augment writes excerpt x into dst shifted circularly by a random number
// of samples up to Config.Shift seconds either way and scaled by a random
// gain up to ±Config.Gain dB: the same sound never reaches the network
// twice, which keeps the student from memorising a small corpus.
func (k *distillTask) augment(dst, x []float32) {
	c := k.m.Config
	s := int(math.Round(c.Shift * Rate))
	if s > 0 {
		s = k.rng.Intn(2*s+1) - s
	}
	g := float32(1)
	if c.Gain > 0 {
		g = float32(math.Pow(10, (2*k.rng.Float64()-1)*c.Gain/20))
	}
	n := len(x)
	for i := range dst {
		dst[i] = g * x[((i-s)%n+n)%n]
	}
}

func (k *distillTask) EvalBatch(idx []int) (float64, error) {
	ws := make([]window, len(idx))
	for i, j := range idx {
		ws[i] = k.val[j]
	}
	a, err := k.m.agreement(ws)
	if err != nil {
		return 0, err
	}
	return a.ObjectKL + a.SceneKL, nil
}

// Train distils teacher data.Teacher into m: every excerpt of
// m.Config.Window seconds of a training clip's audio goes through the
// network, and each conv8 step's object and scene outputs are pulled
// towards the teacher's distributions for the frame at that step's time by
// minimising KL(teacher ‖ softmax(student)) on both heads (summed, averaged
// over steps and excerpts) with Adam. Clip labels are never read: only
// audio and frames reach the student.
func Train(ctx context.Context, m *Model, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := options(o)
	if err != nil {
		return rep, err
	}
	if data.Teacher == nil {
		return rep, fmt.Errorf("soundnet: Train: no teacher")
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("soundnet: Train: no training clips")
	}
	to, ts := data.Teacher.Classes()
	if len(to) != m.Config.Objects || len(ts) != m.Config.Scenes {
		return rep, fmt.Errorf("soundnet: Train: teacher has %d object and %d scene classes, model heads have %d and %d",
			len(to), len(ts), m.Config.Objects, m.Config.Scenes)
	}
	n := max(m.Config.WindowSamples(), MinSamples())
	tr, err := allWindows(ctx, data.Train, data.Teacher, n, o.Progress)
	if err != nil {
		return rep, err
	}
	va, err := allWindows(ctx, data.Val, data.Teacher, n, o.Progress)
	if err != nil {
		return rep, err
	}
	steps := Lengths(n)["conv8"]
	bs := min(o.BatchSize, len(tr))
	k := &distillTask{m: m, train: tr, val: va, bs: bs, n: n, t: steps, rng: rand.New(rand.NewSource(o.Seed)),
		xb: make([]float32, bs*n), xw: make([]float32, n), ob: make([]float32, bs*m.Config.Objects*steps), sb: make([]float32, bs*m.Config.Scenes*steps)}
	k.prog = nets.NewProgram(func(p *nets.Pass) error {
		outs, err := m.forwardPass(p)
		if err != nil {
			return err
		}
		var kls []*G.Node
		for _, h := range []struct{ out, target string }{{"conv8_objs", "teacher_objects"}, {"conv8_scns", "teacher_scenes"}} {
			target, err := p.Input(h.target)
			if err != nil {
				return err
			}
			lp, err := nets.LogSoftmaxAxis(outs[h.out], 1)
			if err != nil {
				return err
			}
			kl, err := nets.KLDivLoss(lp, target) // sums over classes and steps, / batch
			if err != nil {
				return err
			}
			kls = append(kls, kl)
		}
		sum, err := G.Add(kls[0], kls[1])
		if err != nil {
			return err
		}
		loss, err := G.Mul(sum, G.NewConstant(float32(1/float64(steps))))
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	defer k.prog.Close()
	rep.TrainWindows, rep.ValWindows, rep.Conv8Steps = len(tr), len(va), steps
	o.BatchSize = bs
	rep.History, err = task.Fit(ctx, k, len(tr), len(va), Kind, m.Config, o, true)
	rep.Steps, rep.Duration = k.steps, time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("soundnet: %w", err)
	}
	return rep, nil
}

// Metrics is how well the student's conv8 outputs agree with the
// teacher's distributions, over every conv8 step of the evaluated
// excerpts, beside the prior that a student deaf to the sound reaches.
type Metrics struct {
	Steps int
	// ObjectTop1 and SceneTop1 are the fractions of steps where the
	// student's most likely class is the teacher's.
	ObjectTop1, SceneTop1 float64
	// ObjectKL and SceneKL are the mean KL(teacher ‖ student) per step, in nats.
	ObjectKL, SceneKL float64
	// PriorObjectKL and PriorSceneKL are the KL of a constant prediction,
	// the teacher's mean distribution over the same steps: a student that
	// learnt nothing from the sound does no better.
	PriorObjectKL, PriorSceneKL float64
	// PriorObjectTop1 and PriorSceneTop1 are the top-1 agreement of always
	// answering the teacher's most frequent top class.
	PriorObjectTop1, PriorSceneTop1 float64
}

// Evaluate measures the student's agreement with teacher on clips (held
// out from training), excerpted as in Train.
func Evaluate(m *Model, clips []*avio.Clip, teacher Teacher) (Metrics, error) {
	ws, err := allWindows(context.Background(), clips, teacher, max(m.Config.WindowSamples(), MinSamples()), nil)
	if err != nil {
		return Metrics{}, err
	}
	if len(ws) == 0 {
		return Metrics{}, fmt.Errorf("soundnet: Evaluate: no clips")
	}
	return m.agreement(ws)
}

// agreement runs the student over ws in batches and compares.
func (m *Model) agreement(ws []window) (Metrics, error) {
	var a Metrics
	n := max(m.Config.WindowSamples(), MinSamples())
	const batch = 8
	var so, ss, to, ts [][]float32
	x := make([]float32, batch*n)
	for lo := 0; lo < len(ws); lo += batch {
		hi := min(len(ws), lo+batch)
		x := x[:(hi-lo)*n]
		for i := range ws[lo:hi] {
			if err := ws[lo+i].samples(x[i*n : (i+1)*n]); err != nil {
				return a, err
			}
		}
		fs, err := m.run(x, hi-lo, n, []string{"conv8_objs", "conv8_scns"})
		if err != nil {
			return a, err
		}
		for i, w := range ws[lo:hi] {
			so = append(so, columns(fs["conv8_objs"][i])...)
			ss = append(ss, columns(fs["conv8_scns"][i])...)
			to = append(to, w.objs...)
			ts = append(ts, w.scns...)
		}
	}
	a.Steps = len(so)
	a.ObjectTop1, a.ObjectKL, a.PriorObjectTop1, a.PriorObjectKL = compare(so, to)
	a.SceneTop1, a.SceneKL, a.PriorSceneTop1, a.PriorSceneKL = compare(ss, ts)
	return a, nil
}

// columns returns the time steps of f as rows of logits.
func columns(f *FeatureMap) [][]float32 {
	out := make([][]float32, f.Steps)
	for j := range out {
		out[j] = make([]float32, f.Channels)
		for c := range out[j] {
			out[j][c] = f.Data[c*f.Steps+j]
		}
	}
	return out
}

// compare returns top-1 agreement and mean KL(teacher ‖ softmax(logits)),
// and the same for the constant prior baselines.
func compare(logits, teacher [][]float32) (top1, kl, priorTop1, priorKL float64) {
	c := len(teacher[0])
	mean := make([]float64, c)
	tops := make([]int, len(teacher)) // the teacher's top class per step
	for i, t := range teacher {
		for q, p := range t {
			mean[q] += float64(p) / float64(len(teacher))
		}
		tops[i] = eval.Argmax(t)
	}
	best := eval.Majority(tops)
	for i, l := range logits {
		t := teacher[i]
		if eval.Argmax(l) == tops[i] {
			top1++
		}
		if tops[i] == best {
			priorTop1++
		}
		for q, p := range t {
			if p > 0 {
				kl += float64(p) * (math.Log(float64(p)) - eval.LogSoftmaxAt(l, q))
				priorKL += float64(p) * (math.Log(float64(p)) - math.Log(math.Max(mean[q], 1e-30)))
			}
		}
	}
	n := float64(len(logits))
	return top1 / n, kl / n, priorTop1 / n, priorKL / n
}

// String formats the agreement as two lines.
// Table returns the metrics as a table: the student and the prior, top-1
// agreement (%) and KL (nats) for both heads.
func (a Metrics) Table() eval.Table {
	t := eval.Table{Header: "system", Columns: []eval.Column{
		{Name: "objects top-1 %", Format: "%.1f"}, {Name: "objects KL", Format: "%.3f"},
		{Name: "scenes top-1 %", Format: "%.1f"}, {Name: "scenes KL", Format: "%.3f"}}}
	t.Add("student", 100*a.ObjectTop1, a.ObjectKL, 100*a.SceneTop1, a.SceneKL)
	t.Add("prior (teacher's mean distribution)", 100*a.PriorObjectTop1, a.PriorObjectKL, 100*a.PriorSceneTop1, a.PriorSceneKL)
	return t
}

func (a Metrics) String() string {
	return "objects: top-1 " + pct(a.ObjectTop1) + " (prior " + pct(a.PriorObjectTop1) + "), KL " + f3(a.ObjectKL) + " nats (prior " + f3(a.PriorObjectKL) + ")\n" +
		"scenes:  top-1 " + pct(a.SceneTop1) + " (prior " + pct(a.PriorSceneTop1) + "), KL " + f3(a.SceneKL) + " nats (prior " + f3(a.PriorSceneKL) + ")"
}

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }
func f3(v float64) string  { return strconv.FormatFloat(v, 'f', 3, 64) }
