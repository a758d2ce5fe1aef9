package speech2face_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/avlearn/avlearn/speech2face"
	"github.com/avlearn/avlearn/synth"
)

// Draw the face of a voice the shipped model never heard.
func ExampleModel_FaceFromVoice() {
	m, err := speech2face.Pretrained()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	r := rand.New(rand.NewPCG(5, 6))
	sp := synth.NewSpeaker(r, "new")
	u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, 3), r)
	if err != nil {
		fmt.Println(err)
		return
	}
	face, err := m.FaceFromVoice(u.Audio) // 16 kHz, any length
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("a %d×%d face from %.1f s of speech\n", face.Bounds().Dx(), face.Bounds().Dy(), float64(len(u.Audio))/16000)
	// Output:
	// a 48×48 face from 3.0 s of speech
}
