package soundnet

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"sort"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/task"
)

// ImageTeacherConfig sizes an ImageTeacher.
type ImageTeacherConfig struct {
	Size        int      `json:"size"`  // frames are resized and centre-cropped to Size×Size; multiple of 4
	Width       int      `json:"width"` // channels of the first conv layer (then 2×, 4×)
	ObjectNames []string `json:"object_names"`
	SceneNames  []string `json:"scene_names"`
	Seed        int64    `json:"seed"`
}

// DefaultImageTeacherConfig is a 32×32, 16-channel teacher; the class names
// come from the training labels when left empty.
func DefaultImageTeacherConfig() ImageTeacherConfig {
	return ImageTeacherConfig{Size: 32, Width: 16, Seed: 1}
}

// Validate reports the first invalid field.
func (c ImageTeacherConfig) Validate() error {
	switch {
	case c.Size < 8 || c.Size > 512 || c.Size%4 != 0:
		return fmt.Errorf("soundnet: teacher size = %d, want a multiple of 4 in [8, 512]", c.Size)
	case c.Width < 1 || c.Width > 512:
		return fmt.Errorf("soundnet: teacher width = %d, want 1–512", c.Width)
	case len(c.ObjectNames) < 1 || len(c.SceneNames) < 1:
		return fmt.Errorf("soundnet: teacher config has %d object and %d scene classes, want ≥ 1 each", len(c.ObjectNames), len(c.SceneNames))
	}
	return nil
}

// frameOptions is how the teacher reads frames: Size×Size RGB scaled to
// roughly [-1, 1].
func (c ImageTeacherConfig) frameOptions() avio.FrameOptions {
	return avio.FrameOptions{Width: c.Size, Height: c.Size, Mean: []float64{0.5, 0.5, 0.5}, Std: []float64{0.25, 0.25, 0.25}}
}

// ImageTeacher is a small image CNN with an object head and a scene head:
// three Conv2d(3×3)+BatchNorm2d+ReLU blocks (max pooling 2 after the first
// two), global average pooling, then Linear heads "fc_objs" and "fc_scns".
// It is trained on the labelled frames of a clip dataset by TrainTeacher.
type ImageTeacher struct {
	Config     ImageTeacherConfig
	convs      [3]*nets.Conv2d
	bns        [3]*nets.BatchNorm
	objs, scns *nets.Linear
	params     []*nets.Param
	eval       *nets.Program // logits of frames [N, 3, S, S]
}

// NewImageTeacher builds an untrained teacher.
func NewImageTeacher(cfg ImageTeacherConfig) (*ImageTeacher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(cfg.Seed))
	t := &ImageTeacher{Config: cfg}
	in := 3
	for i := range t.convs {
		out := cfg.Width << i
		c, err := nets.NewConv2d(fmt.Sprintf("conv%d", i+1), in, out, 3, 3, nets.Conv2dOptions{Padding: [2]int{1, 1}}, rng)
		if err != nil {
			return nil, fmt.Errorf("soundnet: teacher: %w", err)
		}
		t.convs[i] = c
		if t.bns[i], err = nets.NewBatchNorm2d(fmt.Sprintf("bn%d", i+1), out); err != nil {
			return nil, fmt.Errorf("soundnet: teacher: %w", err)
		}
		t.params = append(t.params, c.Params()...)
		t.params = append(t.params, t.bns[i].Params()...)
		in = out
	}
	var err error
	if t.objs, err = nets.NewLinear("fc_objs", in, len(cfg.ObjectNames), true, rng); err != nil {
		return nil, fmt.Errorf("soundnet: teacher: %w", err)
	}
	if t.scns, err = nets.NewLinear("fc_scns", in, len(cfg.SceneNames), true, rng); err != nil {
		return nil, fmt.Errorf("soundnet: teacher: %w", err)
	}
	t.params = append(t.params, t.objs.Params()...)
	t.params = append(t.params, t.scns.Params()...)
	return t, nil
}

// Params lists every tensor of the teacher.
func (t *ImageTeacher) Params() []*nets.Param { return t.params }

// Classes implements Teacher.
func (t *ImageTeacher) Classes() (objects, scenes []string) {
	return t.Config.ObjectNames, t.Config.SceneNames
}

// TeacherKind names image teachers in model files (nets.SaveModel).
const TeacherKind = "soundnet.image_teacher"

// Save writes the teacher as safetensors with its config in the metadata.
func (t *ImageTeacher) Save(path string) error {
	if err := nets.SaveModel(path, TeacherKind, t, t.Config, nil); err != nil {
		return fmt.Errorf("soundnet: %w", err)
	}
	return nil
}

// LoadImageTeacher reads a teacher written by Save.
func LoadImageTeacher(path string) (*ImageTeacher, error) {
	var cfg ImageTeacherConfig
	t, _, err := nets.LoadModel(path, TeacherKind, &cfg, func() (*ImageTeacher, error) { return NewImageTeacher(cfg) })
	if err != nil {
		return nil, fmt.Errorf("soundnet: %w", err)
	}
	return t, nil
}

// forward returns the object and scene logits [N, classes] for x [N, 3, S, S].
func (t *ImageTeacher) forward(g *nets.Graph, x *G.Node) (objs, scns *G.Node, err error) {
	h := x
	for i := range t.convs {
		if h, err = t.convs[i].Forward(g, h); err != nil {
			return nil, nil, err
		}
		if h, err = t.bns[i].ForwardReLU(g, h); err != nil {
			return nil, nil, err
		}
		if i < 2 {
			if h, err = nets.NewMaxPool2d([2]int{2, 2}, [2]int{2, 2}, [2]int{}).Forward(g, h); err != nil {
				return nil, nil, err
			}
		}
	}
	s := h.Shape()
	if h, err = nets.NewAvgPool2d([2]int{s[2], s[3]}, [2]int{s[2], s[3]}, [2]int{}).Forward(g, h); err != nil {
		return nil, nil, err
	}
	if h, err = nets.Reshape(h, tensor.Shape{s[0], s[1]}); err != nil {
		return nil, nil, err
	}
	if objs, err = t.objs.Forward(g, h); err != nil {
		return nil, nil, err
	}
	scns, err = t.scns.Forward(g, h)
	return objs, scns, err
}

// teacherBatch is the batch size of the teacher's evaluation runs.
const teacherBatch = 16

// logits runs the teacher on frames x (n×3×S×S, any n) and returns the
// object and scene logits row by row.
func (t *ImageTeacher) logits(x []float32, n int) (objs, scns [][]float32, err error) {
	if t.eval == nil {
		t.eval = nets.NewProgram(func(p *nets.Pass) error {
			x, err := p.Input("frames")
			if err != nil {
				return err
			}
			o, sc, err := t.forward(p.Graph(), x)
			if err != nil {
				return err
			}
			if err := p.Output("objects", o); err != nil {
				return err
			}
			return p.Output("scenes", sc)
		}, nets.ProgramOptions{Mode: nets.Eval})
	}
	s := t.Config.Size
	per := 3 * s * s
	if len(x) != n*per {
		return nil, nil, fmt.Errorf("soundnet: teacher: %d values for %d frames of %d×%d", len(x), n, s, s)
	}
	buf := make([]float32, teacherBatch*per)
	for lo := 0; lo < n; lo += teacherBatch {
		hi := min(n, lo+teacherBatch)
		copy(buf, x[lo*per:hi*per])
		clear(buf[(hi-lo)*per:])
		pass, err := t.eval.Run(nets.Feed{Name: "frames", Shape: []int{teacherBatch, 3, s, s}, Data: buf})
		if err != nil {
			return nil, nil, fmt.Errorf("soundnet: teacher: %w", err)
		}
		ov, _, err := pass.Value("objects")
		if err != nil {
			return nil, nil, err
		}
		sv, _, err := pass.Value("scenes")
		if err != nil {
			return nil, nil, err
		}
		no, ns := len(t.Config.ObjectNames), len(t.Config.SceneNames)
		for i := 0; i < hi-lo; i++ {
			objs = append(objs, ov[i*no:(i+1)*no])
			scns = append(scns, sv[i*ns:(i+1)*ns])
		}
	}
	return objs, scns, nil
}

// Distributions implements Teacher: the softmax of both heads for every
// frame of c.
func (t *ImageTeacher) Distributions(c *avio.Clip) (objects, scenes [][]float32, err error) {
	idx := make([]int, c.NumFrames)
	for i := range idx {
		idx[i] = i
	}
	x, err := c.FramesTensor(idx, t.Config.frameOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("soundnet: teacher: %w", err)
	}
	o, s, err := t.logits(x, len(idx))
	if err != nil {
		return nil, nil, err
	}
	for i := range o {
		eval.Softmax(o[i])
		eval.Softmax(s[i])
	}
	return o, s, nil
}

// Close releases the compiled evaluation graph.
func (t *ImageTeacher) Close() {
	if t.eval != nil {
		t.eval.Close()
	}
}

// LabelNames returns the sorted distinct values of label key over clips,
// and an error naming the first clip without it.
func LabelNames(clips []*avio.Clip, key string) ([]string, error) {
	set := map[string]bool{}
	for _, c := range clips {
		v, ok := c.Meta.Labels[key]
		if !ok || v == "" {
			return nil, fmt.Errorf("soundnet: clip %s has no %q label", c.Name, key)
		}
		set[v] = true
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out, nil
}

// TeacherReport summarises TrainTeacher.
type TeacherReport struct {
	History      nets.History
	TrainFrames  int
	ValFrames    int
	ValObjectAcc float64 // top-1 accuracy on the validation frames, in [0, 1]; NaN without them
	ValSceneAcc  float64
	Duration     time.Duration
	ObjectNames  []string
	SceneNames   []string
}

// frameSet is the frames of some clips as one tensor, with labels.
type frameSet struct {
	x          []float32 // n×per
	per        int
	objs, scns []float32 // class indices
	seen       []float32 // 1 where the object is visible (its label applies), else 0
}

func loadFrames(clips []*avio.Clip, cfg ImageTeacherConfig) (*frameSet, error) {
	fs := &frameSet{per: 3 * cfg.Size * cfg.Size}
	for _, c := range clips {
		o := slices.Index(cfg.ObjectNames, c.Meta.Labels["object"])
		s := slices.Index(cfg.SceneNames, c.Meta.Labels["scene"])
		if o < 0 || s < 0 {
			return nil, fmt.Errorf("soundnet: clip %s: object %q or scene %q is not a teacher class", c.Name, c.Meta.Labels["object"], c.Meta.Labels["scene"])
		}
		idx := make([]int, c.NumFrames)
		for i := range idx {
			idx[i] = i
		}
		x, err := c.FramesTensor(idx, cfg.frameOptions())
		if err != nil {
			return nil, fmt.Errorf("soundnet: %w", err)
		}
		fs.x = append(fs.x, x...)
		vis := c.Meta.Labels["visible"]
		if len(vis) != c.NumFrames {
			vis = "" // no usable per-frame visibility: every frame shows the object
		}
		for i := range idx {
			fs.objs = append(fs.objs, float32(o))
			fs.scns = append(fs.scns, float32(s))
			v := float32(1)
			if vis != "" && vis[i] == '0' {
				v = 0
			}
			fs.seen = append(fs.seen, v)
		}
	}
	return fs, nil
}

func (f *frameSet) n() int { return len(f.objs) }

// teacherTask adapts the teacher to nets.Fit.
type teacherTask struct {
	t          *ImageTeacher
	train, val *frameSet
	bs         int
	prog       *nets.Program
	buf        []float32
	bo, bsn    []float32 // masked one-hot objects [bs, K], scene indices [bs]
}

func (k *teacherTask) Params() []*nets.Param { return k.t.params }

// LossName names the loss on plots.
func (k *teacherTask) LossName() string { return "cross-entropy, objects + scenes (nats)" }

func (k *teacherTask) TrainBatch(idx []int) (float64, error) {
	f := k.train
	no := len(k.t.Config.ObjectNames)
	clear(k.bo)
	for i, j := range idx {
		copy(k.buf[i*f.per:(i+1)*f.per], f.x[j*f.per:(j+1)*f.per])
		k.bo[i*no+int(f.objs[j])] = f.seen[j]
		k.bsn[i] = f.scns[j]
	}
	sz := k.t.Config.Size
	pass, err := k.prog.Run(
		nets.Feed{Name: "frames", Shape: []int{k.bs, 3, sz, sz}, Data: k.buf},
		nets.Feed{Name: "objects", Shape: []int{k.bs, no}, Data: k.bo},
		nets.Feed{Name: "scenes", Shape: []int{k.bs}, Data: k.bsn})
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

// EvalBatch returns the mean of object and scene cross-entropy on
// validation frames.
func (k *teacherTask) EvalBatch(idx []int) (float64, error) {
	f := k.val
	x := make([]float32, 0, len(idx)*f.per)
	for _, j := range idx {
		x = append(x, f.x[j*f.per:(j+1)*f.per]...)
	}
	o, s, err := k.t.logits(x, len(idx))
	if err != nil {
		return 0, err
	}
	var sum float64
	for i, j := range idx {
		sum -= float64(f.seen[j])*eval.LogSoftmaxAt(o[i], int(f.objs[j])) + eval.LogSoftmaxAt(s[i], int(f.scns[j]))
	}
	return sum / float64(len(idx)), nil
}

// TrainTeacher trains an ImageTeacher on the frames of the train clips,
// supervised by their "object" and "scene" labels (every frame of a clip
// carries the clip's labels), with Adam on the sum of the two
// cross-entropies. A clip may carry a "visible" label with one character
// per frame ('1' where the object is on screen, '0' elsewhere, as synth
// writes): frames marked '0' then do not train the object head. Val clips, if any, give the validation loss and the
// accuracies in the report. Class names come from cfg, or from the train
// labels (sorted) when cfg has none.
func TrainTeacher(ctx context.Context, train, val []*avio.Clip, cfg ImageTeacherConfig, o TrainOptions) (*ImageTeacher, TeacherReport, error) {
	start := time.Now()
	var rep TeacherReport
	o, err := options(o)
	if err != nil {
		return nil, rep, err
	}
	if len(train) == 0 {
		return nil, rep, fmt.Errorf("soundnet: TrainTeacher: no training clips")
	}
	if len(cfg.ObjectNames) == 0 {
		if cfg.ObjectNames, err = LabelNames(train, "object"); err != nil {
			return nil, rep, err
		}
	}
	if len(cfg.SceneNames) == 0 {
		if cfg.SceneNames, err = LabelNames(train, "scene"); err != nil {
			return nil, rep, err
		}
	}
	t, err := NewImageTeacher(cfg)
	if err != nil {
		return nil, rep, err
	}
	tr, err := loadFrames(train, cfg)
	if err != nil {
		return nil, rep, err
	}
	var keep []*avio.Clip // val clips whose classes the teacher knows
	for _, c := range val {
		if slices.Contains(cfg.ObjectNames, c.Meta.Labels["object"]) && slices.Contains(cfg.SceneNames, c.Meta.Labels["scene"]) {
			keep = append(keep, c)
		}
	}
	va, err := loadFrames(keep, cfg)
	if err != nil {
		return nil, rep, err
	}
	bs := min(o.BatchSize, tr.n())
	no := len(cfg.ObjectNames)
	k := &teacherTask{t: t, train: tr, val: va, bs: bs, buf: make([]float32, bs*tr.per), bo: make([]float32, bs*no), bsn: make([]float32, bs)}
	k.prog = nets.NewProgram(func(p *nets.Pass) error {
		x, err := p.Input("frames")
		if err != nil {
			return err
		}
		yo, err := p.Input("objects")
		if err != nil {
			return err
		}
		ys, err := p.Input("scenes")
		if err != nil {
			return err
		}
		lo, ls, err := t.forward(p.Graph(), x)
		if err != nil {
			return err
		}
		// Object cross-entropy, −Σ onehot·log softmax / bs, with the one-hot
		// rows of frames that do not show the object left at zero.
		lso, err := nets.LogSoftmax(lo)
		if err != nil {
			return err
		}
		ceo, err := G.Mul(G.Must(G.Sum(G.Must(G.HadamardProd(yo, lso)))), G.NewConstant(float32(-1/float64(bs))))
		if err != nil {
			return err
		}
		ces, err := nets.CrossEntropyLoss(ls, ys)
		if err != nil {
			return err
		}
		loss, err := G.Add(ceo, ces)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}, nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	defer k.prog.Close()
	o.BatchSize = bs
	rep.History, err = task.Fit(ctx, k, tr.n(), va.n(), TeacherKind, cfg, o, true)
	if err != nil {
		return nil, rep, err
	}
	rep.TrainFrames, rep.ValFrames = tr.n(), va.n()
	rep.ObjectNames, rep.SceneNames = cfg.ObjectNames, cfg.SceneNames
	rep.ValObjectAcc, rep.ValSceneAcc = math.NaN(), math.NaN()
	if va.n() > 0 {
		o, s, err := t.logits(va.x, va.n())
		if err != nil {
			return nil, rep, err
		}
		var co, cs, nseen int
		for i := range o {
			if va.seen[i] > 0 {
				nseen++
				if eval.Argmax(o[i]) == int(va.objs[i]) {
					co++
				}
			}
			if eval.Argmax(s[i]) == int(va.scns[i]) {
				cs++
			}
		}
		rep.ValObjectAcc, rep.ValSceneAcc = float64(co)/float64(max(nseen, 1)), float64(cs)/float64(va.n())
	}
	rep.Duration = time.Since(start)
	return t, rep, nil
}
