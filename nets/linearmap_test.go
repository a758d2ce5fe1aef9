package nets

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A LinearMap of a matrix gives the matrix product and, through the
// adjoint, the gradient of a loss that Gorgonia's own ops compute for the
// same product.
func TestLinearMapMatchesMatMul(t *testing.T) {
	a := []float32{1, -2, 0.5, 3, 0, 1.5} // 2×3
	fwd := func(y, x []float32) error {
		for i := range 2 {
			y[i] = 0
			for j := range 3 {
				y[i] += a[i*3+j] * x[j]
			}
		}
		return nil
	}
	adj := func(gx, gy []float32) error {
		for j := range 3 {
			gx[j] = 0
			for i := range 2 {
				gx[j] += a[i*3+j] * gy[i]
			}
		}
		return nil
	}
	for _, custom := range []bool{true, false} {
		g := NewGraph(Train, 1)
		p := NewParam("x", 3)
		copy(p.Data, []float32{0.3, -1, 2})
		x := g.Param(p)
		var y *G.Node
		var err error
		if custom {
			y, err = LinearMap("mat", x, tensor.Shape{2}, fwd, adj)
		} else {
			am := G.NewConstant(tensor.New(tensor.WithShape(2, 3), tensor.WithBacking(append([]float32(nil), a...))))
			y, err = G.Mul(am, x)
		}
		if err != nil {
			t.Fatal(err)
		}
		loss := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(y, G.NewConstant(float32(1))))))))
		m, err := NewMachine(g, loss)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Run(); err != nil {
			t.Fatal(err)
		}
		// y = (3.3, 3.9): loss (2.3² + 2.9²), gradient 2·Aᵀ(y − 1)
		if l, err := Scalar(loss); err != nil || math.Abs(float64(l)-13.7) > 1e-4 {
			t.Fatalf("custom=%v: loss %v (%v), want 13.7", custom, l, err)
		}
		want := []float64{22, -9.2, 11}
		for j, w := range want {
			if math.Abs(float64(p.Grad[j])-w) > 1e-4 {
				t.Fatalf("custom=%v: grad %v, want %v", custom, p.Grad, want)
			}
		}
		m.Close()
	}
	if _, err := LinearMap("nil", nil, tensor.Shape{1}, fwd, adj); err == nil {
		t.Fatal("nil input accepted")
	}
}
