package synth

import (
	"math"
	"testing"

	"github.com/avlearn/avlearn/dsp"
)

// TestExternalSpeakers wraps speech at another sample rate into a corpus
// and checks it the way the Speakers corpus is checked: the files read
// back, a speaker keeps one face, and the mouth opens with the sound.
func TestExternalSpeakers(t *testing.T) {
	sps, _ := SpeakerSet(4, 2, 0, 0)
	var clips []ExternalClip
	for i := 0; i < 4; i++ {
		sp := sps[i%2]
		r := rngFor(4, "ext", i)
		u, err := Speak(sp.Voice, RandomSyllables(r, sp.Voice, 1.6), r)
		if err != nil {
			t.Fatal(err)
		}
		a, err := dsp.Resample(u.Audio, SpeechRate, 22050)
		if err != nil {
			t.Fatal(err)
		}
		clips = append(clips, ExternalClip{Audio: a, Rate: 22050, Speaker: sp.ID, Labels: map[string]string{"voice": "synth"}})
	}
	dir := t.TempDir()
	if err := ExternalSpeakers(dir, clips, ExternalOptions{Seed: 1, Size: 48}); err != nil {
		t.Fatal(err)
	}
	got := readCorpus(t, dir)
	if len(got) != 4 {
		t.Fatalf("%d clips", len(got))
	}
	var area, en []float64
	for i, c := range got {
		if c.meta.Split != "test" || c.meta.Labels["speaker"] != sps[i%2].ID || c.meta.Labels["voice"] != "synth" || c.rate != SpeechRate {
			t.Errorf("%s: split %q labels %v rate %d", c.dir, c.meta.Split, c.meta.Labels, c.rate)
		}
		if d := float64(len(c.audio))/SpeechRate - float64(len(c.frames))/c.meta.FPS; math.Abs(d) > 1/c.meta.FPS {
			t.Errorf("%s: audio and frames differ by %.3f s", c.dir, d)
		}
		for k, fr := range c.frames {
			s0 := int(float64(k) / c.meta.FPS * SpeechRate)
			s1 := min(len(c.audio), int(float64(k+1)/c.meta.FPS*SpeechRate))
			area = append(area, mouthArea(fr))
			en = append(en, rms(c.audio[s0:s1]))
		}
	}
	if r := pearson(area, en); r < 0.5 {
		t.Errorf("corr(mouth area, frame RMS) = %.3f, want > 0.5", r)
	} else {
		t.Logf("corr(mouth area, frame RMS) = %.3f", r)
	}
	if err := ExternalSpeakers(t.TempDir(), []ExternalClip{{Audio: clips[0].Audio, Rate: 22050}}, ExternalOptions{}); err == nil {
		t.Error("a clip without a speaker was accepted")
	}
}

// TestOtherSpeechCorpus reads the committed espeak-ng corpus
// (testdata/otherspeech/make.sh): a valid talking-face corpus of four
// voices, all test, whose measured pitch follows the voices' sex.
func TestOtherSpeechCorpus(t *testing.T) {
	clips := readCorpus(t, "../testdata/otherspeech/small")
	if len(clips) != 4 {
		t.Fatalf("%d clips, want 4", len(clips))
	}
	speakers := map[string]bool{}
	for _, c := range clips {
		speakers[c.meta.Labels["speaker"]] = true
		if c.meta.Split != "test" || c.rate != SpeechRate || len(c.frames) != 25 {
			t.Errorf("%s: split %q, %d Hz, %d frames", c.dir, c.meta.Split, c.rate, len(c.frames))
		}
		f0 := pitch(c.audio, c.rate)
		female := c.meta.Labels["sex"] == "f"
		if (female && f0 < 165) || (!female && (f0 < 70 || f0 > 140)) {
			t.Errorf("%s (%s): F0 %.0f Hz", c.dir, c.meta.Labels["voice"], f0)
		}
	}
	if len(speakers) != 4 {
		t.Errorf("%d speakers, want 4", len(speakers))
	}
}
