// Command spectrogram reads a WAV file, computes an 80-channel log-mel
// spectrogram with avlearn's speech defaults and writes it as a PNG with
// time and frequency axes.
//
//	go run ./examples/spectrogram testdata/speech.wav mel.png
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/spectrogram"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: spectrogram IN.wav OUT.png")
	}
	audio, _, err := avio.ReadWAV(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	// 25 ms Hamming window, 10 ms hop, centred frames, power spectrum;
	// then 80 HTK mel channels in dB, at most 80 dB below the peak.
	cfg := spectrogram.DefaultConfig(audio.SampleRate)
	cfg.NMels, cfg.DB, cfg.TopDB = 80, true, 80

	spec, err := spectrogram.Compute(audio.Mono(), cfg) // channels averaged
	if err != nil {
		log.Fatal(err)
	}
	opts := spectrogram.RenderOptions{Axes: true, Title: os.Args[1], Colormap: spectrogram.Magma}
	if err := spec.WritePNG(os.Args[2], opts); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d mel bins × %d frames (%.2f s) → %s\n",
		os.Args[1], spec.Bins, spec.Frames, spec.Duration(), os.Args[2])
}
