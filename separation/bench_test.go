package separation

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkTrainStep times one Adam step on 8 fresh one-second two-speaker
// mixtures (16 kHz synthetic speakers, real masks) for each audio stream
// and width: time-frequency with 16 and 8 channels, frame-wise with 64.
func BenchmarkTrainStep(b *testing.B) {
	ds := tinyCorpus(b)
	for _, v := range []struct {
		stream   string
		channels int
	}{{StreamTF, 16}, {StreamTF, 8}, {StreamFrames, 64}} {
		b.Run(fmt.Sprintf("%s-%d", v.stream, v.channels), func(b *testing.B) {
			c := DefaultConfig()
			c.AudioStream, c.Mask = v.stream, MaskReal
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
