// Command lipsync is the lip-sync example: it writes a synthetic corpus
// of talking faces (synth.Speakers), trains a model on its train
// speakers (or takes the shipped one with -pretrained), prints the
// held-out table (mouth opening, LSE-D/LSE-C, sync offsets beside the
// real frames, the identity frame repeated, the audio shifted 10 frames
// and dubbed speech), and writes a contact sheet of one held-out clip:
// its real frames above the generated ones.
//
//	go run ./examples/lipsync -out /tmp/lipdemo -pretrained   # a few minutes
//	go run ./examples/lipsync -out /tmp/lipdemo               # trains; about an hour on one core
//
// With the defaults (-n 400 -seed 1) the corpus is the one the shipped
// model was trained on, and its test split holds the speakers it never
// saw; another -n or -seed draws identities that may include its
// training speakers (synth draws identity i from the seed alone).
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/lipsync"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	out := flag.String("out", "lipsync-demo", "output folder (corpus, model, sheet)")
	n := flag.Int("n", 400, "clips in the corpus")
	seed := flag.Int64("seed", 1, "corpus seed")
	pretrained := flag.Bool("pretrained", false, "use the shipped model instead of training one")
	flag.Parse()
	if err := run(*out, *n, *seed, *pretrained); err != nil {
		log.Fatal(err)
	}
}

func run(out string, n int, seed int64, pretrained bool) error {
	root := filepath.Join(out, "corpus")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		fmt.Println("writing the corpus …")
		if err := synth.Speakers(root, synth.SpeakersOptions{N: n, Seed: seed}); err != nil {
			return err
		}
	}
	ds, err := avio.Open(root)
	if err != nil {
		return err
	}
	var m *lipsync.Model
	if pretrained {
		if m, err = lipsync.Pretrained(); err != nil {
			return err
		}
	} else {
		if m, err = lipsync.New(lipsync.DefaultConfig()); err != nil {
			return err
		}
		rep, err := lipsync.Train(context.Background(), m, lipsync.Data{Train: ds.Split("train"), Val: ds.Split("val")},
			lipsync.TrainOptions{Seed: 1, Progress: os.Stderr})
		if err != nil {
			return err
		}
		fmt.Printf("trained on %d clips in %s: expert %d steps, generator %d steps\n", rep.TrainClips, rep.Duration.Round(1e9), rep.ExpertSteps, rep.Steps)
		if err := m.Save(filepath.Join(out, "lipsync.safetensors")); err != nil {
			return err
		}
	}
	defer m.Close()
	test := ds.Split("test")
	met, err := lipsync.Evaluate(m, test, lipsync.EvalOptions{Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Print(met.Table().String())

	// a held-out clip: its real frames above the frames made from its
	// first frame, its head motion and its speech
	clip := test[0]
	real, err := clip.Frames()
	if err != nil {
		return err
	}
	x, err := clip.Audio(m.Config.Rate)
	if err != nil {
		return err
	}
	gen, err := m.LipFrames(real, x, m.Config.Rate)
	if err != nil {
		return err
	}
	var top, bottom []image.Image
	for i := 0; i < min(len(real), len(gen)); i += 4 {
		top, bottom = append(top, real[i]), append(bottom, gen[i])
	}
	path := filepath.Join(out, "sheet-"+clip.Meta.Labels["speaker"]+".png")
	if err := avio.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, lipsync.Sheet(top, bottom)) }); err != nil {
		return err
	}
	fmt.Println("contact sheet (real above generated, every 4th frame):", path)
	return nil
}
