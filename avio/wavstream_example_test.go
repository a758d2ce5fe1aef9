package avio_test

import (
	"fmt"
	"io"
	"log"
	"math"

	"github.com/avlearn/avlearn/avio"
)

// A WAVReader visits a file of any length a block at a time; here it finds
// the peak level of the mono down-mix of a stereo file.
func ExampleOpenWAV() {
	r, err := avio.OpenWAV("../testdata/avio/wav/pcm24_stereo.wav")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	info := r.Info()
	block := make([]float64, 64)
	peak, frames := 0.0, 0
	for {
		n, err := r.ReadMono(block)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for _, v := range block[:n] {
			peak = math.Max(peak, math.Abs(v))
		}
		frames += n
	}
	fmt.Printf("%d of %d frames, %d channels, mono peak %.6f\n", frames, info.Frames, info.Channels, peak)
	// Output: 200 of 200 frames, 2 channels, mono peak 0.893482
}
