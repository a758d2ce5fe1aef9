package soundnet

import (
	"math/rand"
	"testing"
)

// BenchmarkFeatures times pool5 features of a 10 s clip (eval mode, graph
// already compiled) at width 1/4 and at the paper's width 1.
//
//	go test ./soundnet -run XXX -bench Features -benchtime 5x
func BenchmarkFeatures(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	wave := make([]float64, 10*Rate)
	for i := range wave {
		wave[i] = 0.1 * rng.NormFloat64()
	}
	for _, w := range []struct {
		name  string
		width float64
	}{{"width0.25", 0.25}, {"width1", 1}} {
		b.Run(w.name, func(b *testing.B) {
			m, err := New(Config{Width: w.width, Objects: 1000, Scenes: 401, Window: 10, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			if _, err := m.Features(wave, "pool5"); err != nil { // compiles the graph
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Features(wave, "pool5"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
