package main

import (
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// The command benchmarks run avl sub-commands in-process on 10 minutes of
// audio written as 16-bit WAV: read the file, compute, write the output,
// as the whole process does (minus process start-up). Run them with
// -cpu 1; the whole-process figures against PyTorch come from
// testdata/cmd/bench_whole.py, which builds the same inputs.

// benchWAV writes 10 minutes at rate Hz of sig(i, rate) as 16-bit PCM.
func benchWAV(b *testing.B, rate int, sig func(i, rate int) float64) string {
	b.Helper()
	x := make([]float64, 600*rate)
	for i := range x {
		x[i] = sig(i, rate)
	}
	path := filepath.Join(b.TempDir(), "in.wav")
	if err := avio.WriteMonoWAV(path, x, rate, avio.PCM16); err != nil {
		b.Fatal(err)
	}
	return path
}

// noiseTones is dsp's benchSignal: two tones and splitmix64-hash noise.
func noiseTones(i, rate int) float64 {
	z := uint64(i)*0x9E3779B97F4A7C15 + 12345
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	noise := float64(z>>11)*0x1p-53 - 0.5
	t := float64(i) / float64(rate)
	return 0.3*math.Sin(2*math.Pi*440*t) + 0.2*math.Sin(2*math.Pi*3000*t) + 0.1*noise
}

// threeTones is dsp's resampleBenchSignal.
func threeTones(i, rate int) float64 {
	t := float64(i) / float64(rate)
	return 0.3*math.Sin(2*math.Pi*440*t) + 0.2*math.Sin(2*math.Pi*3000*t) + 0.1*math.Sin(2*math.Pi*9000*t)
}

func benchCommand(b *testing.B, args ...string) {
	b.Helper()
	for i := 0; i < b.N; i++ { // b.N, not b.Loop: see dsp's benchmarks on -cpu
		if code := run(args, io.Discard, io.Discard); code != 0 {
			b.Fatalf("avl %v: exit %d", args, code)
		}
	}
	b.ReportMetric(600*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
}

// BenchmarkSpectrogramCommand10min: avl spectrogram of 10 minutes of
// 16 kHz audio to .npy (n_fft 512, Hamming 400, hop 160): power, 80 Slaney
// mels in dB, and 40 MFCCs of 80 HTK mels (top-db 80). Peers: bench_whole.py
// stft, mel, mfcc.
func BenchmarkSpectrogramCommand10min(b *testing.B) {
	in := benchWAV(b, 16000, noiseTones)
	out := filepath.Join(b.TempDir(), "out.npy")
	base := []string{"spectrogram", in, "-o", out, "-q", "--meta=false"}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"power", nil},
		{"mel80db", []string{"--mel", "80", "--mel-scale", "slaney", "--mel-norm", "slaney", "--db"}},
		{"mfcc40", []string{"--mel", "80", "--mfcc", "40"}},
	} {
		b.Run(c.name, func(b *testing.B) { benchCommand(b, append(base, c.args...)...) })
	}
}

// BenchmarkResampleCommand10min: avl resample of 10 minutes of 44.1 kHz
// audio to 16 kHz, 16-bit WAV out, with each filter. Peers: bench_whole.py
// resample and resample-ta.
func BenchmarkResampleCommand10min(b *testing.B) {
	in := benchWAV(b, 44100, threeTones)
	out := filepath.Join(b.TempDir(), "out.wav")
	for _, filter := range []string{"hq", "torchaudio"} {
		b.Run(filter, func(b *testing.B) { benchCommand(b, "resample", in, "-o", out, "--rate", "16000", "--filter", filter) })
	}
}
