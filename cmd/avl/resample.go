package main

import (
	"context"
	"fmt"
	"io"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/cli"
)

func init() {
	register(&command{
		name:    "resample",
		summary: "change a WAV file's sample rate",
		run:     runResample,
	})
}

func runResample(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("resample", "IN.wav -o OUT.wav --rate R [flags]", stderr)
	out := cli.AddOut(fs, "output WAV file (required)")
	rate := fs.Int("rate", 0, "output sample rate in Hz (required)")
	enc := fs.String("encoding", "pcm16", "output samples: pcm16 or float32")
	filter := fs.String("filter", "hq", "low-pass filter: hq (Kaiser, 32 zero crossings: stop band below −120 dB) or torchaudio (torchaudio.functional.resample's default: 6 zero crossings, about 3 times faster, shallow stop band)")
	cli.AddQuiet(fs) // resampling has no progress to silence
	cli.AddNote(fs, "\nMemory: the file is read, resampled and written a block at a time, so\nfiles of any length take a few megabytes.\n")
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one input WAV file, got %d arguments", len(pos))
	}
	if !cli.Given(fs, "rate") {
		return cli.Usagef("--rate R is required")
	}
	if *rate < 1 || *rate > 1_000_000 {
		return cli.Usagef("--rate %d: want a sample rate in Hz (1..1000000)", *rate)
	}
	e, err := cli.ParseEncoding(*enc)
	if err != nil {
		return err
	}
	var o dsp.ResampleOptions
	switch *filter {
	case "hq":
		o = dsp.HighQualityResampleOptions()
	case "torchaudio":
		o = dsp.TorchaudioResampleOptions()
	default:
		return cli.Usagef("--filter %q: want hq or torchaudio", *filter)
	}
	if err := cli.CheckOutFile(*out, []string{".wav"}, pos[0]); err != nil {
		return err
	}
	r, err := avio.OpenWAV(pos[0])
	if err != nil {
		return err
	}
	defer r.Close()
	info := r.Info()
	cli.WarnTruncated(pos[0], info, stderr)
	nch := info.Channels
	rs := make([]*dsp.Resampler, nch)
	for c := range rs {
		if rs[c], err = dsp.NewResampler(info.SampleRate, *rate, o); err != nil {
			return fmt.Errorf("%s: %w", pos[0], err)
		}
	}
	total := rs[0].Outputs(info.Frames)
	w, err := avio.CreateWAV(*out, *rate, nch, total, e)
	if err != nil {
		return err
	}
	defer w.Abort() // a no-op once Close has succeeded
	in, res := make([][]float64, nch), make([][]float64, nch)
	for c := range in {
		in[c] = make([]float64, 1<<15)
	}
	for done := 0; ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(in)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for c := range in {
			if info.FloatSamples() { // integer samples are finite
				if err := cli.CheckFinite(pos[0], in[c][:n], done, c, nch); err != nil {
					return err
				}
			}
			res[c] = rs[c].Write(res[c][:0], in[c][:n])
		}
		if err := w.Write(res); err != nil {
			return err
		}
		done += n
	}
	for c := range rs {
		res[c] = rs[c].Flush(res[c][:0])
	}
	if err := w.Write(res); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d Hz → %s: %d Hz, %d channels, %d samples\n", pos[0], info.SampleRate, *out, *rate, nch, total)
	return nil
}
