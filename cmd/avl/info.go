package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/cli"
)

func init() {
	register(&command{
		name:    "info",
		summary: "describe WAV and .npy files (format, rate, channels, duration, shape)",
		run:     runInfo,
	})
}

func runInfo(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := cli.NewFlags("info", "FILE.wav|FILE.npy ... [-q]", stderr)
	cli.AddQuiet(fs) // info prints results only
	pos, err := cli.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return cli.Usagef("want at least one WAV or .npy file")
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
	if strings.EqualFold(filepath.Ext(path), ".npy") {
		a, err := avio.ReadNPY(path)
		if err != nil {
			return "", err
		}
		return path + ": " + a.Summary(), nil
	}
	info, err := avio.ReadWAVInfo(path)
	if err != nil {
		return "", err
	}
	return path + ": " + info.Summary(), nil
}
