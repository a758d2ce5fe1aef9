package lipsync_test

import (
	"fmt"
	"image"
	"math/rand/v2"

	"github.com/avlearn/avlearn/lipsync"
	"github.com/avlearn/avlearn/synth"
)

// Make a still photo say a sentence with the shipped model: one frame
// per 1/25 s of speech.
func ExampleModel_LipFrames() {
	sps, _ := synth.SpeakerSet(11, 1, 0, 0)
	sp := sps[0]
	photo := sp.Face.Render(64, synth.Neutral())
	r := rand.New(rand.NewPCG(1, 2))
	u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, 1.2), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := lipsync.Pretrained()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	frames, err := m.LipFrames([]image.Image{photo}, u.Audio, synth.SpeechRate)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.2f s of speech → %d frames of %v\n", float64(len(u.Audio))/synth.SpeechRate, len(frames), frames[0].Bounds().Size())
	// Output:
	// 1.20 s of speech → 30 frames of (64,64)
}
