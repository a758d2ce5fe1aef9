package avio

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/internal/testsize"
)

const npyDir = "../testdata/avio/npy"

func TestReadNPYFixtures(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(npyDir, "read.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Shape []int     `json:"shape"`
		DType string    `json:"dtype"`
		Data  []float64 `json:"data"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) < 17 {
		t.Fatalf("read.json has %d fixtures", len(want))
	}
	for name, w := range want {
		a, err := ReadNPY(filepath.Join(npyDir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if a.DType != w.DType || len(a.Shape) != len(w.Shape) || a.Size() != len(w.Data) || len(a.Data) != len(w.Data) {
			t.Errorf("%s: shape %v dtype %s (%d values), want %v %s (%d)", name, a.Shape, a.DType, len(a.Data), w.Shape, w.DType, len(w.Data))
			continue
		}
		for i := range w.Shape {
			if a.Shape[i] != w.Shape[i] {
				t.Errorf("%s: shape %v, want %v", name, a.Shape, w.Shape)
			}
		}
		for i := range w.Data {
			if a.Data[i] != w.Data[i] {
				t.Errorf("%s: value %d = %v, numpy %v", name, i, a.Data[i], w.Data[i])
				break
			}
		}
	}
}

// TestWriteNPYMatchesNumpy compares WriteNPY's bytes with np.save's.
func TestWriteNPYMatchesNumpy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(npyDir, "write.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]struct {
		Shape []int     `json:"shape"`
		Data  []float64 `json:"data"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, w := range want {
		out := filepath.Join(dir, name)
		if strings.HasPrefix(name, "write_f8") {
			err = WriteNPY64(out, w.Data, w.Shape...)
		} else {
			f := make([]float32, len(w.Data))
			for i, v := range w.Data {
				f[i] = float32(v)
			}
			err = WriteNPY(out, f, w.Shape...)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, _ := os.ReadFile(out)
		ref, err := os.ReadFile(filepath.Join(npyDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ref) {
			n := min(len(got), len(ref), 128)
			t.Errorf("%s differs from np.save:\n got %q\nwant %q", name, got[:n], ref[:n])
		}
	}
}

func TestNPYRoundTripAndErrors(t *testing.T) {
	testsize.Skip32(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	if err := WriteNPY(p, []float32{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	a, err := ReadNPY(p)
	if err != nil || len(a.Shape) != 1 || a.Shape[0] != 6 || a.Float32()[5] != 6 {
		t.Fatalf("%v %+v", err, a)
	}
	if err := WriteNPY(p, []float32{1, 2, 3}, 2, 2); err == nil || !strings.Contains(err.Error(), "holds 4 values but data has 3") {
		t.Errorf("shape mismatch: %v", err)
	}
	if err := WriteNPY(p, nil, -1, 0); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative shape: %v", err)
	}
	// 2^40·2^40·2^40 wraps to 0 in an int: no empty data may claim it.
	if err := WriteNPY(p, nil, testsize.Huge, testsize.Huge, testsize.Huge); err == nil || !strings.Contains(err.Error(), "more values") {
		t.Errorf("overflowing shape: %v", err)
	}
	if err := WriteNPY(filepath.Join(dir, "empty.npy"), nil, testsize.Huge, testsize.Huge, testsize.Huge, 0); err != nil {
		t.Errorf("shape with a zero dimension: %v", err)
	}
	// The failed writes left the earlier file intact.
	if a, err := ReadNPY(p); err != nil || a.Size() != 6 {
		t.Errorf("earlier file damaged: %v", err)
	}
	// A header longer than 65535 bytes needs format 2.0.
	shape := make([]int, 0)
	for i := 0; i < 30000; i++ {
		shape = append(shape, 1)
	}
	if h := npyHeader("<f4", shape); h[6] != 2 || len(h)%64 != 0 {
		t.Errorf("long header: version %d, length %d", h[6], len(h))
	}

	hdr := func(dict string) []byte {
		h := []byte("\x93NUMPY\x01\x00")
		h = append(h, byte(len(dict)), byte(len(dict)>>8))
		return append(h, dict...)
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"short", []byte("\x93NUM"), "only 4 bytes"},
		{"magic", []byte("PK\x03\x04 zip file!"), "not a .npy file"},
		{"version", []byte("\x93NUMPY\x04\x00\x00\x00"), "version 4.0"},
		{"header len", []byte("\x93NUMPY\x01\x00\xff\xff{}"), "header of 65535 bytes"},
		{"not dict", hdr("[1, 2]"), "not a dict"},
		{"missing shape", hdr("{'descr': '<f4', 'fortran_order': False}"), `missing key "shape"`},
		{"unknown key", hdr("{'descr': '<f4', 'x': 1}"), `unknown key "x"`},
		{"structured", hdr("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}"), "structured dtypes"},
		{"complex", hdr("{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}"), `dtype "<c8" is not supported`},
		{"object", hdr("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}"), `dtype "|O" is not supported`},
		{"neg shape", hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), "non-negative integers"},
		{"bad bool", hdr("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}"), "True or False"},
		{"too big", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000, 1000000000, 1000000000)}"), "needs more data than the 0 bytes"},
		{"truncated", append(hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"), 0, 0, 0, 0), "shape [3] of <f4 needs more data than the 4 bytes"},
	}
	for _, c := range cases {
		_, err := DecodeNPY(bytes.NewReader(c.b), "bad.npy")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.npy: ") {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ReadNPY(filepath.Join(dir, "missing.npy")); err == nil || !strings.Contains(err.Error(), "missing.npy") {
		t.Errorf("missing file: %v", err)
	}
}
