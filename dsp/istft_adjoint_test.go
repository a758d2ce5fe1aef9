package dsp

import (
	"math"
	"math/rand"
	"testing"
)

// ⟨ISTFT(Y), g⟩ = ⟨Y, ISTFTAdjoint(g)⟩ for random Y and g, centred or not,
// even and odd NFFT, outputs at their natural length and trimmed.
func TestISTFTAdjointIdentity(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for _, v := range []struct {
		nfft, win, hop, frames, length int
		center                         bool
	}{
		{64, 50, 20, 12, 0, true}, {64, 50, 20, 12, 200, true}, {64, 64, 16, 9, 0, false},
		{63, 63, 21, 10, 0, true},
	} {
		c := STFTConfig{NFFT: v.nfft, Hop: v.hop, WinLength: v.win, Window: Hamming(v.win, true), Center: v.center, Pad: PadConstant}
		Y := &ComplexSpectrogram{Bins: c.Bins(), Frames: v.frames, Data: make([]complex128, c.Bins()*v.frames)}
		for i := range Y.Data {
			Y.Data[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		y, err := ISTFT(Y, c, v.length)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float64, len(y))
		var a float64
		for i := range g {
			g[i] = r.NormFloat64()
			a += y[i] * g[i]
		}
		G, err := ISTFTAdjoint(g, c, v.frames)
		if err != nil {
			t.Fatal(err)
		}
		var b float64
		for i, x := range Y.Data {
			b += real(x)*real(G.Data[i]) + imag(x)*imag(G.Data[i])
		}
		if math.Abs(a-b) > 1e-9*math.Abs(a)+1e-12 {
			t.Errorf("%+v: ⟨ISTFT(Y), g⟩ = %.12g, ⟨Y, adjoint(g)⟩ = %.12g", v, a, b)
		}
	}
	if _, err := ISTFTAdjoint(nil, STFTConfig{NFFT: 8, Hop: 2}, 3); err == nil {
		t.Error("empty gradient accepted")
	}
}
