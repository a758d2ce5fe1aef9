package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	_ "image/jpeg" // faces may be JPEG
	"image/png"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/lipsync"
	"github.com/avlearn/avlearn/speech2face"
)

func init() {
	register(&command{
		name:    "lipsync",
		summary: "make a face speak: identity face + speech → lip-motion frames; train, evaluate on held-out speakers",
		help:    lipsyncHelp,
		run:     lipsyncMake,
		verbs:   map[string]runFunc{"train": lipsyncTrain, "eval": lipsyncEval},
	})
}

const lipsyncHelp = `usage: avl lipsync --face FACE.png|CLIPDIR --audio SPEECH.wav -o OUT [--model M]
       avl lipsync train|eval [flags]

  (no sub-command)  --face FACE.png|CLIPDIR --audio SPEECH.wav -o OUT
         frames of the face speaking the speech (one per 1/25 s): OUT/frames/,
         OUT/audio.wav and OUT/meta.json (a clip folder; ffmpeg makes a video of
         it), OUT/preview.gif (animated) and OUT/sheet.png (a contact sheet);
         a photo gives a still-image talking clip, a clip folder keeps its head
         motion; the shipped model unless --model. It holds everything (the
         speech, every frame, the preview): about 430 MB per minute of speech
  train  --data ROOT -o M.safetensors
         train the sync expert (in-sync vs off-sync windows), then the generator
         (L1 + sync-expert loss) on the train split's talking-face clips (avl synth
         speakers writes such a corpus); the val split picks the best epochs
  eval   [--model M] [--baseline M2] --data ROOT
         on the test split's held-out speakers: mouth-opening correlation with the
         real frames, LSE-D / LSE-C and the expert's sync offset, for generated
         frames beside the real ones, the identity frame repeated, the real frames
         with audio shifted by 10 frames and dubbed speech (another speaker's);
         --baseline adds another model's generated rows (an L1-only generator)

Run "avl lipsync CMD -h" for a sub-command's flags.
`

func lipsyncTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("lipsync train", "--data ROOT -o M.safetensors [flags]", stderr)
	def := lipsync.DefaultConfig()
	data := fs.String("data", "", "clip dataset of talking faces with train/val splits (required)")
	out := cli.AddOut(fs, "model file to write, .safetensors (required)")
	width := fs.Int("width", def.Width, "channels of the generator's first layer")
	syncW := fs.Float64("sync-weight", def.SyncWeight, "weight of the sync expert's loss in the generator's (0: an L1-only generator)")
	expertEpochs := fs.Int("expert-epochs", def.ExpertEpochs, "epochs of --steps steps for the sync expert before the generator")
	d := lipsync.DefaultTrainOptions()
	d.Seed = 1
	opts := cli.TrainFlags(fs, d, stderr)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	o, err := opts()
	if err != nil {
		return err
	}
	cfg := def
	cfg.Width, cfg.SyncWeight, cfg.ExpertEpochs, cfg.Seed = *width, *syncW, *expertEpochs, o.Seed
	if err := cfg.Validate(); err != nil {
		return cli.UsageError{Err: errors.New(cli.FlagNames(err, "lipsync", [][2]string{
			{"width", "--width"}, {"sync_weight", "--sync-weight"}, {"expert_epochs", "--expert-epochs"}}))}
	}
	if err := cli.CheckOutFile(*out, []string{".safetensors"}); err != nil {
		return err
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	m, err := lipsync.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	o.CheckpointPath = *out
	start := time.Now()
	rep, err := lipsync.Train(ctx, m, lipsync.Data{Train: ds.Split("train"), Val: ds.Split("val")}, o)
	if err != nil {
		return cli.TrainErr(err, *out, start)
	}
	if err := m.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model %s: %d train clips, %d val clips, expert %d steps (best epoch %d), generator %d steps (best epoch %d), %s\n",
		*out, rep.TrainClips, rep.ValClips, rep.ExpertSteps, rep.Expert.BestEpoch, rep.Steps, rep.History.BestEpoch, rep.Duration.Round(1e7))
	return nil
}

func lipsyncEval(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("lipsync eval", "[--model M] [--baseline M2 …] --data ROOT [flags]", stderr)
	model := fs.String("model", "", "lip-sync model (default: the shipped model, see lipsync/pretrained/README.md); its sync expert scores every row")
	var baselines multiFlag
	fs.Var(&baselines, "baseline", "another model whose generated frames are scored beside --model's (an L1-only generator, say); repeatable")
	data := fs.String("data", "", "clip dataset of talking faces (required)")
	split := fs.String("split", "test", "split to evaluate on (held-out speakers)")
	md := fs.Bool("markdown", false, "print the table as Markdown")
	identity := fs.Bool("identity", true, "measure identity with the shipped Speech2Face face recogniser (cosine distance of each system's frames to the identity frame)")
	quiet := cli.AddQuiet(fs)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *data == "" {
		return cli.Usagef("--data is required")
	}
	ds, err := avio.Open(*data)
	if err != nil {
		return err
	}
	clips := ds.Split(*split)
	if len(clips) == 0 {
		return fmt.Errorf("%s: no clips in split %q", *data, *split)
	}
	m, err := loadLipsync(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	var o lipsync.EvalOptions
	for _, p := range baselines {
		b, err := lipsync.Load(p)
		if err != nil {
			return err
		}
		defer b.Close()
		o.Baselines = append(o.Baselines, b)
	}
	if !*quiet {
		o.Progress = stderr
	}
	if *identity {
		rec, err := speech2face.Pretrained()
		if err != nil {
			return err
		}
		defer rec.Close()
		o.FaceEmbedding = rec.FaceEmbedding
	}
	met, err := lipsync.Evaluate(m, clips, o)
	if err != nil {
		return err
	}
	if *md {
		fmt.Fprint(stdout, met.Table().Markdown())
	} else {
		fmt.Fprint(stdout, met.Table().String())
	}
	return nil
}

// loadLipsync reads a model file, or the shipped model for "".
func loadLipsync(path string) (*lipsync.Model, error) {
	if path == "" {
		return lipsync.Pretrained()
	}
	return lipsync.Load(path)
}

// sheetColumns is the number of frames a contact sheet shows.
const sheetColumns = 12

func lipsyncMake(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("lipsync", "--face FACE.png|CLIPDIR --audio SPEECH.wav -o OUT [--model M]", stderr)
	model := fs.String("model", "", "lip-sync model (default: the shipped model, see lipsync/pretrained/README.md)")
	face := fs.String("face", "", "the face: a picture (.png or .jpg; a still-image talking clip) or a video (a clip folder, or a folder of frames; its head motion is kept, played back and forth if shorter than the speech) (required)")
	audio := fs.String("audio", "", "the speech, a WAV file (required; resampled to the model's rate if needed)")
	out := cli.AddOut(fs, "output folder: frames/, audio.wav, meta.json, preview.gif, sheet.png (required)")
	cli.AddQuiet(fs) // nothing to silence: the frames are made in seconds
	cli.AddNote(fs, `
Memory: holds everything: the speech, every frame made and the animated
preview, about 430 MB per minute of speech; cut long speech first.
`)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *face == "" || *audio == "" || *out == "" {
		return cli.Usagef("--face, --audio and -o are required")
	}
	inputs := []string{*face, *audio}
	if *model != "" {
		inputs = append(inputs, *model)
	}
	if err := cli.CheckOutDir(*out, inputs...); err != nil {
		return err
	}
	faces, video, err := readFaces(*face)
	if err != nil {
		return err
	}
	m, err := loadLipsync(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	x, err := cli.ReadMono(*audio, m.Config.Rate, stderr)
	if err != nil {
		return err
	}
	frames, err := m.LipFrames(faces, x, m.Config.Rate)
	if err != nil {
		return err
	}
	if err := writeLipClip(*out, m.Config, frames, x, faces, video); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d frames at %g fps (%.2f s), preview.gif, sheet.png\n", *out, len(frames), m.Config.FPS, float64(len(x))/float64(m.Config.Rate))
	return nil
}

// readFaces reads --face: a picture, or a folder of frames (a video).
func readFaces(path string) ([]image.Image, bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("--face %s: %w", path, cli.UnwrapPath(err))
	}
	if st.IsDir() {
		frames, _, err := avio.ReadFrameFolder(path)
		if err != nil {
			return nil, false, fmt.Errorf("--face %s: %w", path, err)
		}
		return frames, true, nil
	}
	img, err := readPicture("--face "+path, path)
	if err != nil {
		return nil, false, err
	}
	return []image.Image{img}, false, nil
}

// readPicture reads a PNG or JPEG picture; errors start with name.
func readPicture(name, path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, cli.UnwrapPath(err))
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG or JPEG picture: %w", name, err)
	}
	if cfg.Width*cfg.Height > avio.MaxFramePixels {
		return nil, fmt.Errorf("%s: %d×%d pixels is too large", name, cfg.Width, cfg.Height)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return img, nil
}

// writeLipClip writes frames and the speech as a clip folder with an
// animated preview and a contact sheet (evenly spaced frames, under the
// input video's when the faces are a video as long as the speech); on failure it leaves no
// partial output behind in a folder it made or found empty.
func writeLipClip(dir string, c lipsync.Config, frames []image.Image, x []float64, faces []image.Image, video bool) (err error) {
	created, fresh := cli.FreshDir(dir)
	defer func() {
		if err != nil && fresh {
			cli.RemoveOutput(dir, created)
		}
	}()
	if err := os.MkdirAll(filepath.Join(dir, "frames"), 0o755); err != nil {
		return fmt.Errorf("-o %s: %w", dir, cli.UnwrapPath(err))
	}
	for i, f := range frames {
		if err := writePNG(filepath.Join(dir, "frames", fmt.Sprintf("%06d.png", i)), f); err != nil {
			return err
		}
	}
	anim := lipsync.Animation(frames, c.FPS)
	if err := avio.WriteMonoWAV(filepath.Join(dir, avio.AudioFile), x, c.Rate, avio.PCM16); err != nil {
		return err
	}
	if err := avio.WriteMeta(filepath.Join(dir, "meta.json"), avio.Meta{FPS: c.FPS}); err != nil {
		return err
	}
	if err := avio.WriteFileAtomic(filepath.Join(dir, "preview.gif"), func(w io.Writer) error { return gif.EncodeAll(w, anim) }); err != nil {
		return err
	}
	var real, gen []image.Image
	video = video && len(faces) >= len(frames) // the input frame i is frame i's head
	cols := min(sheetColumns, len(frames))
	for j := range cols {
		i := j * len(frames) / cols
		gen = append(gen, frames[i])
		if video {
			real = append(real, faces[i])
		}
	}
	rows := [][]image.Image{gen}
	if video {
		rows = [][]image.Image{real, gen}
	}
	return writePNG(filepath.Join(dir, "sheet.png"), lipsync.Sheet(rows...))
}

// writePNG writes img atomically.
func writePNG(path string, img image.Image) error {
	return avio.WriteFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}
