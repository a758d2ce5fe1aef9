package synth

import (
	"testing"
)

// BenchmarkSpeakers measures talking-face corpus generation: 2 s clips,
// 25 fps, 64×64 frames, one worker (one core).
func BenchmarkSpeakers(b *testing.B) {
	dir := b.TempDir()
	b.ResetTimer()
	if err := Speakers(dir, SpeakersOptions{N: b.N, Seed: 1, Duration: 2, Workers: 1}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "clips/s")
}
