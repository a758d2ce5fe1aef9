//go:build research

package img2speech

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/synth"
)

// TestResearchProbe asks whether the captioner's CNN sees what the
// captions say: linear classifiers (softmax regression) on the flattened
// feature map, trained on I2S_TRAIN's pictures and tested on the held-out
// voices' pictures of I2S_DATA, predict the number of items and, at each
// of the five positions, the shape and the colour there (or none); beside
// the same probes on an untrained CNN of the same shape. The caption text
// is used only to label the probes.
//
//	I2S_MODEL=m.safetensors I2S_TRAIN=cap6k I2S_DATA=cap go test -tags research -run TestResearchProbe -v ./img2speech
func TestResearchProbe(t *testing.T) {
	path, trainRoot, root := os.Getenv("I2S_MODEL"), os.Getenv("I2S_TRAIN"), os.Getenv("I2S_DATA")
	if path == "" || root == "" || trainRoot == "" {
		t.Skip("set I2S_MODEL, I2S_TRAIN and I2S_DATA")
	}
	trained, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	random, err := New(trained.Config)
	if err != nil {
		t.Fatal(err)
	}
	held := func(c *avio.Clip) bool { sp := c.Meta.Labels["speaker"]; return sp == "s006" || sp == "s007" }
	pick := func(root string, keep bool, n int) []*avio.Clip {
		ds, err := avio.Open(root)
		if err != nil {
			t.Fatal(err)
		}
		var out []*avio.Clip
		for _, c := range ds.Clips {
			if held(c) == keep && len(out) < n {
				out = append(out, c)
			}
		}
		return out
	}
	train, test := pick(trainRoot, false, 1500), pick(root, true, 1000)
	// the probes' labels: count (1–3 → 0–2); shape and colour at each position (0: none)
	labels := func(clips []*avio.Clip) [][]int {
		out := make([][]int, 11)
		for _, c := range clips {
			items := strings.Split(c.Meta.Labels["caption"], " and ")
			out[0] = append(out[0], len(items)-1)
			for p := range synth.CaptionPositions {
				shape, colour := 0, 0
				for _, it := range items {
					w := strings.Fields(it)
					if w[2] == synth.CaptionPositions[p] {
						shape = 1 + slices.Index(synth.CaptionShapes, w[1])
						colour = 1 + slices.Index(synth.CaptionColours, w[0])
					}
				}
				out[1+p] = append(out[1+p], shape)
				out[6+p] = append(out[6+p], colour)
			}
		}
		return out
	}
	ytr, yte := labels(train), labels(test)
	names := []string{"count"}
	for _, p := range synth.CaptionPositions {
		names = append(names, "shape "+p)
	}
	for _, p := range synth.CaptionPositions {
		names = append(names, "colour "+p)
	}
	classes := []int{3, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6}
	for _, m := range []struct {
		name string
		m    *Model
	}{{"trained CNN", trained}, {"untrained CNN", random}} {
		xtr, xte := features(t, m.m, train), features(t, m.m, test)
		standardise(xtr, xte)
		scores, offset := ridge(xtr, xte, ytr, classes)
		var line []string
		for k := range names {
			right := 0
			for i, y := range yte[k] {
				row := make([]float64, classes[k])
				for c := range row {
					row[c] = scores.At(i, offset[k]+c)
				}
				if slices.Index(row, slices.Max(row)) == y {
					right++
				}
			}
			acc := float64(right) / float64(len(yte[k]))
			major := majority(ytr[k], yte[k], classes[k])
			line = append(line, names[k]+" "+pct(acc)+" (majority "+pct(major)+")")
		}
		t.Logf("%s, %d features: %s", m.name, len(xtr[0]), strings.Join(line, "; "))
	}
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

// features returns the flattened CNN feature map of each clip's picture.
func features(t *testing.T, m *Model, clips []*avio.Clip) [][]float64 {
	t.Helper()
	ex, err := m.captionExamplesFrom(clips, make([][]int, len(clips)))
	if err != nil {
		t.Fatal(err)
	}
	s := m.Config.ImageSize
	prog := nets.NewProgram(func(p *nets.Pass) error {
		img, err := p.Input("image")
		if err != nil {
			return err
		}
		f, err := m.cap.cnn.Forward(p.Graph(), img)
		if err != nil {
			return err
		}
		fs := f.Shape()
		flat, err := nets.Reshape(f, tensor.Shape{fs[0], fs[1] * fs[2] * fs[3]})
		if err != nil {
			return err
		}
		return p.Output("f", flat)
	}, nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	var out [][]float64
	const b = 50
	for i := 0; i < len(ex); i += b {
		j := min(len(ex), i+b)
		var img []float32
		for _, e := range ex[i:j] {
			img = append(img, e.image...)
		}
		pass, err := prog.Run(nets.Feed{Name: "image", Shape: []int{j - i, 3, s, s}, Data: img})
		if err != nil {
			t.Fatal(err)
		}
		f, sh, err := pass.Value("f")
		if err != nil {
			t.Fatal(err)
		}
		for k := range j - i {
			row := make([]float64, sh[1])
			for d := range row {
				row[d] = float64(f[k*sh[1]+d])
			}
			out = append(out, row)
		}
	}
	return out
}

// standardise scales every feature to the train rows' mean 0 and std 1.
func standardise(tr, te [][]float64) {
	for d := range tr[0] {
		var s, ss float64
		for _, r := range tr {
			s += r[d]
			ss += r[d] * r[d]
		}
		mu := s / float64(len(tr))
		sd := math.Sqrt(max(ss/float64(len(tr))-mu*mu, 0)) + 1e-6
		for _, rs := range [][][]float64{tr, te} {
			for _, r := range rs {
				r[d] = (r[d] - mu) / sd
			}
		}
	}
}

// ridge fits a ridge-regression classifier (one-hot targets of every
// probe at once, in its dual form: n×n instead of d×d) on xtr and returns
// its scores on xte: probe k's columns start at offset[k].
func ridge(xtr, xte [][]float64, ys [][]int, classes []int) (*mat.Dense, []int) {
	n, d := len(xtr), len(xtr[0])
	x := mat.NewDense(n, d, slices.Concat(xtr...))
	xt := mat.NewDense(len(xte), d, slices.Concat(xte...))
	offset, cols := make([]int, len(classes)), 0
	for k, c := range classes {
		offset[k], cols = cols, cols+c
	}
	y := mat.NewDense(n, cols, nil)
	for k, yk := range ys {
		for i, c := range yk {
			y.Set(i, offset[k]+c, 1)
		}
	}
	var kern mat.Dense
	kern.Mul(x, x.T())
	for i := range n {
		kern.Set(i, i, kern.At(i, i)+0.1*float64(d))
	}
	var alpha mat.Dense
	if err := alpha.Solve(&kern, y); err != nil {
		panic(err)
	}
	var kte, out mat.Dense
	kte.Mul(xt, x.T())
	out.Mul(&kte, &alpha)
	return &out, offset
}

// majority is the test accuracy of always saying the train set's most
// common class.
func majority(ytr, yte []int, k int) float64 {
	n := make([]int, k)
	for _, y := range ytr {
		n[y]++
	}
	c := slices.Index(n, slices.Max(n))
	right := 0
	for _, y := range yte {
		if y == c {
			right++
		}
	}
	return float64(right) / float64(len(yte))
}
