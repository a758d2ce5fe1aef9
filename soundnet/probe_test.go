package soundnet

import (
	"context"
	"math/rand"
	"testing"
)

func TestTrainClassifierBlobs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const k, d = 4, 10
	centres := make([][]float64, k)
	for q := range centres {
		centres[q] = make([]float64, d)
		for j := range centres[q] {
			centres[q][j] = 3 * rng.NormFloat64()
		}
	}
	draw := func(n int) (Descriptors, []int) {
		var x Descriptors
		var y []int
		for i := 0; i < n; i++ {
			q := i % k
			r := make([]float64, d)
			for j := range r {
				r[j] = 100 + 50*(centres[q][j]+rng.NormFloat64()) // unscaled on purpose
			}
			x, y = append(x, r), append(y, q)
		}
		return x, y
	}
	xt, yt := draw(200)
	xv, yv := draw(100)
	xs, ys := draw(200)
	r, err := Probe("blobs", ProbeSplits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Test: xs, YTest: ys, Classes: k})
	if err != nil {
		t.Fatal(err)
	}
	if r.TestAcc < 0.97 || r.TrainAcc < 0.97 {
		t.Errorf("separable blobs: train %.3f test %.3f", r.TrainAcc, r.TestAcc)
	}
	// Labels unrelated to the features: test accuracy stays near chance.
	for i := range ys {
		ys[i] = rng.Intn(k)
	}
	r, err = Probe("noise", ProbeSplits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Test: xs, YTest: ys, Classes: k})
	if err != nil {
		t.Fatal(err)
	}
	if r.TestAcc > 0.45 {
		t.Errorf("random test labels: accuracy %.3f, want near 0.25", r.TestAcc)
	}
	if _, err := TrainClassifier(xt, yt[:3], k, 0.1, 10); err == nil {
		t.Error("mismatched labels accepted")
	}
}

func TestProbeTable(t *testing.T) {
	clips := makeCorpus(t, t.TempDir(), 12)
	var train, test = clips[:8], clips[8:]
	m, err := New(tinyConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	rs, err := ProbeTable(context.Background(), m, train, nil, test, ProbeOptions{Layers: []string{"pool5", "conv8"}})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"pool5", "conv8", "random-weight pool5", "MFCC mean+std"}
	if len(rs) != len(names) {
		t.Fatalf("%d results, want %d", len(rs), len(names))
	}
	for i, r := range rs {
		if r.Name != names[i] || r.TestN != 4 || r.TrainN != 8 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	// 150 Hz hum against a 3 kHz whistle: MFCC statistics separate them.
	if mf := rs[3]; mf.TestAcc != 1 || mf.Dim != 40 {
		t.Errorf("MFCC probe: %+v", mf)
	}
}
