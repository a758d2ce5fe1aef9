package soundnet_test

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/soundnet"
)

// How long SoundNet-8's layers are for a 20 s input, and the shortest
// input that gives one conv8 step.
func ExampleLengths() {
	l := soundnet.Lengths(20 * soundnet.Rate)
	fmt.Println("pool5 steps:", l["pool5"], "conv8 steps:", l["conv8"])
	fmt.Printf("one conv8 step needs %d samples (%.2f s); steps are %.2f s apart\n",
		soundnet.MinSamples(), float64(soundnet.MinSamples())/soundnet.Rate, float64(soundnet.StepStride)/soundnet.Rate)
	fmt.Printf("step 0 is taught by the frame at %.2f s\n", soundnet.StepTime(0))
	// Output:
	// pool5 steps: 54 conv8 steps: 4
	// one conv8 step needs 209374 samples (9.50 s); steps are 2.97 s apart
	// step 0 is taught by the frame at 4.75 s
}

// Pool5 features of a tone with a small, untrained SoundNet-8.
func ExampleModel_Features() {
	cfg := soundnet.Config{Width: 0.125, Objects: 3, Scenes: 2, Window: 10, Seed: 1}
	m, err := soundnet.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	wave := make([]float64, 10*soundnet.Rate)
	for i := range wave {
		wave[i] = 0.5 * math.Sin(2*math.Pi*440*float64(i)/soundnet.Rate)
	}
	f, err := m.Features(wave, "pool5")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d channels × %d steps\n", f.Layer, f.Channels, f.Steps)
	// Output:
	// pool5: 32 channels × 27 steps
}

// Pool5 features of a long signal given a second at a time, as a file or
// a microphone delivers it: only one 60 s window is held at once.
func ExampleFeatureStream() {
	cfg := soundnet.Config{Width: 0.125, Objects: 3, Scenes: 2, Window: 10, Seed: 1}
	m, err := soundnet.New(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	s, err := m.NewFeatureStream("pool5")
	if err != nil {
		fmt.Println(err)
		return
	}
	second := make([]float64, soundnet.Rate)
	for t := 0; t < 75; t++ { // 75 s: a full window and a 15 s one
		for i := range second {
			second[i] = 0.5 * math.Sin(2*math.Pi*440*float64(t*soundnet.Rate+i)/soundnet.Rate)
		}
		if err := s.Write(second); err != nil {
			fmt.Println(err)
			return
		}
	}
	f, err := s.Close()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d channels × %d steps from %d windows\n", f.Layer, f.Channels, f.Steps, f.Windows)
	// Output:
	// pool5: 32 channels × 201 steps from 2 windows
}
