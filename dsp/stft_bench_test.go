//go:build unix

package dsp

import (
	"math"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the process's user+system CPU time, so benchmarks can
// report a figure that is less disturbed by other load on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSignal is 0.3·sin(2π·440t) + 0.2·sin(2π·3000t) + 0.1·noise at 16 kHz,
// the noise a splitmix64 hash of the sample index, so that
// testdata/dsp/bench_torch_stft.py builds the same signal.
func benchSignal(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		z := uint64(i)*0x9E3779B97F4A7C15 + 12345
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		noise := float64(z>>11)*0x1p-53 - 0.5
		t := float64(i) / 16000
		x[i] = 0.3*math.Sin(2*math.Pi*440*t) + 0.2*math.Sin(2*math.Pi*3000*t) + 0.1*noise
	}
	return x
}

// BenchmarkPowerSpectrogram10min: power spectrogram of 10 minutes of 16 kHz
// audio, NFFT 512, window 400 (periodic Hamming), hop 160, center reflect —
// the config of testdata/dsp/bench_torch_stft.py. Run with -cpu 1,2.
func BenchmarkPowerSpectrogram10min(b *testing.B) { benchPowerSpectrogram10min(b, 512) }

// BenchmarkPowerSpectrogram10minNFFT400 is the same with NFFT 400
// (torchaudio's default size; mixed-radix FFT). Peer:
// bench_torch_stft.py 5 400.
func BenchmarkPowerSpectrogram10minNFFT400(b *testing.B) { benchPowerSpectrogram10min(b, 400) }

func benchPowerSpectrogram10min(b *testing.B, nfft int) {
	const sr, seconds = 16000, 600
	x := benchSignal(sr * seconds)
	c := STFTConfig{NFFT: nfft, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true, Pad: PadReflect}
	dst, _, err := PowerSpectrogram(x, c, 2, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	// A b.N loop, not b.Loop: with Go 1.26, -cpu 1 does not limit
	// GOMAXPROCS inside a b.Loop benchmark run with -benchtime Nx, so the
	// one-core figure would silently use both cores.
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if dst, _, err = PowerSpectrogram(x, c, 2, dst); err != nil {
			b.Fatal(err)
		}
	}
	cpu := (cpuTime() - cpu0).Seconds() / float64(b.N)
	b.ReportMetric(seconds*float64(b.N)/b.Elapsed().Seconds(), "x_realtime")
	// CPU seconds per run summed over threads: with -cpu 2 this is about
	// twice the wall time when both cores are busy.
	b.ReportMetric(cpu, "cpu_s/op")
}

// BenchmarkFFT512 times one real forward transform of 512 points.
func BenchmarkFFT512(b *testing.B) {
	f := NewFFT(512)
	x := benchSignal(512)
	dst := make([]complex128, 257)
	for i := 0; i < b.N; i++ {
		f.Forward(dst, x)
	}
}

// BenchmarkFFT400 times one real forward transform of 400 points (Bluestein).
func BenchmarkFFT400(b *testing.B) {
	f := NewFFT(400)
	x := benchSignal(400)
	dst := make([]complex128, 201)
	for i := 0; i < b.N; i++ {
		f.Forward(dst, x)
	}
}

// BenchmarkSTFTISTFT10s: complex STFT and its inverse of 10 s at 16 kHz
// (NFFT 512, window 400, hop 160), the inner step of Griffin-Lim.
func BenchmarkSTFTISTFT10s(b *testing.B) {
	x := benchSignal(160000)
	c := STFTConfig{NFFT: 512, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true}
	b.Run("STFT", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := STFT(x, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	s, err := STFT(x, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ISTFT", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := ISTFT(s, c, len(x)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
