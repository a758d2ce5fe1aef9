package synth

import (
	"math"
	"testing"

	"github.com/avlearn/avlearn/spectrogram"
)

// mfccStats is the classic fixed baseline: mean and standard deviation over
// time of 20 MFCCs (40 mel bands).
func mfccStats(t *testing.T, x []float64, rate int) []float64 {
	c := spectrogram.DefaultConfig(rate)
	c.NMels, c.NMFCC = 40, 20
	s, err := spectrogram.Compute(x, c)
	if err != nil {
		t.Fatal(err)
	}
	f := make([]float64, 0, 2*s.Bins)
	for b := 0; b < s.Bins; b++ {
		row := s.Data[b*s.Frames : (b+1)*s.Frames]
		m, v := 0.0, 0.0
		for _, y := range row {
			m += float64(y)
		}
		m /= float64(len(row))
		for _, y := range row {
			v += (float64(y) - m) * (float64(y) - m)
		}
		f = append(f, m, math.Sqrt(v/float64(len(row))))
	}
	return f
}

// softmaxAccuracy trains a multinomial logistic regression on the first
// nTrain rows (full-batch gradient descent on standardised features, small
// L2) and returns its accuracy on the rest.
func softmaxAccuracy(x [][]float64, y []int, classes, nTrain int) float64 {
	d := len(x[0])
	mu, sd := make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		for i := 0; i < nTrain; i++ {
			mu[j] += x[i][j] / float64(nTrain)
		}
		for i := 0; i < nTrain; i++ {
			sd[j] += (x[i][j] - mu[j]) * (x[i][j] - mu[j]) / float64(nTrain)
		}
		sd[j] = math.Sqrt(sd[j]) + 1e-9
	}
	z := make([][]float64, len(x))
	for i := range x {
		z[i] = make([]float64, d+1)
		for j := 0; j < d; j++ {
			z[i][j] = (x[i][j] - mu[j]) / sd[j]
		}
		z[i][d] = 1
	}
	w := make([][]float64, classes)
	for k := range w {
		w[k] = make([]float64, d+1)
	}
	p := make([]float64, classes)
	probs := func(zi []float64) {
		mx := math.Inf(-1)
		for k := range w {
			s := 0.0
			for j, v := range zi {
				s += w[k][j] * v
			}
			p[k] = s
			mx = math.Max(mx, s)
		}
		tot := 0.0
		for k := range p {
			p[k] = math.Exp(p[k] - mx)
			tot += p[k]
		}
		for k := range p {
			p[k] /= tot
		}
	}
	g := make([][]float64, classes)
	for k := range g {
		g[k] = make([]float64, d+1)
	}
	for it := 0; it < 400; it++ {
		for k := range g {
			for j := range g[k] {
				g[k][j] = 1e-3 * w[k][j]
			}
		}
		for i := 0; i < nTrain; i++ {
			probs(z[i])
			for k := range w {
				e := p[k]
				if k == y[i] {
					e--
				}
				for j, v := range z[i] {
					g[k][j] += e * v / float64(nTrain)
				}
			}
		}
		for k := range w {
			for j := range w[k] {
				w[k][j] -= 0.5 * g[k][j]
			}
		}
	}
	correct := 0
	for i := nTrain; i < len(x); i++ {
		probs(z[i])
		best := 0
		for k := range p {
			if p[k] > p[best] {
				best = k
			}
		}
		if best == y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(x)-nTrain)
}

// TestScenesMFCCBaseline: a linear classifier on MFCC mean+std learns the
// scene and object classes well above chance but does not solve them, so
// the corpus leaves room for learned features.
func TestScenesMFCCBaseline(t *testing.T) { scenesMFCCBaseline(t, 144) }

// scenesMFCCBaseline checks the MFCC baseline on a scenes corpus of n clips
// of 1.5 s, 3/4 of them for training.
func scenesMFCCBaseline(t *testing.T, n int) {
	dir := t.TempDir()
	if err := Scenes(dir, ScenesOptions{N: n, Seed: 11, Duration: 1.5, FPS: 1, Size: 16}); err != nil {
		t.Fatal(err)
	}
	clips := readCorpus(t, dir)
	var x [][]float64
	var ys, yo []int
	idx := func(names []string, v string) int {
		for i, s := range names {
			if s == v {
				return i
			}
		}
		t.Fatalf("unknown label %q", v)
		return -1
	}
	for _, c := range clips {
		x = append(x, mfccStats(t, c.audio, c.rate))
		ys = append(ys, idx(SceneNames, c.meta.Labels["scene"]))
		yo = append(yo, idx(ObjectNames, c.meta.Labels["object"]))
	}
	nTrain := len(x) * 3 / 4
	accS := softmaxAccuracy(x, ys, 6, nTrain)
	accO := softmaxAccuracy(x, yo, 6, nTrain)
	t.Logf("%d clips (%d train): MFCC mean+std + softmax regression: scene %.3f, object %.3f (chance 0.167)", len(x), nTrain, accS, accO)
	if accS < 0.3 || accS > 0.95 || accO < 0.3 || accO > 0.95 {
		t.Errorf("accuracies scene %.3f, object %.3f: want within [0.3, 0.95]", accS, accO)
	}
}
