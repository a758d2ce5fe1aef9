package nets

import (
	"math/rand"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BenchmarkLSTMTrainStep times one forward+backward pass of a two-layer
// bidirectional LSTM (N=8, T=50, input 40, hidden 64, batch-first), the
// size of a speech-unit encoder; testdata/nets/bench_lstm.py times PyTorch
// on the same shapes.
func BenchmarkLSTMTrainStep(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	l, err := NewLSTM("", LSTMConfig{Input: 40, Hidden: 64, Layers: 2, Bidirectional: true, BatchFirst: true}, rng)
	if err != nil {
		b.Fatal(err)
	}
	g := NewGraph(Train, 1)
	data := make([]float32, 8*50*40)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	x := G.NewTensor(g.ExprGraph, tensor.Float32, 3, G.WithShape(8, 50, 40), G.WithName("x"),
		G.WithValue(tensor.New(tensor.WithShape(8, 50, 40), tensor.WithBacking(data))))
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
