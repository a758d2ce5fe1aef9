package synth

import (
	"slices"
	"testing"

	"github.com/avlearn/avlearn/eval"
)

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
	for _, c := range clips {
		f, err := eval.MFCCStats(c.audio, eval.MFCCConfig(c.rate))
		if err != nil {
			t.Fatal(err)
		}
		s, o := slices.Index(SceneNames, c.meta.Labels["scene"]), slices.Index(ObjectNames, c.meta.Labels["object"])
		if s < 0 || o < 0 {
			t.Fatalf("clip labels %v outside SceneNames and ObjectNames", c.meta.Labels)
		}
		x, ys, yo = append(x, f), append(ys, s), append(yo, o)
	}
	nTrain := len(x) * 3 / 4
	acc := func(y []int) float64 {
		c, err := eval.TrainClassifier(x[:nTrain], y[:nTrain], 6, 1e-3, eval.ProbeIters)
		if err != nil {
			t.Fatal(err)
		}
		return c.Accuracy(x[nTrain:], y[nTrain:])
	}
	accS, accO := acc(ys), acc(yo)
	t.Logf("%d clips (%d train): MFCC mean+std + softmax regression: scene %.3f, object %.3f (chance 0.167)", len(x), nTrain, accS, accO)
	if accS < 0.3 || accS > 0.95 || accO < 0.3 || accO > 0.95 {
		t.Errorf("accuracies scene %.3f, object %.3f: want within [0.3, 0.95]", accS, accO)
	}
}
