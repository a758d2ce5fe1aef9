package img2speech_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/avlearn/avlearn/img2speech"
	"github.com/avlearn/avlearn/synth"
)

// Say what a picture shows with the shipped model, and hear it back with
// the shipped recogniser. The shipped model is weak (it says about two
// thirds of the content words of new pictures); this one it says right.
func ExampleModel_SpeakImage() {
	r := rand.New(rand.NewPCG(1, 2))
	items := []synth.CaptionItem{{Colour: "red", Shape: "circle", Position: "left"}}
	picture, err := synth.RenderCaption(r, items, 64)
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := img2speech.Pretrained()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	speech, units, err := m.SpeakImage(picture) // 16 kHz mono, collapsed units
	if err != nil {
		fmt.Println(err)
		return
	}
	judge, err := img2speech.PretrainedRecogniser()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer judge.Close()
	words, err := judge.Words(speech)
	if err != nil {
		fmt.Println(err)
		return
	}
	// the shipped captioner gets colours, positions and counts mostly
	// right and fewer than half of the shapes (pretrained/README.md)
	fmt.Printf("%s: %d units, %.1f s, heard %q\n", synth.CaptionText(items), len(units), float64(len(speech))/16000, strings.Join(words, " "))
	// Output:
	// red circle left: 38 units, 2.1 s, heard "red circle left"
}
