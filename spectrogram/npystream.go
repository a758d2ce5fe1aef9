package spectrogram

import (
	"fmt"

	"github.com/avlearn/avlearn/avio"
)

// NPYWriter writes a spectrogram to a .npy file frame by frame, in the
// layout and with the bytes of WriteNPY, for spectrograms of signals too
// long to hold in memory. Its WriteFrame is the emit function of a Stream:
//
//	w, err := spectrogram.CreateNPY("out.npy", c, nSamples)
//	st, err := spectrogram.NewStream(c, w.WriteFrame)
//	… st.Write(block) for each block of the signal, st.Close(), w.Close()
//
// The signal's length must be known in advance (a WAV header gives it):
// it fixes the number of frames, which the .npy header states first. Memory
// stays at a block of about a megabyte, whatever the length. The file is
// renamed into place by Close only when every frame arrived; call Abort
// to discard it after an error.
type NPYWriter struct {
	w      *avio.NPYColumnWriter
	c      Config
	frames int
}

// CreateNPY starts writing path for the spectrogram under c of a signal of
// nSamples samples: shape (c.Bins(), frames), where frames is the count
// Compute gives.
func CreateNPY(path string, c Config, nSamples int) (*NPYWriter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	sc, err := c.stft()
	if err != nil {
		return nil, err
	}
	frames := sc.NumFrames(nSamples)
	if frames == 0 {
		return nil, fmt.Errorf("spectrogram: signal of %d samples gives no frame", nSamples)
	}
	w, err := avio.CreateNPYColumns(path, c.Bins(), frames)
	if err != nil {
		return nil, err
	}
	return &NPYWriter{w: w, c: c, frames: frames}, nil
}

// Frames returns the number of frames the file will hold.
func (w *NPYWriter) Frames() int { return w.frames }

// WriteFrame appends the next frame: Bins values, lowest bin first.
func (w *NPYWriter) WriteFrame(col []float32) error { return w.w.WriteColumn(col) }

// Close finishes the file and renames it into place. It fails, leaving no
// file, unless exactly Frames frames were written.
func (w *NPYWriter) Close() error { return w.w.Close() }

// Abort discards the file; it is safe after Close or an error.
func (w *NPYWriter) Abort() { w.w.Abort() }

// WriteMeta writes the JSON that Spectrogram.WriteMeta writes for the
// finished spectrogram — kind, scale, (bins, frames) and the Config — to
// path, atomically; ReadMeta reads it.
func (w *NPYWriter) WriteMeta(path string) error {
	c := w.c
	return writeMeta(path, meta{c.Kind().String(), c.Scale().String(), [2]int{c.Bins(), w.frames}, c})
}
