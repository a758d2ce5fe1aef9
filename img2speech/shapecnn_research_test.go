//go:build research

package img2speech

import (
	"context"
	"fmt"
	mrand "math/rand"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
	"github.com/avlearn/avlearn/task"
)

// TestResearchShapeCNN asks which picture encoder can read the shapes:
// each CNN, with a linear read-out of the shape at each of the five
// positions (or none), is trained on synth's caption pictures and tested
// on new ones. I2S_ARCH names the convolutions (a: 16 channels stride 1;
// b, c, d: 16, 32, 64 channels stride 2; e: 32 stride 1) and the picture
// size: bcd@32 is the captioner's CNN, abcd@32 with Config.ImageStem.
// With I2S_PRE the CNN stays as it is and only the read-out learns:
// I2S_PRE=random leaves it untrained, I2S_PRE=train first trains it to
// name single objects (PretrainImage's task) with the mean over its cells
// or, with I2S_POOL=max, their maximum.
//
//	I2S_ARCH=abcd@32 I2S_PRE=train I2S_POOL=max go test -tags research -run TestResearchShapeCNN -v ./img2speech
func TestResearchShapeCNN(t *testing.T) {
	arch := os.Getenv("I2S_ARCH")
	if arch == "" {
		t.Skip("set I2S_ARCH")
	}
	var size int
	at := slices.Index([]byte(arch), '@')
	spec := arch[:at]
	fmt.Sscanf(arch[at+1:], "%d", &size)
	// draw renders items as the captioner reads pictures
	draw := func(r *rand.Rand, items []synth.CaptionItem) []float32 {
		pic, err := synth.RenderCaption(r, items, 64)
		if err != nil {
			t.Fatal(err)
		}
		x, err := avio.ImageTensor(pic, avio.FrameOptions{Width: size, Height: size, Mean: []float64{0.5, 0.5, 0.5}, Std: []float64{0.25, 0.25, 0.25}})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	scenes := func(n int, seed uint64) ([]float32, []float32) {
		r := rand.New(rand.NewPCG(seed, 7))
		var img, lab []float32
		for range n {
			k := 1 + r.IntN(3)
			pos := r.Perm(5)[:k]
			items := []synth.CaptionItem{}
			shape := [5]int{}
			for _, p := range pos {
				s := r.IntN(4)
				items = append(items, synth.CaptionItem{Colour: synth.CaptionColours[r.IntN(5)], Shape: synth.CaptionShapes[s], Position: synth.CaptionPositions[p]})
				shape[p] = 1 + s
			}
			img = append(img, draw(r, items)...)
			for _, s := range shape {
				lab = append(lab, float32(s))
			}
		}
		return img, lab
	}
	single := func(n int, seed uint64) ([]float32, []float32) {
		r := rand.New(rand.NewPCG(seed, 9))
		var img, lab []float32
		for range n {
			s, c := r.IntN(4), r.IntN(5)
			img = append(img, draw(r, []synth.CaptionItem{{Colour: synth.CaptionColours[c], Shape: synth.CaptionShapes[s], Position: synth.CaptionPositions[r.IntN(5)]}})...)
			lab = append(lab, float32(s*5+c))
		}
		return img, lab
	}
	ntr, nva := 4000, 1000
	xtr, ytr := scenes(ntr, 1)
	xva, yva := scenes(nva, 2)
	rng := mrand.New(mrand.NewSource(1))
	var cnn nets.Sequential
	var ps []*nets.Param
	in, hw := 3, size
	for i, c := range spec {
		stride := 2
		ch := 0
		switch c {
		case 'a':
			stride, ch = 1, 16
		case 'b':
			ch = 16
		case 'c':
			ch = 32
		case 'd':
			ch = 64
		case 'e':
			stride, ch = 1, 32
		}
		conv, err := nets.NewConv2d(fmt.Sprintf("c%d", i), in, ch, 3, 3, nets.Conv2dOptions{Stride: [2]int{stride, stride}, Padding: [2]int{1, 1}}, rng)
		if err != nil {
			t.Fatal(err)
		}
		cnn = append(cnn, conv, nets.NewReLU())
		ps = append(ps, conv.Params()...)
		in, hw = ch, hw/stride
	}
	pre := os.Getenv("I2S_PRE")
	if pre != "" {
		cls, err := nets.NewLinear("cls", in, 20, true, rng)
		if err != nil {
			t.Fatal(err)
		}
		var pool nets.Layer = nets.NewAvgPool2d([2]int{hw, hw}, [2]int{hw, hw}, [2]int{})
		if os.Getenv("I2S_POOL") == "max" {
			pool = nets.NewMaxPool2d([2]int{hw, hw}, [2]int{hw, hw}, [2]int{})
		}
		def := func(p *nets.Pass) error {
			x, err := p.Input("image")
			if err != nil {
				return err
			}
			f, err := cnn.Forward(p.Graph(), x)
			if err != nil {
				return err
			}
			if f, err = pool.Forward(p.Graph(), f); err != nil {
				return err
			}
			if f, err = nets.Reshape(f, tensor.Shape{f.Shape()[0], in}); err != nil {
				return err
			}
			if f, err = cls.Forward(p.Graph(), f); err != nil {
				return err
			}
			y, _ := p.Input("labels")
			l, err := nets.CrossEntropyLoss(f, y)
			if err != nil {
				return err
			}
			return p.Minimize(l)
		}
		sx, sy := single(8000, 3)
		vx, vy := single(1000, 4)
		if pre == "train" {
			tk := &shapeTask{ps: append(slices.Clone(ps), cls.Params()...), prog: nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Train, Seed: 1}), eval: nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Eval}),
				xtr: sx, ytr: sy, xva: vx, yva: vy, d: 3 * size * size, k: 1, size: size}
			if _, err := task.Fit(context.Background(), tk, 8000, 1000, "shapes", nil, task.TrainOptions{Epochs: 8, BatchSize: 32, LR: 2e-3, Schedule: task.ScheduleCosine, ClipNorm: 5, Progress: os.Stderr}, false); err != nil {
				t.Fatal(err)
			}
		}
	}
	head, err := nets.NewLinear("head", in*hw*hw, 25, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	if pre != "" {
		ps = nil // the CNN stays as it is
	}
	ps = append(ps, head.Params()...)
	def := func(p *nets.Pass) error {
		x, err := p.Input("image")
		if err != nil {
			return err
		}
		f, err := cnn.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		fs := f.Shape()
		if f, err = nets.Reshape(f, tensor.Shape{fs[0], fs[1] * fs[2] * fs[3]}); err != nil {
			return err
		}
		if f, err = head.Forward(p.Graph(), f); err != nil {
			return err
		}
		if f, err = nets.Reshape(f, tensor.Shape{fs[0] * 5, 5}); err != nil {
			return err
		}
		if err := p.Output("logits", f); err != nil {
			return err
		}
		if !p.Has("labels") {
			return nil
		}
		y, _ := p.Input("labels")
		l, err := nets.CrossEntropyLoss(f, y)
		if err != nil {
			return err
		}
		return p.Minimize(l)
	}
	tk := &shapeTask{ps: ps, prog: nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Train, Seed: 1}), eval: nets.NewProgram(def, nets.ProgramOptions{Mode: nets.Eval}),
		xtr: xtr, ytr: ytr, xva: xva, yva: yva, d: 3 * size * size, k: 5, size: size}
	_, err = task.Fit(context.Background(), tk, ntr, nva, "shapes", nil, task.TrainOptions{Epochs: 12, BatchSize: 32, LR: 2e-3, Schedule: task.ScheduleCosine, ClipNorm: 5, Progress: os.Stderr}, false)
	if err != nil {
		t.Fatal(err)
	}
	right, present := 0, 0
	for i := 0; i < nva; i += 100 {
		pass, err := tk.eval.Run(nets.Feed{Name: "image", Shape: []int{100, 3, size, size}, Data: xva[i*tk.d : (i+100)*tk.d]})
		if err != nil {
			t.Fatal(err)
		}
		lg, _, _ := pass.Value("logits")
		for k := range 500 {
			y := int(yva[i*5+k])
			if y == 0 {
				continue
			}
			present++
			row := lg[k*5 : k*5+5]
			if slices.Index(row, slices.Max(row)) == y {
				right++
			}
		}
	}
	t.Logf("%s pre=%q: shape right where present %.1f%% (%d)", arch, pre, 100*float64(right)/float64(present), present)
}

type shapeTask struct {
	ps                 []*nets.Param
	prog, eval         *nets.Program
	xtr, ytr, xva, yva []float32
	d, k, size         int // d = 3·size²: the values of one picture
}

func (s *shapeTask) Params() []*nets.Param { return s.ps }
func (s *shapeTask) run(p *nets.Program, x, y []float32, idx []int) (float64, error) {
	var xb, yb []float32
	for _, i := range idx {
		xb = append(xb, x[i*s.d:(i+1)*s.d]...)
		yb = append(yb, y[i*s.k:(i+1)*s.k]...)
	}
	sz := s.size
	pass, err := p.Run(nets.Feed{Name: "image", Shape: []int{len(idx), 3, sz, sz}, Data: xb}, nets.Feed{Name: "labels", Shape: []int{len(idx) * s.k}, Data: yb})
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}
func (s *shapeTask) TrainBatch(idx []int) (float64, error) { return s.run(s.prog, s.xtr, s.ytr, idx) }
func (s *shapeTask) EvalBatch(idx []int) (float64, error)  { return s.run(s.eval, s.xva, s.yva, idx) }
