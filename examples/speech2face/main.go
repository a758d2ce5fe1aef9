// Command speech2face is the Speech2Face example: it writes a corpus of
// talking faces whose speakers the shipped model never met
// (synth.Speakers with a seed of its own), draws the face of every held-out
// voice with the shipped model, prints the evaluation table (retrieval of
// the true face, attributes, decoder quality, beside shuffled voices, the
// decoder fed the true face's embedding, the mean face and chance), and
// writes a contact sheet and the face drawn from one voice.
//
//	go run ./examples/speech2face -out /tmp/s2f            # about a minute
//	go run ./examples/speech2face -out /tmp/s2f -speakers 400 -seed 7
//
// The shipped model was trained on synth.Speakers seed 16; any other seed
// draws new people.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/speech2face"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	out := flag.String("out", "speech2face-demo", "output folder (corpus, pictures)")
	speakers := flag.Int("speakers", 300, "speakers in the corpus (two clips each; 30 % are held out)")
	seed := flag.Int64("seed", 7, "corpus seed (not 16, the shipped model's)")
	flag.Parse()
	if err := run(*out, *speakers, *seed); err != nil {
		log.Fatal(err)
	}
}

func run(out string, speakers int, seed int64) error {
	root := filepath.Join(out, "corpus")
	if _, err := os.Stat(root); os.IsNotExist(err) {
		fmt.Printf("writing %d speakers × 2 clips to %s\n", speakers, root)
		if err := synth.Speakers(root, synth.SpeakersOptions{N: 2 * speakers, Speakers: speakers, Seed: seed, Duration: 2}); err != nil {
			return err
		}
	}
	ds, err := avio.Open(root)
	if err != nil {
		return err
	}
	m, err := speech2face.Pretrained()
	if err != nil {
		return err
	}
	defer m.Close()
	// every speaker is new to the model; the train split only fits the
	// attribute estimator and the mean face
	held := append(ds.Split("test"), ds.Split("val")...)
	met, err := speech2face.Evaluate(m, held, speech2face.EvalOptions{Train: ds.Split("train"), Progress: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Print(met.Table().String())
	sheet, err := speech2face.ContactSheet(m, held, 8)
	if err != nil {
		return err
	}
	if err := writePNG(filepath.Join(out, "contact.png"), sheet); err != nil {
		return err
	}
	x, err := held[0].Audio(m.Config.Rate)
	if err != nil {
		return err
	}
	face, err := m.FaceFromVoice(x)
	if err != nil {
		return err
	}
	if err := writePNG(filepath.Join(out, "face.png"), face); err != nil {
		return err
	}
	fmt.Printf("%s: voice → face beside the true face for 8 speakers; %s: the face heard in %s\n",
		filepath.Join(out, "contact.png"), filepath.Join(out, "face.png"), held[0].AudioPath())
	return nil
}

func writePNG(path string, img image.Image) error {
	return avio.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
