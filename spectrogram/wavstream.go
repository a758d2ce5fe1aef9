package spectrogram

import (
	"context"
	"fmt"
	"io"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/progress"
)

// WAVToNPYOptions are the optional parts of WAVToNPY.
type WAVToNPYOptions struct {
	Name    string // the input's name in errors, e.g. its path
	Sidecar string // if set, the JSON configuration (WriteMeta) is written here
	// Check, if set, sees every block of samples (starting at sample
	// offset) before it is transformed; its error stops the run, e.g. to
	// refuse NaN samples.
	Check func(block []float64, offset int) error
	// Progress receives a progress line in seconds of audio read, for
	// files of a minute or more; nil is quiet.
	Progress io.Writer
}

// WAVToNPY computes the spectrogram under c of the mono down-mix of the
// WAV file r and writes it to the .npy file path a block at a time
// (NewStream into CreateNPY), in memory that does not grow with the file.
// It stops when ctx is cancelled; on any error no partial file is left.
// The returned Spectrogram has the shape and Config but no values.
func WAVToNPY(ctx context.Context, r *avio.WAVReader, c Config, path string, o WAVToNPYOptions) (*Spectrogram, error) {
	info := r.Info()
	w, err := CreateNPY(path, c, info.Frames)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Name, err)
	}
	defer w.Abort() // a no-op once Close has succeeded
	var werr error  // an error writing path, as opposed to computing
	st, err := NewStream(c, func(col []float32) error {
		werr = w.WriteFrame(col)
		return werr
	})
	if err != nil {
		return nil, err
	}
	var bar *progress.Bar
	if o.Progress != nil && info.Duration() >= 60 {
		bar = progress.New(o.Progress, "spectrogram (seconds)", int(info.Duration()))
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
		if o.Check != nil {
			if err := o.Check(buf[:n], done); err != nil {
				return nil, err
			}
		}
		if err := st.Write(buf[:n]); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		done += n
		bar.Set(done/info.SampleRate, "")
	}
	if err := st.Close(); err != nil {
		if werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("%s: %w", o.Name, err)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	bar.Done()
	if o.Sidecar != "" {
		if err := w.WriteMeta(o.Sidecar); err != nil {
			return nil, err
		}
	}
	return &Spectrogram{Bins: c.Bins(), Frames: w.Frames(), Config: c, Kind: c.Kind(), Scale: c.Scale()}, nil
}
