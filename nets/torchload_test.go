package nets

import (
	"bytes"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// torchTwin is the Go twin of gen_train.py's Twin: Conv1d(2, 4, 3,
// padding=1) → BatchNorm1d(4) → ReLU → flatten → Linear(32, 3).
type torchTwin struct {
	conv *Conv1d
	bn   *BatchNorm
	fc   *Linear
}

func newTorchTwin(t *testing.T) (*torchTwin, []*Param) {
	rng := rand.New(rand.NewSource(99)) // weights are replaced by the loaded ones
	conv, err := NewConv1d("conv1", 2, 4, 3, Conv1dOptions{Padding: 1}, rng)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := NewLinear("fc", 32, 3, true, rng)
	if err != nil {
		t.Fatal(err)
	}
	bn, err := NewBatchNorm1d("bn1", 4)
	if err != nil {
		t.Fatal(err)
	}
	m := &torchTwin{conv: conv, bn: bn, fc: fc}
	ps, err := Collect(m.conv, m.bn, m.fc)
	if err != nil {
		t.Fatal(err)
	}
	return m, ps
}

func (m *torchTwin) forward(g *Graph, x *G.Node) (*G.Node, error) {
	y, err := m.conv.Forward(g, x)
	if err != nil {
		return nil, err
	}
	if y, err = m.bn.Forward(g, y); err != nil {
		return nil, err
	}
	if y, err = ReLU(y); err != nil {
		return nil, err
	}
	n := x.Shape()[0]
	if y, err = G.Reshape(y, tensor.Shape{n, 32}); err != nil {
		return nil, err
	}
	return m.fc.Forward(g, y)
}

// TestTorchStateDictLoads loads a state_dict that PyTorch saved (through
// gen_train.py's safetensors writer) into the Go twin by name, and checks
// the twin's eval-mode output against torch's.
func TestTorchStateDictLoads(t *testing.T) {
	m, ps := newTorchTwin(t)
	meta, err := LoadSafetensors(trainGoldens+"train_twin.safetensors", ps)
	if err != nil {
		t.Fatal(err)
	}
	if meta[MetaConfig] == "" {
		t.Fatalf("no config in metadata: %v", meta)
	}
	for _, p := range ps {
		if p.Name == "bn1.num_batches_tracked" && p.Data[0] != 3 {
			t.Fatalf("num_batches_tracked = %v, torch ran 3 training passes", p.Data[0])
		}
	}
	io, _, _ := trainGolden(t, "train_twin_io.safetensors")
	g := NewGraph(Eval, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(2, 2, 8), G.WithName("x"))
	y, err := m.forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := NewMachine(g, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	if err := Let(x, io["input"]); err != nil {
		t.Fatal(err)
	}
	if err := mc.Run(); err != nil {
		t.Fatal(err)
	}
	got, err := Value(y)
	if err != nil {
		t.Fatal(err)
	}
	want := io["output"]
	if len(got) != len(want) {
		t.Fatalf("%d outputs, torch %d", len(got), len(want))
	}
	var worst float64
	for i := range want {
		e := relErr(float64(got[i]), float64(want[i]), 1e-3)
		worst = math.Max(worst, e)
		if e > 1e-5 {
			t.Errorf("output[%d] = %.8g, torch %.8g (rel err %.2g)", i, got[i], want[i], e)
		}
	}
	t.Logf("twin output vs torch: worst relative error %.2g", worst)

	// Saving the loaded model again reproduces the file byte for byte: the
	// writer's layout (header order, padding, dtypes) is the reference's.
	out := filepath.Join(t.TempDir(), "again.safetensors")
	if err := SaveSafetensors(out, ps, meta); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(trainGoldens + "train_twin.safetensors")
	if !bytes.Equal(a, b) {
		t.Fatalf("re-saved state_dict differs from torch's file (%d vs %d bytes)", len(a), len(b))
	}
}

// TestTorchStateDictMismatch shows the errors a user gets when the Go
// model does not match the file.
func TestTorchStateDictMismatch(t *testing.T) {
	_, ps := newTorchTwin(t)
	ps[0] = NewParam("conv1.weight", 4, 2, 5)
	ps = append(ps[:3], ps[4:]...) // drop bn1.bias
	_, err := LoadSafetensors(trainGoldens+"train_twin.safetensors", ps)
	want := `nets: ../testdata/nets/train_twin.safetensors: conv1.weight: shape [4 2 3] in file, model expects [4 2 5]; unexpected tensor "bn1.bias"`
	if err == nil || err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", err, want)
	}
}

// TestTorchTrainingSteps trains the loaded twin for three steps (train-mode
// BatchNorm, MSE loss, SGD with momentum 0.9) and compares the losses and
// the whole state_dict afterwards, running statistics included, with
// torch's: gradients, BatchNorm's training pass and the optimiser together.
func TestTorchTrainingSteps(t *testing.T) {
	m, ps := newTorchTwin(t)
	if _, err := LoadSafetensors(trainGoldens+"train_twin.safetensors", ps); err != nil {
		t.Fatal(err)
	}
	st, st64, _ := trainGolden(t, "train_twin_steps.safetensors")
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(4, 2, 8), G.WithName("x"))
	target := G.NewMatrix(g.ExprGraph, tensor.Float32, G.WithShape(4, 3), G.WithName("target"))
	y, err := m.forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := MSELoss(y, target)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Close()
	opt := &SGD{Rate: 0.05, Momentum: 0.9}
	for k := 0; k < 3; k++ {
		ZeroGrad(ps)
		if err := Let(x, st["input"]); err != nil {
			t.Fatal(err)
		}
		if err := Let(target, st["target"]); err != nil {
			t.Fatal(err)
		}
		if err := mc.Run(); err != nil {
			t.Fatal(err)
		}
		l, err := Scalar(loss)
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(float64(l), st64["losses"][k], 0); e > 1e-5 {
			t.Fatalf("step %d: loss %.8g, torch %.8g", k+1, l, st64["losses"][k])
		}
		if err := opt.Step(ps); err != nil {
			t.Fatal(err)
		}
	}
	after, _, _ := trainGolden(t, "train_twin_after.safetensors")
	var worst float64
	for _, p := range ps {
		want := after[p.Name]
		for i := range want {
			// Relative error; values below 0.01 (a few running-mean and
			// bias entries) are compared to 0.01.
			e := relErr(float64(p.Data[i]), float64(want[i]), 1e-2)
			worst = math.Max(worst, e)
			if e > 1e-5 {
				t.Errorf("%s[%d] = %.8g after 3 steps, torch %.8g (rel err %.2g)", p.Name, i, p.Data[i], want[i], e)
			}
		}
	}
	t.Logf("state_dict after 3 training steps vs torch: worst relative error %.2g", worst)
}
