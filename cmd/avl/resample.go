package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

func init() {
	register(&command{
		name:    "resample",
		summary: "change a WAV file's sample rate",
		run:     runResample,
	})
}

func runResample(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("resample", "IN.wav -o OUT.wav --rate R [flags]", stderr)
	out := fs.String("o", "", "output WAV file")
	rate := fs.Int("rate", 0, "output sample rate in Hz (required)")
	enc := fs.String("encoding", "pcm16", "output samples: pcm16 or float32")
	quiet := fs.Bool("q", false, "print nothing on success")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if err := checkWAVOut(*out); err != nil {
		return err
	}
	if *rate == 0 {
		return usagef("--rate R is required")
	}
	if err := checkRate("rate", *rate); err != nil {
		return err
	}
	e, err := parseEncoding(*enc)
	if err != nil {
		return err
	}
	a, _, err := avio.ReadWAV(pos[0])
	if err != nil {
		return err
	}
	from := a.SampleRate
	res := &avio.Audio{SampleRate: *rate, Channels: make([][]float64, len(a.Channels))}
	for i, ch := range a.Channels {
		if res.Channels[i], err = dsp.Resample(ch, from, *rate); err != nil {
			return fmt.Errorf("%s: channel %d: %w", pos[0], i, err)
		}
	}
	if err := avio.WriteWAV(*out, res, e); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stdout, "%s: %d Hz → %s: %d Hz, %d channels, %d samples\n", pos[0], from, *out, *rate, len(res.Channels), res.Len())
	}
	return nil
}

// checkWAVOut checks the -o flag of a command that writes one WAV file.
func checkWAVOut(out string) error {
	if out == "" {
		return usagef("-o OUT.wav is required")
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".wav" {
		return usagef("-o %s: unknown output type %q (want .wav)", out, ext)
	}
	return nil
}
