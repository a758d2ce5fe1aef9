// Command separation is the face-guided speech separation example: it
// writes a small synthetic talking-face corpus, evaluates the shipped
// Looking-to-Listen model (separation.Pretrained) on its speakers beside
// two oracle masks (ideal ratio, phase-sensitive) and the unprocessed
// mixture, and separates one test mixture into out/speaker_1.wav and
// speaker_2.wav. With -epochs it first trains a new model with the recipe
// on the corpus's training speakers and uses that instead.
//
//	go run ./examples/separation -out /tmp/sepdemo                  # about 1 minute
//	go run ./examples/separation -out /tmp/sepdemo -epochs 3        # and a 300-step training
//
// A training run of a few epochs shows the loop but does not yet separate;
// the shipped model took 60 epochs on a larger corpus (separation/README.md).
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
	epochs := flag.Int("epochs", 0, "train a new model for this many epochs instead of using the shipped one (0: the shipped model)")
	steps := flag.Int("steps", 100, "steps of 8 fresh mixtures per epoch, with -epochs")
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
	m, err := model(ds, out, epochs, steps)
	if err != nil {
		return err
	}
	defer m.Close()
	model := "the shipped model"
	if epochs > 0 {
		model = out + "/model.safetensors"
	}
	fmt.Printf("separating with %s\n", model)
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
	flagModel := ""
	if epochs > 0 {
		flagModel = "--model " + out + "/model.safetensors "
	}
	fmt.Printf("try: avl separate %s--mix %s/mix.wav --face %s --face %s -o %s/cli\n", flagModel, out, a.Dir, b.Dir, out)
	return nil
}

// model returns the shipped model, or with epochs > 0 a new one trained
// with the recipe on ds's train split (saved as out/model.safetensors).
func model(ds *avio.Dataset, out string, epochs, steps int) (*separation.Model, error) {
	if epochs == 0 {
		return separation.Pretrained()
	}
	m, err := separation.New(separation.DefaultConfig())
	if err != nil {
		return nil, err
	}
	rep, err := separation.Train(context.Background(), m,
		separation.Data{Train: ds.Split("train"), Val: ds.Split("val")},
		separation.TrainOptions{Epochs: epochs, StepsPerEpoch: steps, Progress: os.Stderr})
	if err != nil {
		m.Close()
		return nil, err
	}
	fmt.Printf("trained on %d clips of %d speakers in %s\n", rep.TrainClips, rep.TrainSpeakers, rep.Duration.Round(1e9))
	if err := m.Save(filepath.Join(out, "model.safetensors")); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}
