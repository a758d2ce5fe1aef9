package dsp_test

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/dsp"
)

// Rebuild a chirp from its STFT magnitude alone and watch the spectral
// convergence fall.
func ExampleGriffinLim() {
	x := make([]float64, 4000)
	for i := range x {
		t := float64(i) / 16000
		x[i] = math.Sin(2 * math.Pi * (300*t + 900*t*t))
	}
	c := dsp.STFTConfig{NFFT: 512, Hop: 128, Window: dsp.Hann(512, true), Center: true, Pad: dsp.PadReflect}
	S, err := dsp.STFT(x, c)
	if err != nil {
		fmt.Println(err)
		return
	}
	y, err := dsp.GriffinLim(S.Power(1), S.Frames, c, dsp.GriffinLimOptions{
		Iters: 32, Momentum: 0.99, Power: 1, Length: len(x),
		Observe: func(iter int, sc float64) {
			if iter == 1 || iter == 8 || iter == 32 {
				fmt.Printf("iteration %2d: spectral convergence %.2f\n", iter, sc)
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(y), "samples")
	// Output:
	// iteration  1: spectral convergence 0.88
	// iteration  8: spectral convergence 0.18
	// iteration 32: spectral convergence 0.13
	// 4000 samples
}
