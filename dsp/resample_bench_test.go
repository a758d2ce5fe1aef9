//go:build unix

package dsp

import (
	"math"
	"testing"
)

// resampleBenchSignal is one minute at 44.1 kHz of three tones; the peer
// script testdata/dsp/bench_resample.py builds the same signal.
func resampleBenchSignal() []float64 {
	const sr, n = 44100, 60 * 44100
	x := make([]float64, n)
	for i := range x {
		t := float64(i) / sr
		x[i] = 0.3*math.Sin(2*math.Pi*440*t) + 0.2*math.Sin(2*math.Pi*3000*t) + 0.1*math.Sin(2*math.Pi*9000*t)
	}
	return x
}

// BenchmarkResample60s times one minute of audio from 44.1 kHz to 16 kHz
// with the torchaudio-compatible and the default (high-quality) filters, on
// one goroutine. Peer: testdata/dsp/bench_resample.py.
func BenchmarkResample60s(b *testing.B) {
	x := resampleBenchSignal()
	for _, c := range []struct {
		name string
		o    ResampleOptions
	}{{"torchaudio", TorchaudioResampleOptions()}, {"default", HighQualityResampleOptions()}} {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ { // b.N, not b.Loop: see benchPowerSpectrogram10min
				if _, err := ResampleWith(x, 44100, 16000, c.o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(60/(b.Elapsed().Seconds()/float64(b.N)), "x_realtime")
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu_s/op")
		})
	}
}
