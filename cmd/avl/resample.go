package main

import (
	"context"
	"fmt"
	"io"

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

func runResample(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("resample", "IN.wav -o OUT.wav --rate R [flags]", stderr)
	out := addOut(fs, "output WAV file (required)")
	rate := fs.Int("rate", 0, "output sample rate in Hz (required)")
	enc := fs.String("encoding", "pcm16", "output samples: pcm16 or float32")
	addQuiet(fs) // resampling has no progress to silence
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if !given(fs, "rate") {
		return usagef("--rate R is required")
	}
	if *rate < 1 || *rate > 1_000_000 {
		return usagef("--rate %d: want a sample rate in Hz (1..1000000)", *rate)
	}
	e, err := parseEncoding(*enc)
	if err != nil {
		return err
	}
	if err := checkOutFile(*out, []string{".wav"}, pos[0]); err != nil {
		return err
	}
	a, _, err := readWAV(pos[0], stderr)
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
	fmt.Fprintf(stdout, "%s: %d Hz → %s: %d Hz, %d channels, %d samples\n", pos[0], from, *out, *rate, len(res.Channels), res.Len())
	return nil
}
