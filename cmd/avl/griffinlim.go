package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/spectrogram"
)

func init() {
	register(&command{
		name:    "griffinlim",
		summary: "rebuild a WAV file from a linear spectrogram .npy (Griffin-Lim)",
		run:     runGriffinLim,
	})
}

func runGriffinLim(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("griffinlim", "IN.npy -o OUT.wav [flags]", stderr)
	out := addOut(fs, "output WAV file (required)")
	sf := addSTFTFlags(fs)
	sr := fs.Int("sr", 16000, "sample rate in Hz the spectrogram was made at")
	db := fs.Bool("db", false, "the input holds decibels (of power or magnitude, per --power)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl griffinlim IN.npy -o OUT.wav [flags]\n\n"+
			"IN.npy is a linear (bins, frames) spectrogram. If IN.json (written by\n"+
			"avl spectrogram) is beside it, its configuration is used and flags given\n"+
			"explicitly override it; otherwise the flags describe the spectrogram and\n"+
			"n_fft defaults to 2·(bins−1).\n\n")
		fs.PrintDefaults()
		fmt.Fprint(stderr, griffinLimMemoryNote)
	}
	iters := fs.Int("iters", 32, "Griffin-Lim iterations")
	momentum := fs.Float64("momentum", 0.99, "fast Griffin-Lim momentum in [0, 1) (0: original algorithm)")
	enc := fs.String("encoding", "pcm16", "output samples: pcm16 or float32")
	quiet := addQuiet(fs)
	memGB := fs.Float64("memory", 1, "GB of working memory for Griffin-Lim; longer spectrograms are inverted in overlapping blocks that fit (see Memory below)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one input .npy file, got %d arguments", len(pos))
	}
	if *sr == 0 {
		return usagef("--sr must be given (the spectrogram's sample rate)")
	}
	if err := checkRate("sr", *sr); err != nil {
		return err
	}
	switch {
	case *iters < 1 || *iters > 100000:
		return usagef("--iters %d: want 1..100000", *iters)
	case !(*momentum >= 0 && *momentum < 1):
		return usagef("--momentum %g: want 0 ≤ m < 1", *momentum)
	case !(*memGB >= 0.05):
		return usagef("--memory %g: want ≥ 0.05 GB", *memGB)
	}
	e, err := parseEncoding(*enc)
	if err != nil {
		return err
	}
	if err := checkOutFile(*out, []string{".wav"}, pos[0]); err != nil {
		return err
	}
	a, err := avio.ReadNPY(pos[0])
	if err != nil {
		return err
	}
	if len(a.Shape) != 2 || a.Shape[0] < 2 {
		return fmt.Errorf("%s: shape %v, want a linear spectrogram (bins, frames)", pos[0], a.Shape)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c, err := glConfig(pos[0], a.Shape[0], sf, set, *sr, *db)
	if err != nil {
		return err
	}
	if c.Bins() != a.Shape[0] {
		return fmt.Errorf("%s: %d rows, but n-fft %d (from %s or the flags) gives %d bins", pos[0], a.Shape[0], c.NFFT, sidecar(pos[0]), c.Bins())
	}
	s, err := spectrogram.ReadNPY(pos[0], c)
	if err != nil {
		return err
	}
	for i, v := range s.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%s: value %g at bin %d, frame %d: a spectrogram must hold finite numbers", pos[0], v, i/s.Frames, i%s.Frames)
		}
	}
	if !c.DB {
		for i, v := range s.Data {
			if v < 0 {
				return fmt.Errorf("%s: value %g at bin %d, frame %d is negative: a linear spectrogram is ≥ 0 (pass --db if it holds decibels)",
					pos[0], v, i/s.Frames, i%s.Frames)
			}
		}
	}
	var w io.Writer
	if !*quiet {
		w = stderr
	}
	o := spectrogram.InvertOptions{Iters: *iters, Momentum: *momentum,
		Block: max(int(*memGB*1e9/glBytesPerValue)/s.Bins, 8*((c.NFFT+c.Hop-1)/c.Hop+1))}
	blocks := o.Blocks(s.Frames)
	label := "griffinlim"
	if blocks > 1 {
		label = fmt.Sprintf("griffinlim (%d blocks of %d frames)", blocks, o.Block)
	}
	bar := progress.New(w, label, *iters*blocks)
	o.Observe = func(i int, conv float64) { bar.Set(i, fmt.Sprintf("convergence %.4f", conv)) }
	x, err := s.Invert(o)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	bar.Done()
	if err := avio.WriteMonoWAV(*out, x, *sr, e); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d×%d → %s: %d samples at %d Hz (n_fft %d, hop %d, %s %d)\n",
		pos[0], s.Bins, s.Frames, *out, len(x), *sr, c.NFFT, c.Hop, c.Window, c.WinLength)
	return nil
}

// parseEncoding parses the --encoding flag.
func parseEncoding(s string) (avio.Encoding, error) {
	switch strings.ToLower(s) {
	case "pcm16":
		return avio.PCM16, nil
	case "float32":
		return avio.Float32, nil
	}
	return 0, usagef("--encoding %q: want pcm16 or float32", s)
}

// glConfig returns the configuration of the spectrogram in npy with the
// given rows: from the sidecar JSON if there is one, with the flags in set
// overriding it, else from the flags.
func glConfig(npy string, rows int, sf *stftFlags, set map[string]bool, sr int, db bool) (spectrogram.Config, error) {
	metaPath := sidecar(npy)
	c, err := spectrogram.ReadMeta(metaPath)
	switch {
	case err == nil:
		if c.Kind() != spectrogram.Linear {
			return c, fmt.Errorf("%s: a %s spectrogram; griffinlim needs a linear one", metaPath, c.Kind())
		}
		if set["sr"] {
			c.SampleRate = sr
		}
		if set["db"] {
			c.DB = db
		}
		if err := sf.override(&c, set); err != nil {
			return c, err
		}
	case errors.Is(err, os.ErrNotExist):
		if c, err = sf.config(sr); err != nil {
			return c, err
		}
		if sf.nFFT == 0 {
			// The rows fix n_fft: bins = n_fft/2 + 1.
			c.NFFT = 2 * (rows - 1)
			if sf.winLength == 0 {
				c.WinLength = min(c.WinLength, c.NFFT)
			}
		}
		c.DB = db
	default:
		return c, err
	}
	if err := c.Validate(); err != nil {
		return c, usagef("%v", err)
	}
	return c, nil
}

// glBytesPerValue is Griffin-Lim's peak working memory per spectrogram
// value (bin × frame): float64 magnitudes and targets, complex128 phases,
// spectrum, previous and rebuilt spectra, and one iteration's garbage. It
// is the measured peak RSS of a 10-minute inversion divided by its values.
const glBytesPerValue = 150

// griffinLimMemoryNote ends "avl griffinlim -h".
const griffinLimMemoryNote = `
Memory: Griffin-Lim works on about 150 bytes per spectrogram value (bins ×
frames): 257 bins at hop 160 and 16 kHz (n-fft 512) are 3.9 million values,
0.6 GB, per minute of sound. A spectrogram needing more than --memory is
inverted in blocks that fit, overlapping by a quarter and cross-faded, so
any length runs in about --memory plus 20 bytes per value for the input
and output themselves (0.3 GB for 10 minutes at the settings above).
`
