package separation

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkTrainStep times one Adam step on 8 fresh one-second two-speaker
// mixtures (16 kHz synthetic speakers, real masks) for each audio stream
// and width: time-frequency with 16 and 8 channels, frame-wise with 64,
// and frame-wise with 240 harmonic combs.
func BenchmarkTrainStep(b *testing.B) {
	ds := tinyCorpus(b)
	for _, v := range []struct {
		stream          string
		channels, combs int
	}{{StreamTF, 16, 0}, {StreamTF, 8, 0}, {StreamFrames, 64, 0}, {StreamFrames, 64, 240}} {
		b.Run(fmt.Sprintf("%s-%d-combs%d", v.stream, v.channels, v.combs), func(b *testing.B) {
			c := DefaultConfig()
			c.AudioStream, c.Mask, c.Combs = v.stream, MaskReal, v.combs
			c.TFChannels, c.AudioChannels = v.channels, v.channels
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
