package nets

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/internal/testsize"
)

var updateGoldens = flag.Bool("update", false, "rewrite the Go-written goldens under ../testdata/nets")

// stTestParams is a small model-like parameter list with a buffer and an
// I64 counter.
func stTestParams() []*Param {
	w := NewParam("conv1.weight", 4, 1, 3)
	b := NewParam("conv1.bias", 4)
	rm := NewBuffer("bn.running_mean", 4)
	nb := NewBuffer("bn.num_batches_tracked")
	nb.DType = "I64"
	for i := range w.Data {
		w.Data[i] = float32(math.Sin(float64(i)*0.7)) * 1e-3 * float32(i+1)
	}
	for i := range b.Data {
		b.Data[i] = -float32(i) / 3
		rm.Data[i] = float32(i) * 0.25
	}
	nb.Data[0] = 1234
	return []*Param{w, b, rm, nb}
}

func cloneZero(ps []*Param) []*Param {
	out := make([]*Param, len(ps))
	for i, p := range ps {
		q := *p
		q.Data = make([]float32, len(p.Data))
		out[i] = &q
	}
	return out
}

func TestSafetensorsRoundTrip(t *testing.T) {
	ps := stTestParams()
	path := filepath.Join(t.TempDir(), "m.safetensors")
	meta := map[string]string{MetaConfig: `{"channels":4,"note":"<&>"}`, "epoch": "3"}
	if err := SaveSafetensors(path, ps, meta); err != nil {
		t.Fatal(err)
	}
	qs := cloneZero(ps)
	got, err := LoadSafetensors(path, qs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ps {
		for j := range ps[i].Data {
			if math.Float32bits(ps[i].Data[j]) != math.Float32bits(qs[i].Data[j]) {
				t.Fatalf("%s[%d]: %v, want %v", ps[i].Name, j, qs[i].Data[j], ps[i].Data[j])
			}
		}
	}
	if len(got) != 2 || got[MetaConfig] != meta[MetaConfig] || got["epoch"] != "3" {
		t.Fatalf("metadata %v, want %v", got, meta)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Fatalf("directory holds %d entries after save, want 1", len(ents))
	}
	// Layout: header length multiple of 8, padded with spaces, I64 first.
	b, _ := os.ReadFile(path)
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Fatalf("header length %d not a multiple of 8", n)
	}
	h := string(b[8 : 8+n])
	if !strings.HasPrefix(h, `{"__metadata__":{"config":`) {
		t.Fatalf("header starts %q", h[:30])
	}
	if i, j := strings.Index(h, "bn.num_batches_tracked"), strings.Index(h, "bn.running_mean"); i < 0 || j < 0 || i > j {
		t.Fatalf("I64 tensor should be written first: %s", h)
	}
	if !strings.Contains(h, `"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[0,8]}`) {
		t.Fatalf("header %s", h)
	}
	if int64(binary.LittleEndian.Uint64(b[8+n:])) != 1234 {
		t.Fatalf("I64 value not stored as integer")
	}
}

func TestSafetensorsErrors(t *testing.T) {
	dir := t.TempDir()
	ps := stTestParams()
	good := filepath.Join(dir, "good.safetensors")
	if err := SaveSafetensors(good, ps, nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	n := binary.LittleEndian.Uint64(raw)
	hdr := string(raw[8 : 8+n])
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// withHeader rebuilds a file with header h (padded) and the original data.
	withHeader := func(name, h string, data []byte) string {
		for len(h)%8 != 0 {
			h += " "
		}
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(h)))
		b.WriteString(h)
		b.Write(data)
		return write(name, b.Bytes())
	}
	data := raw[8+n:]
	hugeLen := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint64(hugeLen, 1<<62)
	longLen := append([]byte(nil), raw...)
	binary.LittleEndian.PutUint64(longLen, uint64(len(raw)))

	cases := []struct {
		name string
		path string
		ps   []*Param
		want string
	}{
		{"missing file", filepath.Join(dir, "nope.safetensors"), ps, "no such file"},
		{"empty", write("empty", nil), ps, "too short for a safetensors header"},
		{"truncated data", write("trunc", raw[:len(raw)-3]), ps, `tensor "conv1.weight": data_offsets [40, 88] outside the 85 data bytes`},
		{"trailing bytes", write("trail", append(append([]byte(nil), raw...), 1, 2)), ps, "tensors cover 88 data bytes but the file has 90 after the header"},
		{"gap", withHeader("gap", strings.Replace(hdr, `"data_offsets":[0,8]`, `"data_offsets":[0,4]`, 1), data), ps, "I64 shape [] needs 8 bytes but data_offsets [0, 4] hold 4"},
		{"truncated header", write("trunch", raw[:20]), ps, "exceeds the 12 bytes after the length field"},
		{"testsize.Huge header length", write("testsize.Huge", hugeLen), ps, "exceeds the 104857600-byte limit"},
		{"header length past end", write("long", longLen), ps, "truncated file?"},
		{"not json", withHeader("nj", "{not json}", data), ps, "header is not valid JSON"},
		{"not an object", withHeader("arr", "[1,2]", data), ps, "does not start with '{'"},
		{"mislabelled dtype", withHeader("dt", strings.Replace(hdr, `"conv1.bias":{"dtype":"F32"`, `"conv1.bias":{"dtype":"F64"`, 1), data), ps,
			`tensor "conv1.bias": F64 shape [4] needs 32 bytes but data_offsets [24, 40] hold 16`},
		{"unknown dtype", withHeader("udt", strings.Replace(hdr, `"conv1.bias":{"dtype":"F32"`, `"conv1.bias":{"dtype":"Q4"`, 1), data), ps,
			`tensor "conv1.bias": unknown dtype "Q4"`},
		{"offset past end", withHeader("off", strings.Replace(hdr, `"data_offsets":[24,40]`, `"data_offsets":[24,2400]`, 1), data), ps,
			`tensor "conv1.bias": data_offsets [24, 2400] outside the 88 data bytes`},
		{"negative dim", withHeader("neg", strings.Replace(hdr, `"shape":[4],"data_offsets":[24,40]`, `"shape":[-4],"data_offsets":[24,40]`, 1), data), ps,
			"negative dimension"},
		{"bad metadata", withHeader("meta", strings.Replace(hdr, "{", `{"__metadata__":{"a":1},`, 1), data), ps,
			"__metadata__ must map strings to strings"},
		{"missing tensor", good, ps[:2:2], `unexpected tensor "bn.num_batches_tracked"; unexpected tensor "bn.running_mean"`},
		{"wrong shape", good, func() []*Param {
			q := cloneZero(ps)
			q[0] = NewParam("conv1.weight", 4, 1, 5)
			return q
		}(), "conv1.weight: shape [4 1 3] in file, model expects [4 1 5]"},
		{"extra param", good, append(cloneZero(ps), NewParam("fc.bias", 2)), `missing tensor "fc.bias"`},
		{"dtype mismatch", good, func() []*Param {
			q := cloneZero(ps)
			q[1].DType = "I64"
			return q
		}(), "conv1.bias: dtype F32 in file, model expects I64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := cloneZero(c.ps)
			_, err := LoadSafetensors(c.path, c.ps)
			if err == nil {
				t.Fatalf("no error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
			if c.path != good && !strings.Contains(err.Error(), c.path) {
				t.Fatalf("error %q does not name the file", err)
			}
			_ = before
		})
	}
	// A failed load leaves the model untouched.
	q := cloneZero(ps)
	q[0].Data[0] = 42
	q = append(q, NewParam("fc.bias", 2))
	if _, err := LoadSafetensors(good, q); err == nil || q[0].Data[0] != 42 || q[1].Data[1] != 0 {
		t.Fatalf("failed load changed the model (err %v)", err)
	}
	// AllowUnexpected accepts extra tensors.
	q = cloneZero(ps)[:2]
	if _, err := LoadSafetensorsWith(good, q, LoadOptions{AllowUnexpected: true}); err != nil {
		t.Fatal(err)
	}
	if q[1].Data[1] != ps[1].Data[1] {
		t.Fatalf("partial load: %v", q[1].Data)
	}
}

func TestLoadSafetensorsPrefix(t *testing.T) {
	path := filepath.Join(t.TempDir(), "whole.safetensors")
	enc := stTestParams()
	whole := []*Param{NewParam("dec.fc.weight", 2, 2)}
	for _, p := range enc {
		q := *p
		q.Name = "enc." + p.Name
		whole = append(whole, &q)
	}
	if err := SaveSafetensors(path, whole, nil); err != nil {
		t.Fatal(err)
	}
	got := cloneZero(enc)
	if _, err := LoadSafetensorsWith(path, got, LoadOptions{Prefix: "enc."}); err != nil {
		t.Fatal(err)
	}
	if got[0].Data[5] != enc[0].Data[5] || got[3].Data[0] != 1234 {
		t.Fatalf("prefix load: %v", got[0].Data)
	}
	bad := cloneZero(enc)[1:]
	bad[0] = NewParam("conv1.bias", 5)
	_, err := LoadSafetensorsWith(path, bad, LoadOptions{Prefix: "enc."})
	want := `enc.conv1.bias: shape [4] in file, model expects [5]; unexpected tensor "enc.conv1.weight"`
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Fatalf("error %v, want suffix %q", err, want)
	}
}

func TestSaveSafetensorsRejects(t *testing.T) {
	testsize.Skip32(t)
	const huge40 = testsize.Huge
	dir := t.TempDir()
	p := filepath.Join(dir, "x.safetensors")
	bad := NewParam("a", 2)
	bad.Data = bad.Data[:1]
	for _, c := range []struct {
		ps   []*Param
		want string
	}{
		{[]*Param{NewParam("a", 2), NewParam("a", 3)}, `tensor name "a" used twice`},
		{[]*Param{bad}, "shape [2] has 2 elements but Data has 1"},
		{[]*Param{{Name: "b", Shape: []int{1}, Data: []float32{1}, DType: "F16"}}, `unsupported DType "F16"`},
		{[]*Param{NewParam("__metadata__", 1)}, "invalid tensor name"},
		// 2^40·2^40·2^40 wraps to 0 = len(Data) in a 64-bit int.
		{[]*Param{{Name: "c", Shape: []int{huge40, huge40, huge40}}}, fmt.Sprintf(`tensor "c": shape [%d %d %d] has a negative dimension or too many elements`, huge40, huge40, huge40)},
	} {
		err := SaveSafetensors(p, c.ps, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("failed saves left %d files", len(ents))
	}
	if err := SaveSafetensors(filepath.Join(dir, "no", "dir", "x.safetensors"), []*Param{NewParam("a", 1)}, nil); err == nil {
		t.Fatal("save into a missing directory succeeded")
	}
}

func TestHalfConversion(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x0001, 5.960464477539063e-08}, {0x8000, float32(math.Copysign(0, -1))},
		{0x7bff, 65504}, {0x3555, 0.333251953125}, {0x0400, 6.103515625e-05},
	} {
		if got := stHalf(c.h); math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("half %#04x = %v, want %v", c.h, got, c.want)
		}
	}
	if !math.IsInf(float64(stHalf(0x7c00)), 1) || !math.IsNaN(float64(stHalf(0x7e00))) {
		t.Error("half Inf/NaN")
	}
}

// FuzzReadSafetensors checks that no input makes the parser panic or
// allocate beyond the input's size, and that whatever it accepts is
// self-consistent.
func FuzzReadSafetensors(f *testing.F) {
	var b bytes.Buffer
	hdr, order, _ := stHeader(stTestParams(), map[string]string{"config": "{}"})
	binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
	b.Write(hdr)
	for _, p := range order {
		if p.DType == "I64" {
			binary.Write(&b, binary.LittleEndian, int64(p.Data[0]))
		} else {
			binary.Write(&b, binary.LittleEndian, p.Data)
		}
	}
	f.Add(b.Bytes())
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}         "))
	f.Add([]byte("\x08\x00\x00\x00\x00\x00\x00\x00{}      "))
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := stParse(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		var total int64
		for name, e := range sf.entries {
			raw, err := sf.read(bytes.NewReader(data), e)
			if err != nil {
				t.Fatalf("%s: accepted header but read failed: %v", name, err)
			}
			total += int64(len(raw))
			if tv, err := (Tensor{DType: e.dtype, Shape: e.shape, Raw: raw}).Float32(); err == nil && len(tv) != stNumel(e.shape) {
				t.Fatalf("%s: %d values for shape %v", name, len(tv), e.shape)
			}
		}
		if total != int64(len(data))-sf.dataStart {
			t.Fatalf("tensors cover %d of %d data bytes", total, int64(len(data))-sf.dataStart)
		}
	})
}
