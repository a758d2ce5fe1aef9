package eval

import (
	"context"
	"math/rand"
	"testing"
)

func TestMLP(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	centres := randomCentres(rng, 3, 6, 3)
	xt, yt := blobs(rng, centres, 90)
	xv, yv := blobs(rng, centres, 30)
	xs, ys := blobs(rng, centres, 60)
	o := DefaultMLPOptions()
	o.Epochs = 60
	m, h, err := TrainMLP(context.Background(), Splits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Classes: 3}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(h.Epochs) == 0 || h.Epochs[len(h.Epochs)-1].TrainLoss >= h.Epochs[0].TrainLoss {
		t.Errorf("training loss did not fall: %+v", h.Epochs)
	}
	acc, err := m.Accuracy(xs, ys)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.95 {
		t.Errorf("separable blobs: MLP test accuracy %v", acc)
	}
	if _, err := m.Predict([][]float64{{1, 2}}); err == nil {
		t.Error("row of the wrong width accepted")
	}
	// the same seed gives the same model
	m2, _, err := TrainMLP(context.Background(), Splits{Train: xt, YTrain: yt, Val: xv, YVal: yv, Classes: 3}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	for i, p := range m.Params() {
		for j, v := range p.Data {
			if m2.Params()[i].Data[j] != v {
				t.Fatalf("parameter %s differs between two runs with one seed", p.Name)
			}
		}
	}
	if _, _, err := TrainMLP(context.Background(), Splits{Train: xt, YTrain: yt, Classes: 3}, o); err == nil {
		t.Error("MLP without val rows accepted")
	}
}
