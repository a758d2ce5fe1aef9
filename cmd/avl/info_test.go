package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInfo(t *testing.T) {
	var out, errb strings.Builder
	files := []string{
		"../../testdata/avio/wav/pcm16_mono.wav",
		"../../testdata/avio/wav/ext_float32.wav",
		"../../testdata/avio/wav/truncated.wav",
		"../../testdata/avio/npy/read_f4.npy",
	}
	if code := run(append([]string{"info"}, files...), &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	for _, want := range []string{
		"pcm16_mono.wav: WAV, codec PCM, 16 bits, 8000 Hz, 1 channel, 300 frames, 0.037 s\n",
		"ext_float32.wav: WAV extensible (tag 0xFFFE), codec IEEE float, 32 bits, 44100 Hz, 2 channels, 140 frames, 0.003 s\n",
		"truncated.wav: WAV, codec PCM, 16 bits, 8000 Hz, 1 channel, 100 frames, 0.013 s, TRUNCATED",
		"read_f4.npy: NumPy array, dtype <f4, shape (2, 3), 6 values\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}

	// A bad file: exit 1, the error names the file; the good one still prints.
	bad := filepath.Join(t.TempDir(), "mulaw.wav")
	os.WriteFile(bad, []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x07\x00\x01\x00\x40\x1f\x00\x00\x40\x1f\x00\x00\x01\x00\x08\x00data\x00\x00\x00\x00"), 0o644)
	out.Reset()
	errb.Reset()
	if code := run([]string{"info", bad, files[0]}, &out, &errb); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(errb.String(), bad+": μ-law (tag 7) is not supported") || !strings.Contains(out.String(), "pcm16_mono.wav") {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	if code := run([]string{"info"}, &out, &errb); code != 2 {
		t.Errorf("no arguments: exit %d", code)
	}
}
