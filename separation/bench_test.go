package separation

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
)

// BenchmarkTrainStep times one Adam step on 8 fresh one-second two-speaker
// mixtures (16 kHz synthetic speakers, real masks): 64 audio channels,
// then with 240 harmonic combs, and with combs from the pitch pair
// (MultiPitch, TrackPitch, 40 ms salience window), and that last with the
// consistency rescaling, the SI-SDR loss through the inverse STFT and the
// visual auxiliary loss: the recipe of DefaultConfig.
// Reports CPU seconds per step beside the wall time, and the model's
// parameter count (testdata/separation/bench_step_torch.py is the PyTorch
// twin of the last).
func BenchmarkTrainStep(b *testing.B) {
	ds := tinyCorpus(b)
	for _, v := range []struct {
		channels, combs int
		multi, sisdr    bool
	}{{64, 0, false, false}, {64, 240, false, false}, {64, 240, true, false}, {64, 240, true, true}} {
		name := fmt.Sprintf("frames-%d-combs%d", v.channels, v.combs)
		if v.multi {
			name += "-multipitch"
		}
		if v.sisdr {
			name += "-consistent-sisdr"
		}
		b.Run(name, func(b *testing.B) {
			c := PlainConfig()
			c.Mask, c.Combs = MaskReal, v.combs
			if v.multi {
				c.MultiPitch, c.TrackPitch, c.SalienceWindow = true, true, 640
			}
			if v.sisdr {
				c.Consistency, c.Loss, c.VisualAux = true, LossSISDR, DefaultConfig().VisualAux
			}
			c.AudioChannels = v.channels
			m, err := New(c)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu0 := cpuSeconds()
			if _, err := Train(context.Background(), m, Data{Train: ds.Clips}, TrainOptions{Epochs: 1, StepsPerEpoch: b.N, BatchSize: 8}); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			params := 0
			for _, p := range m.Params() {
				params += len(p.Data)
			}
			b.ReportMetric(float64(params), "params")
		})
	}
}

// BenchmarkFeatures times the input features of one second of mixture:
// the compressed STFT alone, with the salience of 240 combs, and with the
// pitch pair on a 40 ms window.
func BenchmarkFeatures(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	ex := &example{mix: make([]float64, 16000)}
	for i := range ex.mix {
		ex.mix[i] = r.NormFloat64()
	}
	for _, v := range []struct {
		name  string
		combs int
		multi bool
	}{{"stft", 0, false}, {"combs240", 240, false}, {"combs240-multipitch", 240, true}} {
		c := PlainConfig()
		c.Combs = v.combs
		if v.multi {
			c.MultiPitch, c.SalienceWindow = true, 640
		}
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.features(ex, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
