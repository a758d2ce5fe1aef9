package main

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // frames may be JPEG
	"io"
	"os"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/spectrogram"
)

func init() {
	register(&command{
		name:    "separate",
		summary: "separate the voices of visible speakers in a mixture, one face video each",
		run:     runSeparate,
	})
}

func runSeparate(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("separate", "[--model M] --mix MIX.wav --face DIR_A [--face DIR_B] -o OUTDIR", stderr)
	model := fs.String("model", "", "separation model (default: the shipped model, see separation/pretrained/README.md)")
	mix := fs.String("mix", "", "mixture WAV (required; resampled to the model's rate if needed)")
	var faces multiFlag
	fs.Var(&faces, "face", "face video of one speaker: a clip folder (frames/ and meta.json) or a folder of 000000.png … frames; repeat in speaker order")
	fps := fs.Float64("fps", 0, "frame rate of --face folders without meta.json (0: the model's)")
	out := cli.AddOut(fs, "output folder: speaker_1.wav … and separation.png (required)")
	consistency := fs.Bool("consistency", false, "with (or, =false, without) the rescaling that makes the voices add up to the mixture (default: as trained)")
	cli.AddQuiet(fs) // separate has no progress to silence
	cli.AddNote(fs, `
Memory: holds everything: the mixture, every face frame and the separated
voices, about 1 GB per minute of two speakers; cut long recordings first.
`)
	if err := cli.ParseOnly(fs, args); err != nil {
		return err
	}
	if *mix == "" || *out == "" {
		return cli.Usagef("--mix and -o are required")
	}
	if !(*fps >= 0 && *fps <= 120) {
		return cli.Usagef("--fps %g: want 0…120 (0: the model's)", *fps)
	}
	inputs := append([]string{*mix}, faces...)
	if *model != "" {
		inputs = append(inputs, *model)
	}
	if err := cli.CheckOutDir(*out, inputs...); err != nil {
		return err
	}
	m, err := loadSeparation(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := applyConsistency(fs, m, *consistency, modelName(*model)); err != nil {
		return err
	}
	x, err := cli.ReadMono(*mix, m.Config.Rate, stderr)
	if err != nil {
		return err
	}
	want := m.Config.Speakers
	if m.Config.AudioOnly {
		want = 0
	}
	if len(faces) != want {
		return cli.Usagef("the model separates %d speaker(s) and needs %d --face folder(s), got %d", m.Config.Speakers, want, len(faces))
	}
	var tracks []separation.FaceTrack
	for _, dir := range faces {
		t, err := readFaceTrack(dir, *fps, m.Config.FPS)
		if err != nil {
			return err
		}
		tracks = append(tracks, t)
	}
	ys, err := m.Separate(x, tracks)
	if err != nil {
		return fmt.Errorf("%s: %w", *mix, err)
	}
	if err := writeSeparated(*out, m.Config, x, ys); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %.2f s, %d voice(s) → %s (speaker_1.wav …, separation.png)\n", *mix, float64(len(x))/float64(m.Config.Rate), len(ys), *out)
	return nil
}

// writeSeparated writes the voices ys and their picture into the folder
// out; on failure it leaves no partial output behind in a folder it made
// or found empty.
func writeSeparated(out string, c separation.Config, x []float64, ys [][]float64) (err error) {
	created, fresh := cli.FreshDir(out)
	defer func() {
		if err != nil && fresh {
			cli.RemoveOutput(out, created)
		}
	}()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("-o %s: %w", out, cli.UnwrapPath(err))
	}
	for i, y := range ys {
		p := filepath.Join(out, fmt.Sprintf("speaker_%d.wav", i+1))
		if err := avio.WriteMonoWAV(p, y, c.Rate, avio.Float32); err != nil {
			return err
		}
	}
	return writeSeparationPNG(filepath.Join(out, "separation.png"), c, x, ys)
}

// readFaceTrack reads a --face folder (avio.ReadFrameFolder); fps, if
// not 0, overrides the folder's, and def stands in when neither is known.
func readFaceTrack(dir string, fps, def float64) (separation.FaceTrack, error) {
	frames, own, err := avio.ReadFrameFolder(dir)
	if err != nil {
		return separation.FaceTrack{}, fmt.Errorf("--face %s: %w", dir, err)
	}
	t := separation.FaceTrack{Frames: frames, FPS: fps}
	if t.FPS == 0 {
		t.FPS = own
	}
	if t.FPS == 0 {
		t.FPS = def
	}
	return t, nil
}

// writeSeparationPNG draws the power spectrograms of the mixture and of
// every separated voice one above the other (model's STFT, dB).
func writeSeparationPNG(path string, c separation.Config, mix []float64, ys [][]float64) error {
	sc := spectrogram.DefaultConfig(c.Rate)
	sc.NFFT, sc.Hop, sc.WinLength, sc.Window = c.NFFT, c.Hop, c.WinLength, "hann"
	var imgs []image.Image
	for i, x := range append([][]float64{mix}, ys...) {
		s, err := spectrogram.Compute(x, sc)
		if err != nil {
			return err
		}
		title := "mixture"
		if i > 0 {
			title = fmt.Sprintf("speaker %d (separated)", i)
		}
		img, err := s.Image(spectrogram.RenderOptions{Axes: true, Title: title, Width: 600, Height: 200})
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	return spectrogram.WriteSheetPNG(path, imgs...)
}
