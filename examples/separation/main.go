// Command separation is the face-guided speech separation example: it
// writes a small synthetic talking-face corpus, trains a Looking-to-Listen
// model on mixtures of its training speakers, evaluates it on held-out
// speakers beside two oracle masks (ideal ratio, phase-sensitive) and the unprocessed mixture,
// and separates one test mixture into out/speaker_1.wav and speaker_2.wav.
//
//	go run ./examples/separation -out /tmp/sepdemo            # about 2 minutes
//	go run ./examples/separation -out /tmp/sepdemo -epochs 20 -steps 100
//
// The default run is short, so its figures are far below those of the
// recipe in separation/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	out := flag.String("out", "separation-demo", "output folder (corpus, model, audio)")
	epochs := flag.Int("epochs", 3, "training epochs")
	steps := flag.Int("steps", 30, "steps of 8 fresh mixtures per epoch")
	flag.Parse()
	if err := run(*out, *epochs, *steps); err != nil {
		log.Fatal(err)
	}
}

func run(out string, epochs, steps int) error {
	root := filepath.Join(out, "corpus")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		fmt.Println("writing the corpus …")
		if err := synth.Speakers(root, synth.SpeakersOptions{N: 200, Speakers: 20, Seed: 1}); err != nil {
			return err
		}
	}
	ds, err := avio.Open(root)
	if err != nil {
		return err
	}
	m, err := separation.New(separation.DefaultConfig())
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := separation.Train(context.Background(), m,
		separation.Data{Train: ds.Split("train"), Val: ds.Split("val")},
		separation.TrainOptions{Epochs: epochs, StepsPerEpoch: steps, Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Printf("trained on %d clips of %d speakers in %s\n", rep.TrainClips, rep.TrainSpeakers, rep.Duration.Round(1e9))
	if err := m.Save(filepath.Join(out, "model.safetensors")); err != nil {
		return err
	}
	met, err := separation.Evaluate(m, ds.Split("test"), separation.EvalOptions{Mixtures: 30})
	if err != nil {
		return err
	}
	fmt.Print(met)

	// One test mixture: the first two test clips of different speakers,
	// at equal levels.
	pair, err := separation.DistinctSpeakers(ds.Split("test"), 2)
	if err != nil {
		return err
	}
	a, b := pair[0], pair[1]
	x, err := separation.MixClips(pair, m.Config.Rate)
	if err != nil {
		return err
	}
	mix := x.Mix
	ys, err := m.Separate(mix, x.Faces)
	if err != nil {
		return err
	}
	scores, err := x.Score(ys)
	if err != nil {
		return err
	}
	for i, sc := range scores {
		fmt.Printf("speaker_%d: SI-SDR %.1f dB (mixture %.1f dB)\n", i+1, sc.SISDR, sc.MixSISDR)
	}
	if err := avio.WriteMonoWAV(filepath.Join(out, "mix.wav"), mix, m.Config.Rate, avio.Float32); err != nil {
		return err
	}
	for i, y := range ys {
		if err := avio.WriteMonoWAV(filepath.Join(out, fmt.Sprintf("speaker_%d.wav", i+1)), y, m.Config.Rate, avio.Float32); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %s/mix.wav, speaker_1.wav (face of clip %s), speaker_2.wav (clip %s)\n", out, a.Name, b.Name)
	fmt.Printf("try: avl separate --model %s/model.safetensors --mix %s/mix.wav --face %s --face %s -o %s/cli\n", out, out, a.Dir, b.Dir, out)
	return nil
}
