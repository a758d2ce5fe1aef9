package avio

import (
	"bytes"
	"cmp"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/internal/testsize"
)

// TestNPYColumnWriterEqualsWriteNPY writes arrays column by column, with
// shapes that fill blocks exactly, partly and not at all, and wants the
// bytes WriteNPY writes for the same values.
func TestNPYColumnWriterEqualsWriteNPY(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(3, 4))
	defer func(v int) { npyBlockValues = v }(npyBlockValues)
	blockValues := npyBlockValues
	// The last shape has blocks of 1000 columns, not a multiple of npyTile.
	for _, sh := range [][3]int{{1, 1}, {3, 1}, {1, 7}, {257, 2500}, {blockValues / 16, 20}, {2, blockValues/2 + 5}, {5, 0}, {257, 2600, 257 * 1000}} {
		rows, cols := sh[0], sh[1]
		npyBlockValues = cmp.Or(sh[2], blockValues)
		data := make([]float32, rows*cols)
		for i := range data {
			data[i] = float32(r.NormFloat64())
		}
		want := filepath.Join(dir, "want.npy")
		if err := WriteNPY(want, data, rows, cols); err != nil {
			t.Fatal(err)
		}
		got := filepath.Join(dir, "got.npy")
		w, err := CreateNPYColumns(got, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		col := make([]float32, rows)
		for c := 0; c < cols; c++ {
			for i := range col {
				col[i] = data[i*cols+c]
			}
			if err := w.WriteColumn(col); err != nil {
				t.Fatal(err)
			}
		}
		if w.Columns() != cols {
			t.Fatalf("Columns %d, want %d", w.Columns(), cols)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(want)
		b, _ := os.ReadFile(got)
		if !bytes.Equal(a, b) {
			t.Fatalf("(%d, %d): bytes differ from WriteNPY", rows, cols)
		}
		if st, _ := os.Stat(got); st.Mode().Perm() != 0o644 {
			t.Errorf("mode %v", st.Mode())
		}
		// The same values as float64 batches of random sizes (some larger
		// than a block), single columns among them.
		w, err = CreateNPYColumns(got, rows, cols)
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < cols; {
			n := min(cols-c, r.IntN(3)*r.IntN(100))
			if n == 0 {
				for i := range col {
					col[i] = data[i*cols+c]
				}
				if err := w.WriteColumn(col); err != nil {
					t.Fatal(err)
				}
				c++
				continue
			}
			v := make([]float64, n*rows)
			for j := range n {
				for i := range rows {
					v[j*rows+i] = float64(data[i*cols+c+j])
				}
			}
			if err := w.WriteColumns(v, n); err != nil {
				t.Fatal(err)
			}
			c += n
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(got); !bytes.Equal(a, b) {
			t.Fatalf("(%d, %d): WriteColumns: bytes differ from WriteNPY", rows, cols)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("%d files left in the directory, want 2", len(ents))
	}
}

// TestNPYColumnWriterErrors: every misuse fails naming the file and leaves
// nothing behind.
func TestNPYColumnWriterErrors(t *testing.T) {
	testsize.Skip32(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "x.npy")
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: left %s", name, p)
		}
	}
	_, err := CreateNPYColumns(p, -1, 3)
	check("negative", err, "negative dimension")
	_, err = CreateNPYColumns(p, testsize.Huge, testsize.Huge)
	check("testsize.Huge", err, "too large")

	w, err := CreateNPYColumns(p, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteColumn([]float32{1, 2})
	check("too few", w.Close(), "1 of the 3 columns")
	check("close again", w.Close(), "1 of the 3 columns")

	w, _ = CreateNPYColumns(p, 2, 1)
	check("short column", w.WriteColumn([]float32{1}), "column of 1 values, want 2")
	check("then close", w.Close(), "column of 1 values")

	w, _ = CreateNPYColumns(p, 2, 1)
	w.WriteColumn([]float32{1, 2})
	check("too many", w.WriteColumn([]float32{1, 2}), "more than the 1 columns")

	w, _ = CreateNPYColumns(p, 2, 3)
	check("short columns", w.WriteColumns([]float64{1, 2, 3}, 2), "3 values for 2 columns of 2 values")

	w, _ = CreateNPYColumns(p, 2, 3)
	w.WriteColumn([]float32{1, 2})
	check("too many columns", w.WriteColumns([]float64{1, 2, 3, 4, 5, 6}, 3), "more than the 3 columns")

	w, _ = CreateNPYColumns(p, 2, 1)
	w.WriteColumn([]float32{1, 2})
	w.Abort()
	check("aborted", w.Close(), "aborted")

	_, err = CreateNPYColumns(filepath.Join(dir, "no", "x.npy"), 1, 1)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "no", "x.npy")) {
		t.Errorf("missing directory: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("%d files left behind", len(ents))
	}
}
