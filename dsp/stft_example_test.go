package dsp_test

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
)

func ExampleHamming() {
	// Periodic windows are what an STFT uses (torch's default).
	fmt.Printf("%.2f\n", dsp.Hamming(4, true))
	// Symmetric windows are for filter design.
	fmt.Printf("%.2f\n", dsp.Hamming(5, false))
	// Output:
	// [0.08 0.54 1.00 0.54]
	// [0.08 0.54 1.00 0.54 0.08]
}

func ExampleSTFT() {
	// One second of a 1 kHz tone at 16 kHz, torchaudio-style framing.
	const sr = 16000
	x := make([]float64, sr)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 1000 * float64(i) / sr)
	}
	c := dsp.STFTConfig{
		NFFT: 512, Hop: 160, WinLength: 400,
		Window: dsp.Hamming(400, true),
		Center: true, Pad: dsp.PadReflect, // torch.stft(center=True)
	}
	s, err := dsp.STFT(x, c)
	if err != nil {
		panic(err)
	}
	p := s.Power(2)
	// The loudest bin of the middle frame: 1000 Hz / (16000/512 Hz per bin) = 32.
	t := s.Frames / 2
	best := 0
	for k := 0; k < s.Bins; k++ {
		if p[t*s.Bins+k] > p[t*s.Bins+best] {
			best = k
		}
	}
	fmt.Println(s.Bins, "bins,", s.Frames, "frames; peak at bin", best)
	y, err := dsp.ISTFT(s, c, len(x))
	if err != nil {
		panic(err)
	}
	var e float64
	for i := range x {
		e = math.Max(e, math.Abs(y[i]-x[i]))
	}
	fmt.Println("round trip error below 1e-12:", e < 1e-12)
	// Output:
	// 257 bins, 101 frames; peak at bin 32
	// round trip error below 1e-12: true
}

func ExampleFramer() {
	c := dsp.STFTConfig{NFFT: 512, Hop: 160, Window: dsp.Hann(512, true), Center: true}
	f, err := dsp.NewFramer(c)
	if err != nil {
		panic(err)
	}
	chunk := make([]float64, 1000) // e.g. read from a file
	var col []float64
	frames := 0
	for i := 0; i < 16; i++ {
		f.Push(chunk)
		for col, ok := f.NextPower(col, 2); ok; col, ok = f.NextPower(col, 2) {
			frames++ // use col (257 power values) here
		}
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	for _, ok := f.NextPower(col, 2); ok; _, ok = f.NextPower(col, 2) {
		frames++
	}
	fmt.Println(frames, c.NumFrames(16000))
	// Output:
	// 101 101
}

func ExamplePowerSpectrogram() {
	// torchaudio.transforms.Spectrogram(n_fft=400, hop_length=160) on one
	// second of 16 kHz audio: periodic Hann, center, reflect, power 2.
	x := make([]float64, 16000)
	for i := range x {
		x[i] = math.Cos(2 * math.Pi * 2000 * float64(i) / 16000)
	}
	c := dsp.STFTConfig{NFFT: 400, Hop: 160, Window: dsp.Hann(400, true), Center: true, Pad: dsp.PadReflect}
	p, frames, err := dsp.PowerSpectrogram(x, c, 2, nil)
	if err != nil {
		panic(err)
	}
	bins := c.Bins()
	// 2000 Hz is bin 2000/(16000/400) = 50; a unit cosine under a Hann
	// window of 400 gives |X| = 400·0.5/2 = 100 there.
	mid := frames / 2
	fmt.Printf("%d frames × %d bins, |X[50]|² = %.1f\n", frames, bins, p[mid*bins+50])
	// Output:
	// 101 frames × 201 bins, |X[50]|² = 10000.0
}
