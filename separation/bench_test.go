package separation

import (
	"context"
	"testing"
)

// BenchmarkTrainStep times one Adam step on 8 fresh one-second two-speaker
// mixtures with the default configuration and the given audio stream
// (16 kHz synthetic speakers).
func BenchmarkTrainStep(b *testing.B) {
	ds := tinyCorpus(b)
	for _, stream := range []string{StreamTF, StreamFrames} {
		b.Run(stream, func(b *testing.B) {
			c := DefaultConfig()
			c.AudioStream, c.Mask = stream, MaskReal
			m, err := New(c)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if _, err := Train(context.Background(), m, Data{Train: ds.Clips}, TrainOptions{Epochs: 1, StepsPerEpoch: b.N, BatchSize: 8}); err != nil {
				b.Fatal(err)
			}
		})
	}
}
