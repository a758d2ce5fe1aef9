package avio

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

func benchImage(w, h int) *image.NRGBA {
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(r.IntN(256)), 255})
		}
	}
	return img
}

// BenchmarkImageTensor converts a 640×480 frame to a 3×224×224 tensor.
func BenchmarkImageTensor(b *testing.B) {
	img := benchImage(640, 480)
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	ycc, _ := jpeg.Decode(&buf)
	o := FrameOptions{Width: 224, Height: 224, Mean: ImageNetMean, Std: ImageNetStd}
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"NRGBA", img}, {"YCbCr", ycc}} {
		b.Run(c.name+"/resize", func(b *testing.B) {
			for b.Loop() {
				if _, err := ImageTensor(c.img, o); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/native", func(b *testing.B) {
			for b.Loop() {
				if _, err := ImageTensor(c.img, FrameOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeWAV decodes 10 s of 16 kHz 16-bit stereo.
func BenchmarkDecodeWAV(b *testing.B) {
	a := &Audio{SampleRate: 16000, Channels: [][]float64{make([]float64, 160000), make([]float64, 160000)}}
	for i := range a.Channels[0] {
		a.Channels[0][i] = float64(i%200)/200 - 0.5
		a.Channels[1][i] = -a.Channels[0][i]
	}
	var buf bytes.Buffer
	if err := EncodeWAV(&buf, a, PCM16); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := DecodeWAV(bytes.NewReader(data), "bench.wav", int64(len(data))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadWAV reads a 10 s, 16 kHz, 16-bit stereo file, the input
// testdata/avio/bench_wav.py gives torchaudio.load.
func BenchmarkReadWAV(b *testing.B) {
	x := make([]float64, 160000)
	for i := range x {
		x[i] = float64(i%200)/200 - 0.5
	}
	y := make([]float64, len(x))
	for i := range x {
		y[i] = -x[i]
	}
	path := b.TempDir() + "/bench.wav"
	if err := WriteWAV(path, &Audio{SampleRate: 16000, Channels: [][]float64{x, y}}, PCM16); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := ReadWAV(path); err != nil {
			b.Fatal(err)
		}
	}
}
