package nets

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"
)

const trainGoldens = "../testdata/nets/"

// trainGolden reads a golden safetensors file as float32 (or float64 for
// F64 tensors) values by name.
func trainGolden(t *testing.T, name string) (map[string][]float32, map[string][]float64, map[string]Tensor) {
	t.Helper()
	ts, _, err := ReadSafetensors(trainGoldens + name)
	if err != nil {
		t.Fatal(err)
	}
	f32, f64 := map[string][]float32{}, map[string][]float64{}
	for k, v := range ts {
		if v.DType == "F64" {
			f64[k], err = v.Float64()
		} else {
			f32[k], err = v.Float32()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return f32, f64, ts
}

// relErr is |a−b| / max(|b|, floor), the error measure of the goldens.
func relErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), floor)
}

// TestOptimizersMatchTorch runs five steps of each optimiser on the params
// and gradients of gen_train.py and compares with torch.optim after every
// step.
func TestOptimizersMatchTorch(t *testing.T) {
	g, _, _ := trainGolden(t, "train_optim.safetensors")
	cases := map[string]func() Optimizer{
		"sgd":      func() Optimizer { return &SGD{Rate: 0.1, Momentum: 0.9, WeightDecay: 0.01} },
		"nesterov": func() Optimizer { return &SGD{Rate: 0.05, Momentum: 0.8, Nesterov: true} },
		"sgdplain": func() Optimizer { return NewSGD(0.3, 0) },
		"adam":     func() Optimizer { return &Adam{Rate: 0.01, Beta1: 0.9, Beta2: 0.99, Eps: 1e-6, WeightDecay: 0.05} },
		"adamw": func() Optimizer {
			return &Adam{Rate: 0.01, Beta1: 0.8, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: true}
		},
	}
	for name, mk := range cases {
		w := &Param{Name: "w", Shape: []int{3, 4}, Data: append([]float32(nil), g["w0"]...), Grad: make([]float32, 12)}
		b := &Param{Name: "b", Shape: []int{5}, Data: append([]float32(nil), g["b0"]...), Grad: make([]float32, 5)}
		buf := NewBuffer("buf", 2)
		buf.Data[0] = 9
		opt := mk()
		var worst float64
		for k := 0; k < 5; k++ {
			copy(w.Grad, g["grad"+string(rune('0'+k))+".w"])
			copy(b.Grad, g["grad"+string(rune('0'+k))+".b"])
			if err := opt.Step([]*Param{w, buf, b}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []*Param{w, b} {
				want := g[key(name, k, p.Name)]
				for i := range want {
					e := relErr(float64(p.Data[i]), float64(want[i]), 1e-3)
					worst = math.Max(worst, e)
					if e > 1e-6 {
						t.Fatalf("%s step %d %s[%d] = %.9g, torch %.9g (rel err %.2g)", name, k+1, p.Name, i, p.Data[i], want[i], e)
					}
				}
			}
		}
		if buf.Data[0] != 9 {
			t.Fatalf("%s changed a buffer", name)
		}
		t.Logf("%s: worst relative error over 5 steps %.2g", name, worst)
	}
}

func key(prefix string, k int, p string) string {
	return prefix + "." + string(rune('0'+k)) + "." + p
}

func TestClipGradNormMatchesTorch(t *testing.T) {
	g, g64, _ := trainGolden(t, "train_optim.safetensors")
	w := &Param{Name: "w", Shape: []int{3, 4}, Data: make([]float32, 12), Grad: append([]float32(nil), g["grad0.w"]...)}
	b := &Param{Name: "b", Shape: []int{5}, Data: make([]float32, 5), Grad: append([]float32(nil), g["grad0.b"]...)}
	norm := ClipGradNorm([]*Param{w, b}, 1.5)
	if e := relErr(norm, g64["clip.norm"][0], 0); e > 1e-6 {
		t.Fatalf("norm %v, torch %v", norm, g64["clip.norm"][0])
	}
	for _, p := range []*Param{w, b} {
		want := g["clip."+p.Name]
		for i := range want {
			if e := relErr(float64(p.Grad[i]), float64(want[i]), 1e-6); e > 1e-6 {
				t.Fatalf("clipped %s[%d] = %v, torch %v", p.Name, i, p.Grad[i], want[i])
			}
		}
	}
	// Below the limit nothing changes.
	before := append([]float32(nil), w.Grad...)
	if n := ClipGradNorm([]*Param{w, b}, 100); n > 1.5+1e-5 {
		t.Fatalf("norm after clipping %v", n)
	}
	for i := range before {
		if before[i] != w.Grad[i] {
			t.Fatal("clipping below the limit changed a gradient")
		}
	}
}

func TestSchedulesMatchTorch(t *testing.T) {
	_, g, _ := trainGolden(t, "train_optim.safetensors")
	for name, s := range map[string]Schedule{
		"sched.steplr": StepLR{Base: 0.1, Every: 7, Gamma: 0.5},
		"sched.cosine": Cosine{Base: 0.1, Min: 0.001, Steps: 20},
		"sched.linear": Warmup{Then: Constant(0.1), Steps: 5, Start: 0.1},
	} {
		for i, want := range g[name] {
			if got := s.LR(i); relErr(got, want, 0) > 1e-12 {
				t.Errorf("%s step %d: %v, torch %v", name, i, got, want)
			}
		}
	}
	if c := (Cosine{Base: 1, Min: 0.1, Steps: 10}); c.LR(25) != 0.1 {
		t.Errorf("cosine past its end: %v", c.LR(25))
	}
}

// TestOptimizerStateResume checks that saving and loading the state in the
// middle of a run continues it exactly.
func TestOptimizerStateResume(t *testing.T) {
	g, _, _ := trainGolden(t, "train_optim.safetensors")
	dir := t.TempDir()
	for _, mk := range []func() Optimizer{
		func() Optimizer { return NewAdamW(0.01, 0.1) },
		func() Optimizer { return &SGD{Rate: 0.05, Momentum: 0.8, Nesterov: true} },
	} {
		params := func() []*Param {
			return []*Param{
				{Name: "w", Shape: []int{3, 4}, Data: append([]float32(nil), g["w0"]...), Grad: make([]float32, 12)},
				{Name: "b", Shape: []int{5}, Data: append([]float32(nil), g["b0"]...), Grad: make([]float32, 5)},
			}
		}
		step := func(o Optimizer, ps []*Param, k int) {
			copy(ps[0].Grad, g["grad"+string(rune('0'+k))+".w"])
			copy(ps[1].Grad, g["grad"+string(rune('0'+k))+".b"])
			if err := o.Step(ps); err != nil {
				t.Fatal(err)
			}
		}
		full, ofull := params(), mk()
		for k := 0; k < 5; k++ {
			step(ofull, full, k)
		}
		ps, o := params(), mk()
		for k := 0; k < 2; k++ {
			step(o, ps, k)
		}
		path := filepath.Join(dir, "s.safetensors")
		if err := SaveSafetensors(path, append(ps, o.(Stateful).State(ps)...), nil); err != nil {
			t.Fatal(err)
		}
		ps2, o2 := params(), mk()
		if _, err := LoadSafetensors(path, append(ps2, o2.(Stateful).State(ps2)...)); err != nil {
			t.Fatal(err)
		}
		for k := 2; k < 5; k++ {
			step(o2, ps2, k)
		}
		for i := range full {
			for j := range full[i].Data {
				if full[i].Data[j] != ps2[i].Data[j] {
					t.Fatalf("%T: resumed %s[%d] = %v, uninterrupted %v", o, full[i].Name, j, ps2[i].Data[j], full[i].Data[j])
				}
			}
		}
	}
}

// TestLoadTorchMixedDtypes loads F16, BF16, F64, I64, I32 and U8 tensors
// written in Python and compares with torch's own float32 conversion.
func TestLoadTorchMixedDtypes(t *testing.T) {
	want, _, _ := trainGolden(t, "train_mixed_expect.safetensors")
	ts, meta, err := ReadSafetensors(trainGoldens + "train_mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if meta["note"] != "mixed dtypes" {
		t.Fatalf("metadata %v", meta)
	}
	dtypes := map[string]string{"h": "F16", "bf": "BF16", "d": "F64", "i64": "I64", "i32": "I32", "u8": "U8", "scalar": "F32", "empty": "F32"}
	for name, w := range want {
		tv := ts[name]
		if tv.DType != dtypes[name] {
			t.Errorf("%s: dtype %s, want %s", name, tv.DType, dtypes[name])
		}
		got, err := tv.Float32()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(w) {
			t.Fatalf("%s: %d values, want %d", name, len(got), len(w))
		}
		for i := range w {
			if math.Float32bits(got[i]) != math.Float32bits(w[i]) {
				t.Errorf("%s[%d] = %v, torch %v", name, i, got[i], w[i])
			}
		}
	}
	// LoadSafetensors converts floats into float32 params and rejects an
	// integer tensor for a float param.
	h, d := NewParam("h", 2, 3), NewParam("d", 2, 3)
	if _, err := LoadSafetensorsWith(trainGoldens+"train_mixed.safetensors", []*Param{h, d}, LoadOptions{AllowUnexpected: true}); err != nil {
		t.Fatal(err)
	}
	if h.Data[4] != want["h"][4] || d.Data[4] != want["d"][4] {
		t.Fatalf("converted load: %v %v", h.Data, d.Data)
	}
	_, err = LoadSafetensorsWith(trainGoldens+"train_mixed.safetensors", []*Param{NewParam("i32", 1, 2)}, LoadOptions{AllowUnexpected: true})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("i32: dtype I32 in file, model expects a float type")) {
		t.Fatalf("error %v", err)
	}
}

// TestGoWrittenForPython writes a file that gen_train.py checks with a
// reader following the reference rules; the committed copy must equal what
// SaveSafetensors writes today (run with -update to rewrite it, then rerun
// gen_train.py).
func TestGoWrittenForPython(t *testing.T) {
	a := NewParam("layer.a", 3, 4)
	for i := range a.Data {
		a.Data[i] = float32(i)*0.5 - 1
	}
	c := NewBuffer("layer.count")
	c.DType, c.Data[0] = "I64", 7
	z := NewParam("z", 2, 0)
	meta := map[string]string{MetaConfig: `{"x":1,"name":"ünï <&>"}`, "epoch": "2"}
	golden := trainGoldens + "train_go_written.safetensors"
	path := filepath.Join(t.TempDir(), "w.safetensors")
	if *updateGoldens {
		path = golden
	}
	if err := SaveSafetensors(path, []*Param{z, a, c}, meta); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("SaveSafetensors output differs from %s, which gen_train.py checked", golden)
	}
}
