package spectrogram_test

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/spectrogram"
)

func ExampleCompute() {
	// One second of a 440 Hz tone at 16 kHz.
	x := make([]float64, 16000)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 440 * float64(i) / 16000)
	}
	cfg := spectrogram.DefaultConfig(16000) // Hamming 400/512, hop 160
	cfg.NMels, cfg.DB = 40, true
	s, err := spectrogram.Compute(x, cfg)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Kind, s.Scale, "shape", s.Bins, s.Frames)
	// Output: mel db shape 40 101
}

func ExampleDefaultConfig() {
	c := spectrogram.DefaultConfig(16000)
	fmt.Println(c.Window, c.WinLength, c.NFFT, c.Hop, c.Center, c.Pad, c.Power)
	// Output: hamming 400 512 160 true reflect 2
}

func ExampleNewStream() {
	cfg := spectrogram.DefaultConfig(16000)
	cfg.NMels, cfg.NMFCC = 40, 13 // MFCC frame by frame (TopDB must be 0)
	frames := 0
	st, err := spectrogram.NewStream(cfg, func(col []float32) error {
		frames++ // col holds the 13 coefficients of one frame
		return nil
	})
	if err != nil {
		panic(err)
	}
	chunk := make([]float64, 1000) // e.g. read from a file or a microphone
	for i := 0; i < 48; i++ {
		for j := range chunk {
			chunk[j] = math.Sin(float64(i*len(chunk)+j) / 5)
		}
		if err := st.Write(chunk); err != nil {
			panic(err)
		}
	}
	if err := st.Close(); err != nil {
		panic(err)
	}
	fmt.Println(st.Bins(), "coefficients ×", frames, "frames")
	// Output: 13 coefficients × 301 frames
}

func ExampleSpectrogram_BinFrequency() {
	c := spectrogram.DefaultConfig(16000)
	s, err := spectrogram.Compute(make([]float64, 1600), c)
	if err != nil {
		panic(err)
	}
	fmt.Printf("bin 32 is %.0f Hz; frame 10 is centred at %.2f s\n", s.BinFrequency(32), s.FrameTime(10))
	// Output: bin 32 is 1000 Hz; frame 10 is centred at 0.10 s
}

func ExampleSpectrogram_Image() {
	x := make([]float64, 8000) // half a second of a rising tone
	for i := range x {
		f := 200 + 3000*float64(i)/8000
		x[i] = math.Sin(2 * math.Pi * f * float64(i) / 16000)
	}
	cfg := spectrogram.DefaultConfig(16000)
	cfg.NMels = 64
	s, err := spectrogram.Compute(x, cfg)
	if err != nil {
		panic(err)
	}
	// Bare image: 51 frames × 12 px wide, 64 mels × 5 px high.
	img, err := s.Image(spectrogram.RenderOptions{Colormap: spectrogram.Magma})
	if err != nil {
		panic(err)
	}
	fmt.Println(img.Bounds().Size())
	// s.WritePNG("chirp.png", spectrogram.RenderOptions{Axes: true}) adds axes.
	// Output: (612,320)
}
