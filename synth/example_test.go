package synth_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

// Speak a few syllables with a hand-made voice and read the mouth track.
func ExampleSpeak() {
	v := synth.Voice{F0: 120, FormantScale: 1, Breathiness: 0.2, Jitter: 0.01, Shimmer: 0.03, Rate: 4}
	toks := []synth.Token{{Syl: "", Dur: 0.1}, {Syl: "ba", Dur: 0.25}, {Syl: "mi", Dur: 0.25}, {Syl: "", Dur: 0.1}}
	u, err := synth.Speak(v, toks, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q: %d samples at %d Hz\n", u.Text, len(u.Audio), synth.SpeechRate)
	a := u.MouthAt(0.25, 0.3) // the vowel of "ba"
	fmt.Printf("mouth during a: open %.1f\n", a.Open)
	// Output:
	// "ba-mi": 11200 samples at 16000 Hz
	// mouth during a: open 1.0
}

// Record clean speech as if over a telephone in a reverberant room with
// background noise 10 dB below it.
func ExampleAugment() {
	sp := synth.NewSpeaker(rand.New(rand.NewPCG(1, 2)), "s")
	r := rand.New(rand.NewPCG(3, 4))
	u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, 2), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	o := synth.AugmentOptions{Reverb: 1, RT60: [2]float64{0.4, 0.6}, Telephone: 1, Noise: 1, SNR: [2]float64{10, 10}}
	x, err := synth.Augment(u.Audio, synth.SpeechRate, o, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(x) == len(u.Audio))
	// Output:
	// true
}

// Write a small talking-face corpus and open it with avio.
func ExampleSpeakers() {
	dir, _ := os.MkdirTemp("", "speakers")
	defer os.RemoveAll(dir)
	err := synth.Speakers(dir, synth.SpeakersOptions{N: 6, Seed: 1, Speakers: 3, Duration: 1, Size: 32})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := avio.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range d.Clips {
		fmt.Println(c.Name, c.Meta.Split, c.Meta.Labels["speaker"], c.NumFrames, "frames")
	}
	_, err = os.Stat(filepath.Join(dir, "contact.png"))
	fmt.Println("contact sheet:", err == nil)
	// Output:
	// 000000 train s000 25 frames
	// 000001 val s001 25 frames
	// 000002 test s002 25 frames
	// 000003 train s000 25 frames
	// 000004 val s001 25 frames
	// 000005 test s002 25 frames
	// contact sheet: true
}

// The caption vocabulary maps each word to fixed syllables.
func ExampleCaptionText() {
	items := []synth.CaptionItem{{Colour: "red", Shape: "circle", Position: "left"}, {Colour: "blue", Shape: "square", Position: "right"}}
	text := synth.CaptionText(items)
	fmt.Println(text)
	fmt.Println(synth.Words["circle"])
	// Output:
	// red circle left and blue square right
	// [si ku lo]
}

// Write a small scene corpus; each clip names its scene and object.
func ExampleScenes() {
	dir, _ := os.MkdirTemp("", "scenes")
	defer os.RemoveAll(dir)
	err := synth.Scenes(dir, synth.ScenesOptions{N: 3, Seed: 1, Duration: 2, Size: 32})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := avio.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range d.Clips {
		fmt.Println(c.Name, c.Meta.Labels["caption"], c.NumFrames, "frames")
	}
	// Output:
	// 000000 a dog in the kitchen 4 frames
	// 000001 a car at the beach 4 frames
	// 000002 a car at the beach 4 frames
}
