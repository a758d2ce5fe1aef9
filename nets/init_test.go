package nets

import (
	"math"
	"math/rand"
	"testing"
)

func TestInitDefaultBoundsAndDeterminism(t *testing.T) {
	mk := func(seed int64) (*Param, *Param) {
		w := NewParam("w", 64, 16, 8)
		b := NewParam("b", 64)
		initDefault(w, b, rand.New(rand.NewSource(seed)))
		return w, b
	}
	w, b := mk(3)
	bound := 1 / math.Sqrt(16*8)
	var sum2 float64
	for _, v := range w.Data {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("weight %v outside ±%v", v, bound)
		}
		sum2 += float64(v) * float64(v)
	}
	// The variance of U(-b, b) is b²/3.
	if got, want := sum2/float64(len(w.Data)), bound*bound/3; math.Abs(got-want) > 0.05*want {
		t.Fatalf("weight variance %v, want %v", got, want)
	}
	for _, v := range b.Data {
		if math.Abs(float64(v)) > bound {
			t.Fatalf("bias %v outside ±%v", v, bound)
		}
	}
	w2, _ := mk(3)
	for i := range w.Data {
		if w.Data[i] != w2.Data[i] {
			t.Fatal("same seed, different weights")
		}
	}
	if FanIn([]int{5, 3, 2, 2}) != 12 || FanOut([]int{5, 3, 2, 2}) != 20 || FanIn([]int{7}) != 7 {
		t.Fatal("fan in/out")
	}
}
