package nets

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// SISDRLoss against the SI-SDR computed in float64, on rows of different
// quality, and its gradient against finite differences.
func TestSISDRLoss(t *testing.T) {
	ref := []float64{1, -2, 0.5, 3, -1, 0.2, 2, -0.7}
	est := []float64{0.8, -1.5, 0.9, 2.5, -1.4, 0.1, 1.6, 0.3}
	want := 0.0
	{
		var d, rr float64
		for i := range ref {
			d += est[i] * ref[i]
			rr += ref[i] * ref[i]
		}
		a := d / rr
		var ts, ns float64
		for i := range ref {
			ts += a * ref[i] * a * ref[i]
			ns += (est[i] - a*ref[i]) * (est[i] - a*ref[i])
		}
		want = -10 * math.Log10(ts/ns)
	}
	g := NewGraph(Train, 1)
	p := NewParam("est", len(est))
	for i, v := range est {
		p.Data[i] = float32(v)
	}
	r := make([]float32, len(ref))
	for i, v := range ref {
		r[i] = float32(v)
	}
	x := g.Param(p)
	loss, err := SISDRLoss(x, G.NewVector(g.ExprGraph, tensor.Float32, G.WithShape(len(r)), G.WithValue(tensor.New(tensor.WithShape(len(r)), tensor.WithBacking(r)))))
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMachine(g, loss)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Run(); err != nil {
		t.Fatal(err)
	}
	got, _ := Scalar(loss)
	if math.Abs(float64(got)-want) > 1e-4 {
		t.Fatalf("SISDRLoss %.5f, want %.5f", got, want)
	}
	// gradient of one element by central differences in float64
	f := func(e []float64) float64 {
		var d, rr, ee float64
		for i := range ref {
			d += e[i] * ref[i]
			rr += ref[i] * ref[i]
			ee += e[i] * e[i]
		}
		return 10 * math.Log10((ee*rr-d*d)/(d*d))
	}
	for _, j := range []int{0, 7} {
		hi, lo := append([]float64(nil), est...), append([]float64(nil), est...)
		hi[j] += 1e-6
		lo[j] -= 1e-6
		fd := (f(hi) - f(lo)) / 2e-6
		if math.Abs(float64(p.Grad[j])-fd) > 1e-3*math.Abs(fd)+1e-3 {
			t.Fatalf("gradient %d: %v, finite differences %v", j, p.Grad[j], fd)
		}
	}
	if _, err := SISDRLoss(x, G.NewVector(g.ExprGraph, tensor.Float32, G.WithShape(3))); err == nil {
		t.Fatal("mismatched shapes accepted")
	}
}
