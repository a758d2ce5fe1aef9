package avio_test

import (
	"fmt"
	"log"

	"github.com/avlearn/avlearn/avio"
)

func ExampleReadWAV() {
	a, info, err := avio.ReadWAV("../testdata/avio/wav/pcm24_stereo.wav")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s %d-bit, %d Hz, %d channels, %d frames (%.4f s)\n",
		info.Codec, info.BitsPerSample, info.SampleRate, info.Channels, info.Frames, a.Duration())
	mono := a.Mono()
	fmt.Printf("first samples: left %.6f right %.6f mono %.6f\n", a.Channels[0][0], a.Channels[1][0], mono[0])
	// Output:
	// PCM 24-bit, 22050 Hz, 2 channels, 200 frames (0.0091 s)
	// first samples: left -1.000000 right -0.647470 mono -0.823735
}

func ExampleOpen() {
	d, err := avio.Open("../testdata/avio/clips")
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range d.Clips {
		fmt.Printf("%s: split %s, speaker %s, %d frames at %g fps\n",
			c.Name, c.Meta.Split, c.Meta.Labels["speaker"], c.NumFrames, c.Meta.FPS)
	}
	c := d.Split("train")[0]
	// The frame on screen at 0.1 s and the 40 ms of 16 kHz sound that start there.
	i := c.FrameAt(0.1)
	x, err := c.AudioWindow(0.1, 0.04, 16000)
	if err != nil {
		log.Fatal(err)
	}
	t, err := c.FrameTensor(i, avio.FrameOptions{Width: 8, Height: 8})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("frame %d (t = %g s), %d samples, tensor of %d values (3×8×8)\n", i, c.FrameTime(i), len(x), len(t))
	// Output:
	// c01: split train, speaker s01, 5 frames at 25 fps
	// c02: split test, speaker s02, 5 frames at 25 fps
	// frame 2 (t = 0.08 s), 640 samples, tensor of 192 values (3×8×8)
}
