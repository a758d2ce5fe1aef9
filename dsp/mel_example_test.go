package dsp_test

import (
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// Four HTK mel filters over the 9 bins of a 16-point FFT at 16 kHz, without
// normalisation (torchaudio's defaults; the same numbers as
// torchaudio.functional.melscale_fbanks(9, 0, 8000, 4, 16000).T).
func ExampleMelFilterbank() {
	const nFFT, nMels = 16, 4
	fb, err := dsp.MelFilterbank(nFFT, 16000, 0, 8000, nMels, dsp.MelHTK, dsp.MelNormNone)
	if err != nil {
		fmt.Println(err)
		return
	}
	bins := nFFT/2 + 1
	for i := 0; i < nMels; i++ {
		fmt.Printf("%.2f\n", fb[i*bins:(i+1)*bins])
	}
	// Output:
	// [0.00 0.29 0.00 0.00 0.00 0.00 0.00 0.00 0.00]
	// [0.00 0.71 0.38 0.00 0.00 0.00 0.00 0.00 0.00]
	// [0.00 0.00 0.62 0.75 0.27 0.00 0.00 0.00 0.00]
	// [0.00 0.00 0.00 0.25 0.73 0.87 0.58 0.29 0.00]
}
