package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/spectrogram"
)

func init() {
	register(&command{
		name:    "spectrogram",
		summary: "spectrogram, mel or MFCC of a WAV file as .npy or .png",
		run:     runSpectrogram,
	})
}

func runSpectrogram(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("spectrogram", "IN.wav -o OUT.npy|OUT.png [flags]", stderr)
	out := cli.AddOut(fs, "output: .npy (float32, bins × frames) or .png picture (required)")
	meta := fs.Bool("meta", true, "with .npy, also write OUT.json: the configuration that made it (read by griffinlim)")
	sf := addSTFTFlags(fs)
	mels := fs.Int("mel", 0, "mel filterbank channels (0: linear spectrogram)")
	melScale := fs.String("mel-scale", "htk", "mel scale: htk (torchaudio) or slaney (librosa)")
	melNorm := fs.String("mel-norm", "none", "mel filter norm: none (torchaudio) or slaney (librosa)")
	fmin := fs.Float64("fmin", 0, "lowest mel filter edge in Hz")
	fmax := fs.Float64("fmax", 0, "highest mel filter edge in Hz (0: sr/2)")
	db := fs.Bool("db", false, "convert to decibels (10·log10 power or 20·log10 magnitude, amin 1e-10)")
	topDB := fs.Float64("top-db", -1, "clip decibels this far below the maximum (-1: 80 with --mfcc, else none; 0: none)")
	mfcc := fs.Int("mfcc", 0, "MFCC coefficients of the log-mel spectrogram (needs --mel; 0: none)")
	sr := fs.Int("sr", 0, "resample to this rate in Hz first (0: keep the file's rate)")
	cmap := fs.String("cmap", "viridis", "PNG colour map: viridis, magma or gray")
	axes := fs.Bool("axes", true, "PNG: draw time and frequency axes")
	rng := fs.Float64("range", 80, "PNG: dB range shown below the maximum")
	quiet := cli.AddQuiet(fs)
	cli.AddNote(fs, spectrogramMemoryNote)
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if *out == "" {
		return cli.Usagef("-o OUT.npy or OUT.png is required")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if err := checkRate("sr", *sr); err != nil {
		return err
	}
	ms, err := dsp.ParseMelScale(*melScale)
	if err != nil {
		return cli.Usagef("--mel-scale %q: want htk or slaney", *melScale)
	}
	mn, err := dsp.ParseMelNorm(*melNorm)
	if err != nil {
		return cli.Usagef("--mel-norm %q: want none or slaney", *melNorm)
	}
	cm, err := spectrogram.ParseColormap(*cmap)
	if err != nil {
		return cli.Usagef("--cmap %q: want viridis, magma or gray", *cmap)
	}
	switch {
	case *mels < 0:
		return cli.Usagef("--mel %d: want ≥ 0", *mels)
	case *mfcc < 0:
		return cli.Usagef("--mfcc %d: want ≥ 0", *mfcc)
	case *mfcc > 0 && *mels == 0:
		return cli.Usagef("--mfcc needs --mel N (the mel channels the DCT runs over), e.g. --mel 40")
	case *topDB < 0 && *topDB != -1:
		return cli.Usagef("--top-db %g: want ≥ 0 (or -1 for the default)", *topDB)
	case !(*rng > 0):
		return cli.Usagef("--range %g: want > 0", *rng)
	}
	if err := cli.CheckOutFile(*out, []string{".npy", ".png"}, pos[0]); err != nil {
		return err
	}
	if ext == ".npy" && *meta {
		if err := cli.NotInput(sidecar(*out), pos); err != nil {
			return err
		}
		cli.OnAbandon(func() { cli.RemoveTemps(sidecar(*out)) })
	}

	r, err := avio.OpenWAV(pos[0])
	if err != nil {
		return err
	}
	defer r.Close()
	info := r.Info()
	cli.WarnTruncated(pos[0], info, stderr)
	rate := info.SampleRate
	resample := *sr > 0 && *sr != rate
	if resample {
		rate = *sr
	}
	c, err := sf.config(rate)
	if err != nil {
		return err
	}
	c.NMels, c.MelScale, c.MelNorm, c.FMin, c.FMax = *mels, ms, mn, *fmin, *fmax
	c.DB, c.NMFCC, c.TopDB = *db, *mfcc, *topDB
	if c.TopDB == -1 {
		c.TopDB = 0
		if c.NMFCC > 0 {
			c.TopDB = 80 // torchaudio.transforms.MFCC's and librosa's default
		}
	}
	if err := c.Validate(); err != nil {
		return cli.Usagef("%v", err)
	}
	if bins := c.NFFT/2 + 1; c.NMels > bins {
		fmt.Fprintf(stderr, "warning: --mel %d is more mel bands than the %d FFT bins of n-fft %d: some bands are empty or repeat a bin; use fewer bands or a larger --n-fft\n",
			c.NMels, bins, c.NFFT)
	}
	var s *spectrogram.Spectrogram
	if ext == ".npy" {
		// Nothing needs the whole signal: read, resample, transform and
		// write it a block at a time (holding only the frames' power for
		// --top-db).
		side := ""
		if *meta {
			side = sidecar(*out)
		}
		n := info.Frames
		if resample {
			rs, err := dsp.NewResampler(info.SampleRate, rate, dsp.HighQualityResampleOptions())
			if err != nil {
				return fmt.Errorf("%s: resampling to %d Hz: %w", pos[0], *sr, err)
			}
			n = rs.Outputs(n)
		}
		if err := checkSignalLength(pos[0], n, c); err != nil {
			return err
		}
		o := spectrogram.WAVToNPYOptions{Name: pos[0], Sidecar: side}
		if info.FloatSamples() { // integer samples are finite
			o.Check = func(x []float64, offset int) error { return cli.CheckFinite(pos[0], x, offset, 0, 1) }
		}
		if !*quiet {
			o.Progress = stderr
		}
		if s, err = spectrogram.WAVToNPY(ctx, r, c, *out, o); err != nil {
			return err
		}
	} else {
		// The picture needs the whole spectrogram. ReadMono gives the
		// values of ReadWAV + Audio.Mono.
		x := make([]float64, info.Frames) // Frames is bounded by the file's size
		if _, err := r.ReadMono(x); err != nil && err != io.EOF {
			return err
		}
		if err := cli.CheckFinite(pos[0], x, 0, 0, 1); err != nil {
			return err
		}
		if resample {
			if x, err = dsp.Resample(x, info.SampleRate, *sr); err != nil {
				return fmt.Errorf("%s: resampling to %d Hz: %w", pos[0], *sr, err)
			}
		}
		if err := checkSignalLength(pos[0], len(x), c); err != nil {
			return err
		}
		if s, err = spectrogram.Compute(x, c); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
		if ext == ".npy" {
			err = s.WriteNPY(*out)
			if err == nil && *meta {
				err = s.WriteMeta(sidecar(*out))
			}
		} else {
			title := fmt.Sprintf("%s: %s", filepath.Base(pos[0]), s.Summary())
			err = s.WritePNG(*out, spectrogram.RenderOptions{Colormap: cm, Axes: *axes, Title: title, Range: *rng})
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s: %d×%d %s (%s) → %s\n", pos[0], s.Bins, s.Frames, s.Kind, s.Summary(), *out)
	return nil
}

// checkSignalLength reports, in the command's terms, a signal of n samples
// too short for the framing of c (dsp's own error names its Go options).
func checkSignalLength(name string, n int, c spectrogram.Config) error {
	switch {
	case c.Center && c.Pad == dsp.PadReflect && n <= c.NFFT/2:
		return fmt.Errorf("%s: %d samples are too short for centred frames with reflect padding of %d; use --pad-mode constant or a longer file", name, n, c.NFFT/2)
	case !c.Center && n < c.NFFT:
		return fmt.Errorf("%s: %d samples are fewer than one frame of --n-fft %d; use --center or a longer file", name, n, c.NFFT)
	}
	return nil
}

// sidecar returns the JSON file kept beside a .npy spectrogram: a.npy → a.json.
func sidecar(npy string) string {
	return strings.TrimSuffix(npy, filepath.Ext(npy)) + ".json"
}

// spectrogramMemoryNote ends "avl spectrogram -h": which outputs stream.
const spectrogramMemoryNote = `
Memory: a .npy output is computed while the WAV file is read, a block at a
time, so files of any length take about 32 MB (the .npy is filled in place
on disk). --top-db clipping (implied by --mfcc) needs the maximum of the
whole spectrogram: up to 48 MB of power are held until the end (about 15
minutes of 80 mels at hop 10 ms); longer files are read twice, once for
the maximum, in the same memory as without it. --sr
resamples as the file is read. A .png output holds the whole signal and
spectrogram.
`
