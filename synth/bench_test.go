package synth

import "testing"

// The benchmarks write real corpora into a temporary folder with one
// worker, and report clips/s of wall time and CPU seconds per clip (the
// latter is what "on one core" means on a shared machine).

func benchCorpus(b *testing.B, gen func(dir string, n int) error) {
	dir := b.TempDir()
	c0 := cpuTime()
	b.ResetTimer()
	if err := gen(dir, b.N); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "clips/s")
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(c.Seconds()/float64(b.N)*1000, "cpu-ms/clip")
	}
}

// BenchmarkSpeakers: 2 s talking-face clips, 25 fps, 64×64 frames.
func BenchmarkSpeakers(b *testing.B) {
	benchCorpus(b, func(dir string, n int) error {
		return Speakers(dir, SpeakersOptions{N: n, Seed: 1, Duration: 2, Workers: 1})
	})
}

// BenchmarkScenes: 2 s scene clips, 2 fps, 64×64 frames.
func BenchmarkScenes(b *testing.B) {
	benchCorpus(b, func(dir string, n int) error {
		return Scenes(dir, ScenesOptions{N: n, Seed: 1, Duration: 2, Workers: 1})
	})
}

// BenchmarkCaptions: default caption clips (≈ 2–5 s, 2 fps, 64×64).
func BenchmarkCaptions(b *testing.B) {
	benchCorpus(b, func(dir string, n int) error {
		return Captions(dir, CaptionsOptions{N: n, Seed: 1, Workers: 1})
	})
}

// BenchmarkSpeak: the audio of one 2 s utterance alone (RandomSyllables
// and Speak), without frames or files.
func BenchmarkSpeak(b *testing.B) {
	sp := NewSpeaker(rngFor(1, "speaker", 0), "s")
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		r := rngFor(1, "bench-speak", i)
		if _, err := Speak(sp.Voice, RandomSyllables(r, sp.Voice, 2), r); err != nil {
			b.Fatal(err)
		}
	}
	if c := cpuTime() - c0; c > 0 {
		b.ReportMetric(c.Seconds()/float64(b.N)*1000, "cpu-ms/clip")
	}
}
