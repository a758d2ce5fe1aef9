// Command separation is the face-guided speech separation example: it
// writes a small synthetic talking-face corpus, trains a Looking-to-Listen
// model on mixtures of its training speakers, evaluates it on held-out
// speakers beside two oracle masks (ideal ratio, phase-sensitive) and the unprocessed mixture,
// and separates one test mixture into out/speaker_1.wav and speaker_2.wav.
//
//	go run ./examples/separation -out /tmp/sepdemo            # about 2 minutes
//	go run ./examples/separation -out /tmp/sepdemo -epochs 20 -steps 100
//
// The default run is short, so its numbers are far below a full run's; the
// package README records the figures of the longer one.
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
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

	// One test mixture: the first two test clips of different speakers.
	test := ds.Split("test")
	a := test[0]
	var b *avio.Clip
	for _, c := range test {
		if c.Meta.Labels["speaker"] != a.Meta.Labels["speaker"] {
			b = c
			break
		}
	}
	if b == nil {
		return fmt.Errorf("the test split has one speaker")
	}
	var mix []float64
	var faces []separation.FaceTrack
	for _, c := range []*avio.Clip{a, b} {
		x, err := c.Audio(m.Config.Rate)
		if err != nil {
			return err
		}
		if mix == nil {
			mix = make([]float64, len(x))
		}
		for i := 0; i < len(mix) && i < len(x); i++ {
			mix[i] += x[i]
		}
		ft := separation.FaceTrack{FPS: c.Meta.FPS}
		for i := 0; i < c.NumFrames; i++ {
			img, err := c.Frame(i)
			if err != nil {
				return err
			}
			ft.Frames = append(ft.Frames, image.Image(img))
		}
		faces = append(faces, ft)
	}
	ys, err := m.Separate(mix, faces)
	if err != nil {
		return err
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
