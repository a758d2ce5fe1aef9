// Command soundnet runs SoundNet end to end on a small synthetic corpus:
// an image teacher learns scenes and objects from labelled frames, a
// SoundNet-8 student learns to match the teacher from the sound alone
// (no labels), and linear probes on the student's pool5 classify scenes
// of held-out clips, next to random-weight and MFCC baselines.
//
//	go run ./examples/soundnet            # about 10 minutes on 2 cores
//	go run ./examples/soundnet -n 600 -epochs 8 -width 0.25
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/soundnet"
	"github.com/avlearn/avlearn/synth"
)

func main() {
	n := flag.Int("n", 200, "clips in the corpus")
	epochs := flag.Int("epochs", 5, "distillation epochs")
	width := flag.Float64("width", 0.25, "SoundNet channel multiplier (1 is the paper's)")
	dir := flag.String("dir", "", "work folder (default: a new temporary folder)")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "soundnet-example-")
		if err != nil {
			log.Fatal(err)
		}
		*dir = d
	}
	ctx := context.Background()

	// 1. A corpus of 10 s clips: each a scene (picture + ambience) with an
	// object (shape on screen while its sound plays); 80/10/10 split.
	data := filepath.Join(*dir, "scenes")
	if err := synth.Scenes(data, synth.ScenesOptions{N: *n, Seed: 1, Duration: 10}); err != nil {
		log.Fatal(err)
	}
	ds, err := avio.Open(data)
	if err != nil {
		log.Fatal(err)
	}
	train, val, test := ds.Split("train"), ds.Split("val"), ds.Split("test")

	// 2. The visual teacher, supervised on the train split's frames.
	teacher, trep, err := soundnet.TrainTeacher(ctx, train, val, soundnet.DefaultImageTeacherConfig(),
		soundnet.TrainOptions{Epochs: 6, BatchSize: 32, LR: 2e-3, Progress: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("teacher: val frames, scene accuracy %.1f%%, object accuracy %.1f%%\n", 100*trep.ValSceneAcc, 100*trep.ValObjectAcc)

	// 3. The student hears the train clips and matches the teacher's
	// distributions for the frames at the same moments; labels unused.
	objs, scns := teacher.Classes()
	cfg := soundnet.DefaultConfig() // the recipe: width, excerpts, augmentation
	cfg.Width = *width
	cfg.Objects, cfg.Scenes, cfg.ObjectNames, cfg.SceneNames = len(objs), len(scns), objs, scns
	m, err := soundnet.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := soundnet.Train(ctx, m, soundnet.Data{Train: train, Val: val, Teacher: teacher},
		soundnet.TrainOptions{Epochs: *epochs, Progress: os.Stderr}) // other options: DefaultTrainOptions
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("distillation: %d excerpts, %d epochs, %s\n", rep.TrainWindows, len(rep.History.Epochs), rep.Duration.Round(1e9))
	agree, err := soundnet.Evaluate(m, test, teacher)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("agreement with the teacher on held-out clips:\n%v\n", agree)
	if err := m.Save(filepath.Join(*dir, "soundnet.safetensors")); err != nil {
		log.Fatal(err)
	}

	// 4. Linear probes: scene from sound alone.
	rs, err := soundnet.ProbeTable(ctx, m, train, val, test, soundnet.ProbeOptions{Label: "scene", Progress: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("scene classification of held-out clips from sound (linear probes):")
	fmt.Print(rs.Table("%.1f"))
	fmt.Println("work folder:", *dir)
}
