package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
)

func init() {
	register(&command{
		name:    "info",
		summary: "describe WAV and .npy files (format, rate, channels, duration, shape)",
		run:     runInfo,
	})
}

func runInfo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("info", "FILE.wav|FILE.npy ... [-q]", stderr)
	addQuiet(fs) // info prints results only
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("want at least one WAV or .npy file")
	}
	failed := 0
	for _, p := range pos {
		line, err := describeFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "avl info: %v\n", err)
			failed++
			continue
		}
		fmt.Fprintln(stdout, line)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be read", failed, len(pos))
	}
	return nil
}

// describeFile returns one line about a WAV or .npy file.
func describeFile(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".npy":
		a, err := avio.ReadNPY(path)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s: NumPy array, dtype %s, shape %s, %d values", path, a.DType, infoShapeString(a.Shape), len(a.Data)), nil
	default:
		info, err := avio.ReadWAVInfo(path)
		if err != nil {
			return "", err
		}
		format := "WAV"
		if info.FormatTag == 0xFFFE {
			format = "WAV extensible (tag 0xFFFE)"
		}
		bits := fmt.Sprintf("%d bits", info.BitsPerSample)
		if info.ValidBits != info.BitsPerSample {
			bits = fmt.Sprintf("%d bits (%d valid)", info.BitsPerSample, info.ValidBits)
		}
		chans := "channels"
		if info.Channels == 1 {
			chans = "channel"
		}
		s := fmt.Sprintf("%s: %s, codec %s, %s, %d Hz, %d %s, %d frames, %.3f s",
			path, format, info.Codec, bits, info.SampleRate, info.Channels, chans, info.Frames, info.Duration())
		if info.Truncated {
			s += ", TRUNCATED (the data chunk claims more bytes than the file holds)"
		}
		return s, nil
	}
}

func infoShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	if len(shape) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
