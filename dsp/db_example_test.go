package dsp_test

import (
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// Power to dB as librosa.power_to_db(x, ref=1, amin=1e-10, top_db=80): the
// silent value is floored 80 dB below the peak.
func ExamplePowerToDB() {
	x := []float64{100, 1, 0.001, 0}
	fmt.Printf("%.1f\n", dsp.PowerToDB(x, 1, 1e-10, 80))
	fmt.Printf("%.1f\n", dsp.PowerToDB(x, 1, 1e-10, 0)) // no top_db
	// Output:
	// [20.0 0.0 -30.0 -60.0]
	// [20.0 0.0 -30.0 -100.0]
}
