package spectrogram

import (
	"context"
	"fmt"
	"io"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
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
// WAV file r and writes it to the .npy file path, with the bytes
// Compute + WriteNPY would give. If c.SampleRate is not the file's rate,
// the samples are resampled to it as they are read, as dsp.Resample does. With TopDB 0 it runs a block at a time
// (NewStream into CreateNPY), in memory that does not grow with the file.
// TopDB clipping needs the maximum of the whole spectrogram, so with TopDB
// set it holds the power (or mel power) of every frame, 8 bytes per bin or
// mel band per frame (38 MB for 10 minutes of 80 mels at hop 10 ms), and
// converts and writes it after the last frame. It stops when ctx is
// cancelled; on any error no partial file is left. The returned
// Spectrogram has the shape and Config but no values.
func WAVToNPY(ctx context.Context, r *avio.WAVReader, c Config, path string, o WAVToNPYOptions) (*Spectrogram, error) {
	info := r.Info()
	nSamples := info.Frames
	var rs *dsp.Resampler
	if c.SampleRate != info.SampleRate {
		var err error
		if rs, err = dsp.NewResampler(info.SampleRate, c.SampleRate, dsp.HighQualityResampleOptions()); err != nil {
			return nil, fmt.Errorf("%s: resampling to %d Hz: %w", o.Name, c.SampleRate, err)
		}
		nSamples = rs.Outputs(nSamples)
	}
	w, err := CreateNPY(path, c, nSamples)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Name, err)
	}
	defer w.Abort() // a no-op once Close has succeeded
	var werr error  // an error writing path, as opposed to computing
	write := func(col []float32) error {
		werr = w.WriteFrame(col)
		return werr
	}
	var st *Stream
	var held []float64 // with TopDB: every frame's power or mel power, frame-major
	if c.TopDB == 0 {
		st, err = NewStream(c, write)
	} else {
		pc := c
		pc.DB, pc.NMFCC, pc.TopDB = false, 0, 0
		if st, err = NewStream(pc, write); err == nil {
			held = make([]float64, 0, w.Frames()*pc.Bins())
			st.raw = func(v []float64, _ int) error {
				held = append(held, v...)
				return nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	var bar *progress.Bar
	if o.Progress != nil && info.Duration() >= 60 {
		bar = progress.New(o.Progress, "spectrogram (seconds)", int(info.Duration()))
	}
	buf := make([]float64, 1<<15)
	var res []float64 // buf resampled
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
		x := buf[:n]
		if rs != nil {
			res = rs.Write(res[:0], x)
			x = res
		}
		if err := st.Write(x); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		done += n
		bar.Set(done/info.SampleRate, "")
	}
	if rs != nil {
		res = rs.Flush(res[:0])
		if err := st.Write(res); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
	}
	if err := st.Close(); err != nil {
		if werr != nil {
			return nil, werr
		}
		return nil, fmt.Errorf("%s: %w", o.Name, err)
	}
	if held != nil {
		if err := finishHeld(c, held, st.Frames(), write); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
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

// finishHeld turns the frames frames of power (or mel power) v, frame-major,
// into the columns of c — dB clipped at TopDB below the maximum, and MFCCs
// — with the arithmetic of Compute, and emits them in order. v is
// overwritten.
func finishHeld(c Config, v []float64, frames int, emit func([]float32) error) error {
	in := c.NFFT/2 + 1
	if c.NMels > 0 {
		in = c.NMels
	}
	col := make([]float32, c.Bins())
	put := func(v []float64, n int) error {
		rows := len(col)
		for t := 0; t < n; t++ {
			for i, x := range v[t*rows : (t+1)*rows] {
				col[i] = float32(x)
			}
			if err := emit(col); err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case c.NMFCC > 0:
		db := dsp.PowerToDBTo(v, v, 1, amin, c.TopDB) // as dsp.MFCC does
		d, err := dsp.DCTMatrix(c.NMFCC, c.NMels, true)
		if err != nil {
			return err
		}
		var out []float64
		for t := 0; t < frames; t += batch {
			n := min(batch, frames-t)
			if out, err = dsp.DCTTo(out, d, c.NMFCC, db[t*in:(t+n)*in], n, c.NMels); err != nil {
				return err
			}
			if err := put(out, n); err != nil {
				return err
			}
		}
		return nil
	case c.DB:
		v = c.toDB(v, c.TopDB)
	}
	return put(v, frames)
}
