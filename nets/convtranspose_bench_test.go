package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkConvTranspose2dTrainStep times forward+backward of a decoder
// upsampling block: 64→32 channels, kernel 4, stride 2, padding 1, on
// [8, 64, 16, 16] → [8, 32, 32, 32]. testdata/nets/bench_convtranspose.py
// times PyTorch on the same shapes.
func BenchmarkConvTranspose2dTrainStep(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	l, err := NewConvTranspose2d("", ConvTranspose2dConfig{In: 64, Out: 32, Kernel: 4, Stride: 2, Padding: 1, Bias: true}, rng)
	if err != nil {
		b.Fatal(err)
	}
	g := NewGraph(Train, 1)
	data := make([]float32, 8*64*16*16)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 4, G.WithShape(8, 64, 16, 16), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(8, 64, 16, 16), tensor.WithBacking(data))))
	out, err := l.Forward(g, x)
	if err != nil {
		b.Fatal(err)
	}
	m, err := NewMachine(g, G.Must(G.Mean(out)))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
