package dsp_test

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
)

// One second of a 1 kHz tone from 44.1 kHz to 16 kHz, compared with the
// ideal 1 kHz tone at 16 kHz away from the edges.
func ExampleResample() {
	x := make([]float64, 44100)
	for i := range x {
		x[i] = math.Sin(2 * math.Pi * 1000 * float64(i) / 44100)
	}
	y, err := dsp.Resample(x, 44100, 16000)
	if err != nil {
		fmt.Println(err)
		return
	}
	ideal := make([]float64, len(y))
	for i := range ideal {
		ideal[i] = math.Sin(2 * math.Pi * 1000 * float64(i) / 16000)
	}
	const edge = 64
	snr, _ := dsp.SNR(ideal[edge:len(y)-edge], y[edge:len(y)-edge])
	fmt.Println(len(y), "samples")
	fmt.Println("SNR above 120 dB:", snr > 120)
	// Output:
	// 16000 samples
	// SNR above 120 dB: true
}
