package avio

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WAVWriter writes a WAV file a block of frames at a time, for audio too
// long to hold in memory; the bytes equal WriteWAV's for the same samples.
// The number of frames is fixed when it is created, since the header
// states it first. The file is written under a temporary name and renamed
// by Close only when every frame arrived; call Abort to discard it after
// an error. A WAVWriter is not safe for concurrent use.
type WAVWriter struct {
	path          string
	f             *os.File
	bw            *bufio.Writer
	enc           Encoding
	nch           int
	frames, wrote int
	buf           []byte
	err           error // the first error, returned from then on
}

// CreateWAV starts writing path: channels channels of frames frames at
// rate Hz, in enc.
func CreateWAV(path string, rate, channels, frames int, enc Encoding) (*WAVWriter, error) {
	if err := checkWAVFormat(rate, channels, frames, enc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f, err := createTemp(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, tempFree(err, filepath.Base(path)))
	}
	w := &WAVWriter{path: path, f: f, bw: bufio.NewWriterSize(f, 1<<16), enc: enc, nch: channels, frames: frames,
		buf: make([]byte, 0, 1<<14)}
	if _, err := w.bw.Write(wavFileHeader(rate, channels, frames, enc)); err != nil {
		return nil, w.fail(err)
	}
	return w, nil
}

// Write appends frames: one slice per channel, all of one length.
func (w *WAVWriter) Write(chans [][]float64) error {
	if w.err != nil {
		return w.err
	}
	if len(chans) != w.nch {
		return w.fail(fmt.Errorf("Write of %d channels, the file has %d", len(chans), w.nch))
	}
	n := len(chans[0])
	for c, ch := range chans {
		if len(ch) != n {
			return w.fail(fmt.Errorf("channel %d has %d samples but channel 0 has %d", c, len(ch), n))
		}
	}
	if n > w.frames-w.wrote {
		return w.fail(fmt.Errorf("more than the %d frames the file was created for", w.frames))
	}
	if n == 0 {
		return nil
	}
	if err := writeWAVSamples(w.bw, chans, w.enc, w.buf); err != nil {
		return w.fail(err)
	}
	w.wrote += n
	return nil
}

// Close finishes the file and renames it into place. It fails, leaving no
// file, unless exactly the frames it was created for were written.
func (w *WAVWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.wrote != w.frames {
		return w.fail(fmt.Errorf("%d of the %d frames were written", w.wrote, w.frames))
	}
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	if err := w.f.Sync(); err != nil {
		return w.fail(err)
	}
	f := w.f
	tmp := f.Name()
	w.f = nil
	w.err = fmt.Errorf("%s: WAVWriter already closed", w.path)
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", w.path, tempFree(err, filepath.Base(w.path)))
	}
	if err := os.Rename(tmp, w.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", w.path, tempFree(err, filepath.Base(w.path)))
	}
	return nil
}

// Abort discards the file: nothing is left at its path or temporary name.
// It is safe to call after Close or after an error.
func (w *WAVWriter) Abort() {
	if w.f != nil {
		w.fail(errors.New("aborted"))
	}
}

// fail records err (naming the file), removes the temporary file and
// returns the recorded error.
func (w *WAVWriter) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("%s: %w", w.path, tempFree(err, filepath.Base(w.path)))
	}
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		w.f = nil
	}
	return w.err
}
