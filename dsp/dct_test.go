package dsp

import (
	"math"
	"strings"
	"testing"
)

func TestDCTMatrixTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "dct") {
		want, shape := featNPY(t, c.File)
		if shape[0] != c.NMFCC || shape[1] != c.NMels {
			t.Fatalf("%s: shape %v", c.File, shape)
		}
		got, err := DCTMatrix(c.NMFCC, c.NMels, c.Ortho)
		if err != nil {
			t.Fatal(err)
		}
		featCompare(t, c.File, got, want, 1e-12)
	}
}

func TestDCTOrthonormal(t *testing.T) {
	const n = 24
	d, err := DCTMatrix(n, n, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for k := 0; k < n; k++ {
				s += d[i*n+k] * d[j*n+k]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(s-want) > 1e-12 {
				t.Fatalf("row %d · row %d = %v, want %v", i, j, s, want)
			}
		}
	}
	if _, err := DCTMatrix(41, 40, true); err == nil {
		t.Error("nMFCC > nMels: no error")
	}
	if _, err := DCTMatrix(1<<30, 1<<30, true); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("2^30 × 2^30: error %v, want a size error (not an overflowed allocation)", err)
	}
	if _, err := DCTMatrix(0, 40, true); err == nil {
		t.Error("nMFCC = 0: no error")
	}
	if _, err := DCT(d, n, make([]float64, 5), 1, n); err == nil {
		t.Error("DCT with short input: no error")
	}
}
