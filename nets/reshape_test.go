package nets

import (
	"math"
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestReshapeKeepsGradients: a Linear reads a reshape of x while x also
// feeds an element-wise op that Gorgonia runs in place (its last direct
// use). With Gorgonia's Reshape, a view, the weight gradient read the
// doubled values; Reshape copies.
func TestReshapeKeepsGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fc, _ := NewLinear("fc", 6, 1, true, rng)
	x1v := []float32{1, 2, 3, -1, 0.5, 2}
	x2v := []float32{0.3, -2, 1, 1, 1, -0.5}
	lossOf := func() (float64, []float32) {
		g := NewGraph(Train, 0)
		x1, x2 := g.Input("x1", 2, 3), g.Input("x2", 2, 3)
		cat := G.Must(Concat(x1, x2)) // [2, 6]
		r := G.Must(Reshape(cat, tensor.Shape{2, 6}))
		y := G.Must(fc.Forward(g, r))
		m := G.Must(G.Mul(cat, G.NewConstant(float32(2))))
		loss := G.Must(G.Add(G.Must(G.Sum(y)), G.Must(G.Sum(m))))
		mach, err := NewMachine(g, loss)
		if err != nil {
			t.Fatal(err)
		}
		defer mach.Close()
		Let(x1, x1v)
		Let(x2, x2v)
		if err := mach.Run(); err != nil {
			t.Fatal(err)
		}
		l, _ := Scalar(loss)
		return float64(l), append([]float32(nil), fc.Weight.Grad...)
	}
	_, grad := lossOf()
	// dL/dW[0][j] = sum over rows of input[row][j]
	for j := 0; j < 6; j++ {
		var want float64
		for r := 0; r < 2; r++ {
			if j < 3 {
				want += float64(x1v[r*3+j])
			} else {
				want += float64(x2v[r*3+j-3])
			}
		}
		if math.Abs(float64(grad[j])-want) > 1e-4 {
			t.Errorf("dW[%d] = %v, want %v", j, grad[j], want)
		}
	}
}
