package spectrogram

import "testing"

// benchSignal is speech.wav repeated to 30 s (480000 samples at 16 kHz), the
// input testdata/spectrogram/bench_torchaudio.py times torchaudio on.
func benchSignal(b *testing.B) []float64 {
	one := goldenInputB(b)
	x := make([]float64, 0, 480000)
	for len(x) < 480000 {
		x = append(x, one[:min(len(one), 480000-len(x))]...)
	}
	return x
}

func benchCompute(b *testing.B, edit func(*Config)) {
	x := benchSignal(b)
	c := DefaultConfig(16000)
	edit(&c)
	b.SetBytes(int64(8 * len(x)))
	b.ResetTimer()
	for range b.N {
		if _, err := Compute(x, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComputeLinear: 257 × 3001 power spectrogram of 30 s.
func BenchmarkComputeLinear(b *testing.B) { benchCompute(b, func(*Config) {}) }

// BenchmarkComputeMelDB: 80-channel log-mel (top_db 80) of 30 s.
func BenchmarkComputeMelDB(b *testing.B) {
	benchCompute(b, func(c *Config) { c.NMels, c.DB, c.TopDB = 80, true, 80 })
}

// BenchmarkComputeMFCC: 13 MFCC of 40 mels of 30 s.
func BenchmarkComputeMFCC(b *testing.B) {
	benchCompute(b, func(c *Config) { c.NMels, c.NMFCC, c.TopDB = 40, 13, 80 })
}

// BenchmarkStreamMelDB streams the same 30 s in 4096-sample chunks
// (TopDB 0, which streaming requires).
func BenchmarkStreamMelDB(b *testing.B) {
	x := benchSignal(b)
	c := DefaultConfig(16000)
	c.NMels, c.DB = 80, true
	b.SetBytes(int64(8 * len(x)))
	b.ResetTimer()
	for range b.N {
		st, err := NewStream(c, func([]float32) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < len(x); i += 4096 {
			if err := st.Write(x[i:min(i+4096, len(x))]); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderPNG renders the 80-mel image of 30 s with axes.
func BenchmarkRenderPNG(b *testing.B) {
	c := DefaultConfig(16000)
	c.NMels = 80
	s, err := Compute(benchSignal(b), c)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := s.Image(RenderOptions{Axes: true}); err != nil {
			b.Fatal(err)
		}
	}
}
