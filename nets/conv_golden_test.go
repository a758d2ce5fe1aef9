package nets

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// coreGolden is one golden case written by testdata/nets/gen_core.py.
type coreGolden struct {
	path    string
	config  map[string]any
	tensors map[string]coreGoldenTensor
}

type coreGoldenTensor struct {
	shape []int
	data  []float32
}

// coreLoadGolden reads a float32-only safetensors file.
func coreLoadGolden(t *testing.T, name string) *coreGolden {
	t.Helper()
	path := filepath.Join("..", "testdata", "nets", "core_"+name+".safetensors")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 {
		t.Fatalf("%s: too short", path)
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		t.Fatalf("%s: header length %d beyond file", path, n)
	}
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &hdr); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	body := b[8+n:]
	gd := &coreGolden{path: path, tensors: map[string]coreGoldenTensor{}}
	for k, raw := range hdr {
		if k == "__metadata__" {
			var md map[string]string
			if err := json.Unmarshal(raw, &md); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(md["config"]), &gd.config); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var e struct {
			DType   string `json:"dtype"`
			Shape   []int  `json:"shape"`
			Offsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		if e.DType != "F32" || e.Offsets[0] < 0 || e.Offsets[1] > len(body) || e.Offsets[1] < e.Offsets[0] || (e.Offsets[1]-e.Offsets[0])%4 != 0 {
			t.Fatalf("%s: bad entry %s", path, k)
		}
		raw := body[e.Offsets[0]:e.Offsets[1]]
		d := make([]float32, len(raw)/4)
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		gd.tensors[k] = coreGoldenTensor{shape: e.Shape, data: d}
	}
	return gd
}

func (gd *coreGolden) get(t *testing.T, k string) coreGoldenTensor {
	t.Helper()
	v, ok := gd.tensors[k]
	if !ok {
		t.Fatalf("%s: no tensor %q", gd.path, k)
	}
	return v
}

func (gd *coreGolden) ints(k string) []int {
	switch v := gd.config[k].(type) {
	case float64:
		return []int{int(v), int(v)}
	case []any:
		out := make([]int, len(v))
		for i, e := range v {
			out[i] = int(e.(float64))
		}
		return out
	}
	return nil
}

func (gd *coreGolden) int(k string) int { return gd.ints(k)[0] }

// coreClose compares got with want by max|diff| ≤ 1e-4·max|want| + 1e-6 and
// returns the relative error max|diff|/max|want|.
func coreClose(t *testing.T, what string, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	var maxd, maxw float64
	for i := range got {
		maxd = math.Max(maxd, math.Abs(float64(got[i])-float64(want[i])))
		maxw = math.Max(maxw, math.Abs(float64(want[i])))
	}
	if maxd > 1e-4*maxw+1e-6 || math.IsNaN(maxd) {
		t.Errorf("%s: max|diff| %.3g, max|ref| %.3g", what, maxd, maxw)
	}
	if maxw == 0 {
		return maxd
	}
	return maxd / maxw
}

// coreCheckLayer builds layer on the golden x in the given mode, sets the
// golden parameters (named by suffix after the layer name), runs forward
// and backward of sum(y·R), and compares y and all gradients. prefix
// selects a set of tensors ("" or "eval.").
func coreCheckLayer(t *testing.T, gd *coreGolden, mode Mode, prefix string, forward func(g *Graph, x *G.Node) (*G.Node, error), params map[string]*Param) float64 {
	t.Helper()
	for k, p := range params {
		copy(p.Data, gd.get(t, k).data)
	}
	xg := gd.get(t, prefix+"x")
	g := NewGraph(mode, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, len(xg.shape), G.WithShape(xg.shape...), G.WithName("x"))
	y, err := forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	rg := gd.get(t, prefix+"R")
	r := G.NewTensor(g.ExprGraph, tensor.Float32, len(rg.shape), G.WithShape(rg.shape...), G.WithName("R"))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	m, err := NewMachine(g, loss, x)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := Let(x, xg.data); err != nil {
		t.Fatal(err)
	}
	if err := Let(r, rg.data); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	yv, err := Value(y)
	if err != nil {
		t.Fatal(err)
	}
	worst := coreClose(t, gd.path+" "+prefix+"y", yv, gd.get(t, prefix+"y").data)
	gx, err := m.Grad(x)
	if err != nil {
		t.Fatal(err)
	}
	worst = math.Max(worst, coreClose(t, gd.path+" "+prefix+"grad.x", gx, gd.get(t, prefix+"grad.x").data))
	for k, p := range params {
		if p.Buffer {
			continue
		}
		worst = math.Max(worst, coreClose(t, gd.path+" "+prefix+"grad."+k, p.Grad, gd.get(t, prefix+"grad."+k).data))
	}
	return worst
}

func TestConvGoldens(t *testing.T) {
	// Both GEMM strategies: the whole batch in one product, and one
	// product per sample.
	defer func(old int) { convBatchMaxP = old }(convBatchMaxP)
	for _, batchMax := range []int{1 << 30, 0} {
		convBatchMaxP = batchMax
		t.Run(fmt.Sprint("batchMaxP=", batchMax), convGoldens)
	}
}

func convGoldens(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, name := range []string{"conv1d_plain", "conv1d_strided", "conv1d_k1_nobias", "conv1d_soundnet", "conv2d_plain", "conv2d_strided", "conv2d_nobias"} {
		t.Run(name, func(t *testing.T) {
			gd := coreLoadGolden(t, name)
			bias := gd.config["bias"].(bool)
			var l Layer
			var err error
			if gd.config["layer"] == "conv1d" {
				l, err = NewConv1d("c", gd.int("i"), gd.int("o"), gd.int("k"), Conv1dOptions{Stride: gd.int("s"), Padding: gd.int("p"), Dilation: gd.int("d"), NoBias: !bias}, rng)
			} else {
				k, s, p, d := gd.ints("k"), gd.ints("s"), gd.ints("p"), gd.ints("d")
				l, err = NewConv2d("c", gd.int("i"), gd.int("o"), k[0], k[1], Conv2dOptions{Stride: [2]int{s[0], s[1]}, Padding: [2]int{p[0], p[1]}, Dilation: [2]int{d[0], d[1]}, NoBias: !bias}, rng)
			}
			if err != nil {
				t.Fatal(err)
			}
			ps := map[string]*Param{}
			for _, p := range l.Params() {
				ps[p.Name[2:]] = p
			}
			rel := coreCheckLayer(t, gd, Train, "", l.Forward, ps)
			t.Logf("max relative error %.2g", rel)
		})
	}
}

// TestConvInputGradientSkipped checks that without asking for the input's
// gradient the weight gradients are unchanged and no dx op is built.
func TestConvInputGradientSkipped(t *testing.T) {
	gd := coreLoadGolden(t, "conv1d_strided")
	c, err := NewConv1d("c", 2, 3, 4, Conv1dOptions{Stride: 2, Padding: 3, Dilation: 2}, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	copy(c.Weight.Data, gd.get(t, "weight").data)
	copy(c.Bias.Data, gd.get(t, "bias").data)
	xg, rg := gd.get(t, "x"), gd.get(t, "R")
	g := NewGraph(Train, 1)
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(xg.shape...), G.WithName("x"))
	y, err := c.Forward(g, x)
	if err != nil {
		t.Fatal(err)
	}
	r := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(rg.shape...), G.WithName("R"))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
	m, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, n := range g.AllNodes() {
		if n.Op() != nil && n.Op().String() == "conv1d(c.weight).dx" {
			t.Fatal("dx op built although the input gradient is not wanted")
		}
	}
	Let(x, xg.data)
	Let(r, rg.data)
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	coreClose(t, "grad.weight", c.Weight.Grad, gd.get(t, "grad.weight").data)
	coreClose(t, "grad.bias", c.Bias.Grad, gd.get(t, "grad.bias").data)
}

// TestConvSplitMatchesDirect checks strided 1-D convolutions on split
// inputs (newConvState) against the direct computation: the same bits for
// the output and the weight and bias gradients, and for the input
// gradient unless it is computed on the phases (then equal up to
// rounding). Odd lengths, no padding, a one-tap split kernel, and a
// padding too large for the transposed shortcut; with the batch in one
// product and sample by sample.
func TestConvSplitMatchesDirect(t *testing.T) {
	defer func(s bool, v, b int) { convSplit, convSplitMin, convBatchMaxP = s, v, b }(convSplit, convSplitMin, convBatchMaxP)
	for _, batchMax := range []int{1 << 30, 0} {
		convBatchMaxP = batchMax
		convSplitCases(t)
	}
}

func convSplitCases(t *testing.T) {
	for _, c := range []struct{ n, in, out, k, s, p, l int }{
		{2, 3, 5, 8, 2, 4, 41}, {3, 2, 3, 6, 3, 0, 50}, {2, 2, 4, 2, 2, 0, 33}, {2, 1, 3, 4, 2, 4, 20}, {1, 2, 2, 4, 4, 4, 39},
	} {
		q := convGeom{n: c.n, c: c.in, h: 1, w: c.l, o: c.out, kh: 1, kw: c.k, sh: 1, sw: c.s, pw: c.p, dh: 1, dw: 1,
			oh: 1, ow: convOut(c.l, c.k, c.s, c.p, 1)}
		var res [3][4][]float32
		for i, mode := range []struct {
			split bool
			min   int
		}{{false, 0}, {true, 1 << 30}, {true, 0}} {
			convSplit, convSplitMin = mode.split, mode.min
			if st := newConvState(q); (st.split != nil) != mode.split || st.splitDX != (i == 2) {
				t.Fatalf("%+v: split %v, splitDX %v in mode %d", c, st.split != nil, st.splitDX, i)
			}
			rng := rand.New(rand.NewSource(5))
			conv, err := NewConv1d("c", c.in, c.out, c.k, Conv1dOptions{Stride: c.s, Padding: c.p}, rng)
			if err != nil {
				t.Fatal(err)
			}
			g := NewGraph(Train, 1)
			x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(c.n, c.in, c.l), G.WithName("x"))
			y, err := conv.Forward(g, x)
			if err != nil {
				t.Fatal(err)
			}
			r := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(y.Shape()...), G.WithName("r"))
			loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, r))))
			m, err := NewMachine(g, loss, x)
			if err != nil {
				t.Fatal(err)
			}
			xs := make([]float32, c.n*c.in*c.l)
			rs := make([]float32, y.Shape().TotalSize())
			for j := range xs {
				xs[j] = float32(rng.NormFloat64())
			}
			for j := range rs {
				rs[j] = float32(rng.NormFloat64())
			}
			Let(x, xs)
			Let(r, rs)
			if err := m.Run(); err != nil {
				t.Fatal(err)
			}
			dx, err := m.Grad(x)
			if err != nil {
				t.Fatal(err)
			}
			res[i] = [4][]float32{append([]float32(nil), y.Value().Data().([]float32)...), append([]float32(nil), dx...), conv.Weight.Grad, conv.Bias.Grad}
			m.Close()
		}
		for i := 1; i < 3; i++ {
			for j, what := range []string{"y", "dx", "dweight", "dbias"} {
				if i == 2 && what == "dx" {
					coreClose(t, fmt.Sprintf("%+v %s", c, what), res[i][j], res[0][j])
					continue
				}
				for k := range res[0][j] {
					if math.Float32bits(res[i][j][k]) != math.Float32bits(res[0][j][k]) {
						t.Errorf("%+v mode %d: %s[%d] = %v, direct %v", c, i, what, k, res[i][j][k], res[0][j][k])
						break
					}
				}
			}
		}
	}
}

// TestConvPackRowsRuns checks the side-by-side packing of contiguous
// patch rows (packRowsRuns) against packing them one by one with
// patchRow, for a split and a stride-1 convolution, in the interior (where
// it applies) and at both padded ends (where it must decline).
func TestConvPackRowsRuns(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for _, q := range []convGeom{
		{n: 1, c: 2, h: 1, w: 3001, o: 4, kh: 1, kw: 64, sh: 1, sw: 2, pw: 32, dh: 1, dw: 1, oh: 1},
		{n: 1, c: 3, h: 1, w: 2000, o: 4, kh: 1, kw: 20, sh: 1, sw: 1, pw: 5, dh: 1, dw: 1, oh: 1},
	} {
		q.ow = convOut(q.w, q.kw, q.sw, q.pw, 1)
		s := newConvState(q)
		x := make([]float32, q.c*q.w)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		if s.split != nil {
			s.xs = make([]float32, s.sampleSize())
			s.splitInput(x, s.xs)
			x = s.xs
		}
		const kc = 256
		fast := 0
		for _, p0 := range []int{0, 256, 700, q.ow - kc} {
			for r0 := 0; r0+gemmNR <= q.rows(); r0 += gemmNR {
				got := make([]float32, gemmNR*kc)
				if s.packRowsRuns(x, r0, p0, kc, got) {
					fast++
				} else {
					continue
				}
				want := make([]float32, gemmNR*kc)
				for c := 0; c < gemmNR; c++ {
					s.patchRow(x, r0+c, p0, kc, want[c:], gemmNR)
				}
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%+v rows %d, positions %d: [%d] = %v, want %v", q, r0, p0, i, got[i], want[i])
					}
				}
			}
		}
		if fast == 0 {
			t.Errorf("%+v: packRowsRuns never applied", q)
		}
		if s.packRowsRuns(x, 0, 0, kc, make([]float32, gemmNR*kc)) || s.packRowsRuns(x, q.rows()-gemmNR, q.ow-kc, kc, make([]float32, gemmNR*kc)) {
			t.Errorf("%+v: packRowsRuns applied at a padded end", q)
		}
	}
}

// TestConvWeightGradHankel checks the weight gradient read in place,
// sample by sample (weightGradHankel), against the packed product, and
// that its bits do not depend on the number of cores; for split and
// stride-1 convolutions, padded or not, one sample or several.
func TestConvWeightGradHankel(t *testing.T) {
	defer func(b int, h bool) { convBatchMaxP, convHankel = b, h }(convBatchMaxP, convHankel)
	convBatchMaxP = 0 // sample by sample, where the in-place read applies
	rng := rand.New(rand.NewSource(6))
	for _, q := range []convGeom{
		{n: 2, c: 1, h: 1, w: 3001, o: 7, kh: 1, kw: 64, sh: 1, sw: 2, pw: 32, dh: 1, dw: 1, oh: 1},
		{n: 3, c: 3, h: 1, w: 2500, o: 5, kh: 1, kw: 32, sh: 1, sw: 2, pw: 16, dh: 1, dw: 1, oh: 1},
		{n: 1, c: 2, h: 1, w: 1500, o: 13, kh: 1, kw: 16, sh: 1, sw: 1, pw: 5, dh: 1, dw: 1, oh: 1},
		{n: 2, c: 2, h: 1, w: 900, o: 4, kh: 1, kw: 32, sh: 1, sw: 2, pw: 0, dh: 1, dw: 1, oh: 1},
		{n: 2, c: 1, h: 1, w: 200, o: 3, kh: 1, kw: 64, sh: 1, sw: 2, pw: 32, dh: 1, dw: 1, oh: 1},
	} {
		q.ow = convOut(q.w, q.kw, q.sw, q.pw, 1)
		x := randFloats(rng, q.n*q.c*q.w)
		gy := randFloats(rng, q.n*q.o*q.ow)
		grad := func(hankel bool, procs int) []float32 {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			convHankel = hankel
			st := newConvState(q)
			if st.split != nil {
				st.xs = make([]float32, q.n*st.sampleSize())
				st.splitInput(x, st.xs)
			}
			dw := make([]float32, q.o*q.rows())
			st.weightGrad(x, gy, dw)
			if hankel && st.dwn == nil {
				t.Fatalf("%+v: the in-place product did not apply", q)
			}
			return dw
		}
		packed, one, two := grad(false, 1), grad(true, 1), grad(true, 2)
		for i := range packed {
			if math.Float32bits(one[i]) != math.Float32bits(two[i]) {
				t.Fatalf("%+v: dw[%d] = %v on one core, %v on two", q, i, one[i], two[i])
			}
			if math.Abs(float64(one[i]-packed[i])) > 1e-4*(1+math.Abs(float64(packed[i]))) {
				t.Fatalf("%+v: dw[%d] = %v in place, %v packed", q, i, one[i], packed[i])
			}
		}
	}
}
