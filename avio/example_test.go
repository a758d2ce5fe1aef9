package avio_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

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

func ExampleWriteNPY() {
	dir, err := os.MkdirTemp("", "npy")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// A (bins, frames) = (2, 3) spectrogram, C order: numpy.load reads it as is.
	path := filepath.Join(dir, "spec.npy")
	if err := avio.WriteNPY(path, []float32{1, 2, 3, 4, 5, 6}, 2, 3); err != nil {
		log.Fatal(err)
	}
	a, err := avio.ReadNPY(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.DType, a.Shape, a.Data)
	// Output:
	// <f4 [2 3] [1 2 3 4 5 6]
}

func ExampleCheck() {
	r, err := avio.Check("../testdata/avio/clips", avio.CheckOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(r.Problems), "problems in", r.Clips, "clips; speakers:", len(r.Labels["speaker"]))
	// Output:
	// 0 problems in 2 clips; speakers: 2
}

func ExampleNewLoader() {
	d, err := avio.Open("../testdata/avio/clips")
	if err != nil {
		log.Fatal(err)
	}
	// Each item: the first 0.1 s of sound at 16 kHz and the speaker label.
	type item struct {
		audio   []float64
		speaker string
	}
	load := func(c *avio.Clip) (item, error) {
		x, err := c.AudioWindow(0, 0.1, 16000)
		return item{x, c.Meta.Labels["speaker"]}, err
	}
	l, err := avio.NewLoader(d.Clips, load, avio.LoaderOptions{BatchSize: 2, Shuffle: true, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	for b, err := range l.Batches(context.Background(), 0) {
		if err != nil {
			log.Fatal(err)
		}
		for _, it := range b.Items {
			fmt.Println(it.speaker, len(it.audio))
		}
	}
	// Output:
	// s01 1600
	// s02 1600
}
