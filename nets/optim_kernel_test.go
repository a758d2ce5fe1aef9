package nets

import (
	"math"
	"math/rand"
	"testing"
	"unsafe"
)

// The AVX Adam kernel gives adamUpdateGo's bits in every weight-decay mode,
// on every length (the tail runs in Go), and reads adamScalars at the
// offsets it assumes.
func TestAdamKernelMatchesGo(t *testing.T) {
	var k adamScalars
	if unsafe.Offsetof(k.b1) != 16 || unsafe.Offsetof(k.bc2sqrt) != 40 || unsafe.Offsetof(k.mode) != 44 {
		t.Fatal("adamScalars layout changed: update optim_amd64.s")
	}
	r := rand.New(rand.NewSource(3))
	for _, mode := range []int32{adamPlain, adamDecoupled, adamL2} {
		k := adamScalars{a1: float64(float32(0.1)), wd: float64(float32(0.01)), b1: 0.9, b2: 0.999, a2: float32(1 - 0.999),
			eps: 1e-8, decay: float32(1 - 1e-3*0.01), negStep: -float32(1e-3 / (1 - math.Pow(0.9, 3))),
			bc2sqrt: float32(math.Sqrt(1 - math.Pow(0.999, 3))), mode: mode}
		for n := 0; n <= 45; n++ {
			w, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range w {
				w[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*math.Pow(10, float64(r.Intn(9)-6)))
				m[i], v[i] = float32(r.NormFloat64()*0.1), float32(math.Abs(r.NormFloat64())*1e-4)
				if i%5 == 0 {
					g[i], m[i], v[i] = 0, 0, 0
				}
			}
			w2, m2, v2 := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
			adamUpdate(w, g, m, v, &k)
			adamUpdateGo(w2, g, m2, v2, &k)
			for i := range w {
				if math.Float32bits(w[i]) != math.Float32bits(w2[i]) || math.Float32bits(m[i]) != math.Float32bits(m2[i]) || math.Float32bits(v[i]) != math.Float32bits(v2[i]) {
					t.Fatalf("mode %d n %d element %d: w %v m %v v %v, Go gives %v %v %v", mode, n, i, w[i], m[i], v[i], w2[i], m2[i], v2[i])
				}
			}
		}
	}
	t.Logf("AVX kernel: %v", adamAVX)
}
