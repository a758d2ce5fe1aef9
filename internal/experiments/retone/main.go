// Command retone rewrites the clips of one split of a talking-face corpus
// with their audio changed, to ask which property of a voice a model's
// score depends on: the spectral tilt (-tilt dB per octave, about 1 kHz)
// or the pitch and formants together (-shift semitones, by resampling,
// which also changes the length). Faces are drawn afresh by
// synth.ExternalSpeakers with mouths that follow the new audio, so with
// neither change it tells how much of a drop on other speech comes from
// such faces.
//
//	go run ./internal/experiments/retone -in CORPUS -out DIR [-tilt DB] [-shift ST] [-speakers e00,e01]
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	in := flag.String("in", "", "corpus to read")
	out := flag.String("out", "", "output folder (new or empty)")
	split := flag.String("split", "test", "split to rewrite")
	seed := flag.Int64("seed", 1, "seed of the faces")
	size := flag.Int("size", 64, "frame size in pixels")
	tilt := flag.Float64("tilt", 0, "spectral tilt to add, dB per octave (negative: duller)")
	shift := flag.Float64("shift", 0, "pitch and formant shift, semitones")
	speakers := flag.String("speakers", "", "comma-separated speakers to keep (all if empty)")
	flag.Parse()
	if err := run(*in, *out, *split, *seed, *size, *tilt, *shift, *speakers); err != nil {
		fmt.Fprintln(os.Stderr, "retone:", err)
		os.Exit(1)
	}
}

func run(in, out, split string, seed int64, size int, tilt, shift float64, speakers string) error {
	d, err := avio.Open(in)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, s := range strings.Split(speakers, ",") {
		if s != "" {
			keep[s] = true
		}
	}
	var clips []synth.ExternalClip
	for _, c := range d.Clips {
		spk := c.Meta.Labels["speaker"]
		if c.Meta.Split != split || (len(keep) > 0 && !keep[spk]) {
			continue
		}
		x, rate, err := c.AudioNative()
		if err != nil {
			return err
		}
		if tilt != 0 {
			x = addTilt(x, rate, tilt)
		}
		if shift != 0 {
			// play faster: read the samples as if recorded at a lower rate
			from := int(math.Round(float64(rate) * math.Pow(2, shift/12)))
			if x, err = dsp.Resample(x, from, rate); err != nil {
				return err
			}
		}
		clips = append(clips, synth.ExternalClip{Audio: x, Rate: rate, Speaker: spk, Split: "test",
			Labels: map[string]string{"source": in + "/" + c.Name}})
	}
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", in, split)
	}
	return synth.ExternalSpeakers(out, clips, synth.ExternalOptions{Seed: seed, Size: size})
}

// addTilt tilts x by db per octave (dsp.Tilter) and keeps its energy.
func addTilt(x []float64, rate int, db float64) []float64 {
	y := append([]float64(nil), x...)
	dsp.NewTilter(len(y), rate).Apply(y, db)
	var ex, ey float64
	for i := range x {
		ex += x[i] * x[i]
		ey += y[i] * y[i]
	}
	g := math.Sqrt(ex / math.Max(ey, 1e-30))
	for i := range y {
		y[i] *= g
	}
	return y
}
