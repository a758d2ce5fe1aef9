// Command img2speech is the image-to-speech example: it writes a small
// spoken-caption corpus (synth.Captions) of voices the shipped model never
// heard, says what each test picture shows with the shipped model
// (picture → units → speech, no text in between), writes every spoken
// description as a WAV beside its picture, and prints what the shipped
// recogniser hears next to the true caption; then the held-out table
// (image → speech beside shuffled pictures and the true units). With
// -train it first trains the three stages (units, image, judge) on the
// corpus's train split, as the default commands do.
//
//	go run ./examples/img2speech -out /tmp/i2sdemo           # about a minute
//	go run ./examples/img2speech -out /tmp/i2sdemo -train    # trains the three stages; about half an hour on one core with -n 800
package main

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/img2speech"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	out := flag.String("out", "img2speech-demo", "output folder (corpus, speech, models)")
	n := flag.Int("n", 100, "clips in the corpus")
	seed := flag.Int64("seed", 5, "corpus seed (the shipped model was trained on seed 1)")
	speak := flag.Int("speak", 8, "test pictures to speak")
	train := flag.Bool("train", false, "train the three stages on the corpus instead of using the shipped models")
	flag.Parse()
	if err := run(*out, *n, *seed, *speak, *train); err != nil {
		log.Fatal(err)
	}
}

func run(out string, n int, seed int64, speak int, train bool) error {
	root := filepath.Join(out, "corpus")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		fmt.Println("writing the corpus …")
		if err := synth.Captions(root, synth.CaptionsOptions{N: n, Seed: seed, Speakers: 8, Ordered: true}); err != nil {
			return err
		}
	}
	ds, err := avio.Open(root)
	if err != nil {
		return err
	}
	m, judge, err := models(out, ds, train)
	if err != nil {
		return err
	}
	defer m.Close()
	defer judge.Close()

	test := ds.Split("test")
	for i, clip := range test[:min(speak, len(test))] {
		pic, err := clip.Frame(0)
		if err != nil {
			return err
		}
		y, units, err := m.SpeakImage(pic)
		if err != nil {
			return err
		}
		words, err := judge.Words(y)
		if err != nil {
			return err
		}
		base := filepath.Join(out, fmt.Sprintf("test%d", i))
		if err := avio.WriteFileAtomic(base+".png", func(w io.Writer) error { return png.Encode(w, pic) }); err != nil {
			return err
		}
		if err := avio.WriteMonoWAV(base+".wav", y, m.Config.Rate, avio.PCM16); err != nil {
			return err
		}
		fmt.Printf("%s.wav  %d units, %.1f s\n    caption: %s\n    heard:   %s\n", base, len(units), float64(len(y))/float64(m.Config.Rate),
			clip.Meta.Labels["caption"], strings.Join(words, " "))
	}

	met, err := img2speech.Evaluate(m, test, img2speech.EvalOptions{Reference: ds.Split("train"), Seed: 1, Images: true,
		Judge: judge, Resynthesis: len(test), Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Print(met.ResynthesisTable().String())
	fmt.Print(met.ImageTable().String())
	return nil
}

// models returns the shipped models, or trains the three stages on ds.
func models(out string, ds *avio.Dataset, train bool) (*img2speech.Model, *img2speech.Recogniser, error) {
	if !train {
		m, err := img2speech.Pretrained()
		if err != nil {
			return nil, nil, err
		}
		j, err := img2speech.PretrainedRecogniser()
		return m, j, err
	}
	ctx := context.Background()
	data := img2speech.Data{Train: ds.Split("train"), Val: ds.Split("val")}
	m, err := img2speech.New(img2speech.DefaultConfig())
	if err != nil {
		return nil, nil, err
	}
	if _, err := img2speech.Train(ctx, m, data, img2speech.TrainOptions{Seed: 1, Progress: os.Stderr}); err != nil {
		return nil, nil, err
	}
	// the captioner's CNN first learns to name single objects, then captions
	if _, err := img2speech.PretrainImage(ctx, m, img2speech.DefaultObjectPictures, img2speech.TrainOptions{Seed: 1, Progress: os.Stderr}); err != nil {
		return nil, nil, err
	}
	if _, err := img2speech.TrainImage(ctx, m, data, img2speech.TrainOptions{Seed: 1, Progress: os.Stderr}); err != nil {
		return nil, nil, err
	}
	j, err := img2speech.NewRecogniser(img2speech.DefaultRecogniserConfig(img2speech.CaptionWords(data.Train)))
	if err != nil {
		return nil, nil, err
	}
	if _, err := img2speech.TrainRecogniser(ctx, j, data, img2speech.TrainOptions{Seed: 1, Progress: os.Stderr}); err != nil {
		return nil, nil, err
	}
	if err := m.Save(filepath.Join(out, "img2speech.safetensors")); err != nil {
		return nil, nil, err
	}
	return m, j, j.Save(filepath.Join(out, "judge.safetensors"))
}
