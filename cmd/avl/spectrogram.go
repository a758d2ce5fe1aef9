package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/progress"
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
	fs := newFlags("spectrogram", "IN.wav -o OUT.npy|OUT.png [flags]", stderr)
	out := addOut(fs, "output: .npy (float32, bins × frames) or .png picture (required)")
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
	quiet := addQuiet(fs)
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(stderr, spectrogramMemoryNote)
	}
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if *out == "" {
		return usagef("-o OUT.npy or OUT.png is required")
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if err := checkRate("sr", *sr); err != nil {
		return err
	}
	ms, err := dsp.ParseMelScale(*melScale)
	if err != nil {
		return usagef("--mel-scale %q: want htk or slaney", *melScale)
	}
	mn, err := dsp.ParseMelNorm(*melNorm)
	if err != nil {
		return usagef("--mel-norm %q: want none or slaney", *melNorm)
	}
	cm, err := spectrogram.ParseColormap(*cmap)
	if err != nil {
		return usagef("--cmap %q: want viridis, magma or gray", *cmap)
	}
	switch {
	case *mels < 0:
		return usagef("--mel %d: want ≥ 0", *mels)
	case *mfcc < 0:
		return usagef("--mfcc %d: want ≥ 0", *mfcc)
	case *mfcc > 0 && *mels == 0:
		return usagef("--mfcc needs --mel N (the mel channels the DCT runs over), e.g. --mel 40")
	case *topDB < 0 && *topDB != -1:
		return usagef("--top-db %g: want ≥ 0 (or -1 for the default)", *topDB)
	case !(*rng > 0):
		return usagef("--range %g: want > 0", *rng)
	}
	if err := checkOutFile(*out, []string{".npy", ".png"}, pos[0]); err != nil {
		return err
	}
	if ext == ".npy" && *meta {
		if err := notInput(sidecar(*out), pos); err != nil {
			return err
		}
		onAbandon(func() { removeTemps(sidecar(*out)) })
	}

	r, err := avio.OpenWAV(pos[0])
	if err != nil {
		return err
	}
	defer r.Close()
	info := r.Info()
	warnTruncated(pos[0], info, stderr)
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
		return usagef("%v", err)
	}
	if bins := c.NFFT/2 + 1; c.NMels > bins {
		fmt.Fprintf(stderr, "warning: --mel %d is more mel bands than the %d FFT bins of n-fft %d: some bands are empty or repeat a bin; use fewer bands or a larger --n-fft\n",
			c.NMels, bins, c.NFFT)
	}
	var s *spectrogram.Spectrogram
	if ext == ".npy" && !resample && c.TopDB == 0 {
		// Nothing needs the whole signal: read, transform and write it a
		// block at a time, in memory that does not grow with the file.
		side := ""
		if *meta {
			side = sidecar(*out)
		}
		if err := checkSignalLength(pos[0], info.Frames, c); err != nil {
			return err
		}
		if s, err = streamNPY(ctx, r, pos[0], c, *out, side, stderr, *quiet); err != nil {
			return err
		}
	} else {
		// Resampling and top-dB clipping need the whole signal; so does the
		// picture. ReadMono gives the values of ReadWAV + Audio.Mono.
		x := make([]float64, info.Frames) // Frames is bounded by the file's size
		if _, err := r.ReadMono(x); err != nil && err != io.EOF {
			return err
		}
		if err := checkFinite(pos[0], x, 0, 0, 1); err != nil {
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
			title := fmt.Sprintf("%s: %s", filepath.Base(pos[0]), describe(s))
			err = s.WritePNG(*out, spectrogram.RenderOptions{Colormap: cm, Axes: *axes, Title: title, Range: *rng})
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s: %d×%d %s (%s) → %s\n", pos[0], s.Bins, s.Frames, s.Kind, describe(s), *out)
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

// describe summarises how s was made, e.g. "mel 40 htk, power dB, hamming 400/512 hop 160 @ 16000 Hz".
func describe(s *spectrogram.Spectrogram) string {
	c := s.Config
	var b strings.Builder
	switch s.Kind {
	case spectrogram.MFCC:
		fmt.Fprintf(&b, "%d MFCC of %d mels, ", c.NMFCC, c.NMels)
	case spectrogram.Mel:
		fmt.Fprintf(&b, "%d mels %s, ", c.NMels, c.MelScale)
	}
	unit := "power"
	if c.Power == 1 {
		unit = "magnitude"
	}
	if s.Scale == spectrogram.DB {
		unit += " dB"
	}
	if c.TopDB > 0 {
		unit += fmt.Sprintf(" (top %g)", c.TopDB)
	}
	fmt.Fprintf(&b, "%s, %s %d/%d hop %d, %d Hz", unit, c.Window, c.WinLength, c.NFFT, c.Hop, c.SampleRate)
	return b.String()
}

// sidecar returns the JSON file kept beside a .npy spectrogram: a.npy → a.json.
func sidecar(npy string) string {
	return strings.TrimSuffix(npy, filepath.Ext(npy)) + ".json"
}

// spectrogramMemoryNote ends "avl spectrogram -h": which outputs stream.
const spectrogramMemoryNote = `
Memory: a .npy output is computed while the WAV file is read, a block at a
time, so files of any length take a few megabytes (the .npy is filled in
place on disk). Three cases hold the whole signal and spectrogram in memory
instead: --sr resampling, --top-db clipping (it needs the maximum of the
whole spectrogram; --mfcc implies --top-db 80, so add --top-db 0 to stream
MFCCs of long files), and .png output (the picture needs every frame).
`

// streamNPY computes the spectrogram under c of the mono down-mix of r (the
// file name) and writes it to out, block by block, and the JSON sidecar to
// side unless it is "". The returned Spectrogram has the shape and Config
// but no values.
func streamNPY(ctx context.Context, r *avio.WAVReader, name string, c spectrogram.Config, out, side string, stderr io.Writer, quiet bool) (*spectrogram.Spectrogram, error) {
	info := r.Info()
	w, err := spectrogram.CreateNPY(out, c, info.Frames)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer w.Abort() // a no-op once Close has succeeded
	var werr error  // an error writing out, as opposed to computing
	st, err := spectrogram.NewStream(c, func(col []float32) error {
		werr = w.WriteFrame(col)
		return werr
	})
	if err != nil {
		return nil, err
	}
	// Long files show progress in seconds of audio read.
	var bar *progress.Bar
	if !quiet && info.Duration() >= 60 {
		bar = progress.New(stderr, "spectrogram (seconds)", int(info.Duration()))
	}
	buf := make([]float64, 1<<15)
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err // the deferred Abort removes the partial file
		}
		n, err := r.ReadMono(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := checkFinite(name, buf[:n], done, 0, 1); err != nil {
			return nil, err
		}
		if err := st.Write(buf[:n]); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		done += n
		bar.Set(done/info.SampleRate, "")
	}
	if err := st.Close(); err != nil {
		if werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	bar.Done()
	if side != "" {
		if err := w.WriteMeta(side); err != nil {
			return nil, err
		}
	}
	return &spectrogram.Spectrogram{Bins: c.Bins(), Frames: w.Frames(), Config: c, Kind: c.Kind(), Scale: c.Scale()}, nil
}
