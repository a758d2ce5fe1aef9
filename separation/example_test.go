package separation_test

import (
	"fmt"
	"image"
	"math"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/separation"
)

// The audio front end: the compressed STFT the model masks, and its exact
// inverse.
func ExampleConfig_Analyse() {
	c := separation.DefaultConfig()
	x := make([]float64, 3*c.Rate) // 3 s
	for i := range x {
		x[i] = 0.1 * math.Sin(2*math.Pi*220*float64(i)/float64(c.Rate))
	}
	X, _ := c.Analyse(x) // |STFT|^0.3 · e^{iφ}
	y, _ := c.Synthesise(X, len(x))
	snr, _ := dsp.SNR(x, y)
	fmt.Printf("%d frames × %d bins, round trip SNR > 200 dB: %v\n", X.Frames, X.Bins, snr > 200)
	// Output: 301 frames × 257 bins, round trip SNR > 200 dB: true
}

// Separate takes the mixture and one face video per speaker and returns
// one waveform per face, as long as the mixture. (An untrained model is
// used here; see examples/separation for training.)
func ExampleModel_Separate() {
	m, _ := separation.New(separation.DefaultConfig())
	defer m.Close()
	mix := make([]float64, 16000) // 1 s at 16 kHz
	for i := range mix {
		mix[i] = 0.1*math.Sin(float64(i)*0.05) + 0.1*math.Sin(float64(i)*0.13)
	}
	face := separation.FaceTrack{FPS: 25}
	for i := 0; i < 25; i++ {
		face.Frames = append(face.Frames, image.NewGray(image.Rect(0, 0, 64, 64)))
	}
	voices, err := m.Separate(mix, []separation.FaceTrack{face, face})
	fmt.Println(len(voices), len(voices[0]), err)
	_, err = m.Separate(mix, []separation.FaceTrack{face})
	fmt.Println(err)
	// Output:
	// 2 16000 <nil>
	// separation: the model separates 2 speaker(s) and needs one face track each, got 1
}
