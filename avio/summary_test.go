package avio

import (
	"path/filepath"
	"testing"
)

func TestSummaries(t *testing.T) {
	dir := t.TempDir()
	wav := filepath.Join(dir, "a.wav")
	if err := WriteWAV(wav, &Audio{SampleRate: 8000, Channels: [][]float64{make([]float64, 4000), make([]float64, 4000)}}, Float32); err != nil {
		t.Fatal(err)
	}
	info, err := ReadWAVInfo(wav)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.Summary(), "WAV, codec IEEE float, 32 bits, 8000 Hz, 2 channels, 4000 frames, 0.500 s"; got != want {
		t.Errorf("WAVInfo.Summary() = %q, want %q", got, want)
	}
	info.Channels, info.Truncated, info.FormatTag, info.ValidBits = 1, true, 0xFFFE, 24
	if got, want := info.Summary(), "WAV extensible (tag 0xFFFE), codec IEEE float, 32 bits (24 valid), 8000 Hz, 1 channel, 4000 frames, 0.500 s, TRUNCATED (the data chunk claims more bytes than the file holds)"; got != want {
		t.Errorf("WAVInfo.Summary() = %q, want %q", got, want)
	}
	for _, c := range []struct {
		a    Array
		want string
	}{
		{Array{Shape: []int{2, 3}, Data: make([]float64, 6), DType: "<f4"}, "NumPy array, dtype <f4, shape (2, 3), 6 values"},
		{Array{Shape: []int{5}, Data: make([]float64, 5), DType: "<i8"}, "NumPy array, dtype <i8, shape (5,), 5 values"},
		{Array{Shape: []int{}, Data: make([]float64, 1), DType: "<f8"}, "NumPy array, dtype <f8, shape (), 1 values"},
	} {
		if got := c.a.Summary(); got != c.want {
			t.Errorf("Array.Summary() = %q, want %q", got, c.want)
		}
	}
}
