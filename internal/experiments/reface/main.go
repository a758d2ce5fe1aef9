// Command reface rewrites the clips of one split of a talking-face corpus
// with synth.ExternalSpeakers: the same audio and speakers, but faces drawn
// afresh whose mouths follow the audio (synth.AudioTrack), as the corpora
// of other speech (testdata/otherspeech) have them. Scoring a model on
// both tells how much of a drop on other speech comes from the faces.
//
//	go run ./internal/experiments/reface -in CORPUS -out DIR [-split test] [-seed 1]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	in := flag.String("in", "", "corpus to read")
	out := flag.String("out", "", "output folder (new or empty)")
	split := flag.String("split", "test", "split to rewrite")
	seed := flag.Int64("seed", 1, "seed of the faces")
	size := flag.Int("size", 64, "frame size in pixels")
	flag.Parse()
	if err := run(*in, *out, *split, *seed, *size); err != nil {
		fmt.Fprintln(os.Stderr, "reface:", err)
		os.Exit(1)
	}
}

func run(in, out, split string, seed int64, size int) error {
	d, err := avio.Open(in)
	if err != nil {
		return err
	}
	var clips []synth.ExternalClip
	for _, c := range d.Clips {
		if c.Meta.Split != split {
			continue
		}
		x, rate, err := c.AudioNative()
		if err != nil {
			return err
		}
		clips = append(clips, synth.ExternalClip{Audio: x, Rate: rate, Speaker: c.Meta.Labels["speaker"], Split: "test",
			Labels: map[string]string{"source": in + "/" + c.Name}})
	}
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", in, split)
	}
	return synth.ExternalSpeakers(out, clips, synth.ExternalOptions{Seed: seed, Size: size})
}
