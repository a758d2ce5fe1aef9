package spectrogram

import (
	"context"
	"fmt"
	"io"
	"math"

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
// the samples are resampled to it as they are read, as dsp.Resample does.
// It runs a block at a time (NewStream into CreateNPY), in memory that does
// not grow with the file. TopDB clipping needs the maximum of the whole
// spectrogram: up to 48 MB of power (or mel power) are held and
// converted after the last frame; longer files are read twice, once for
// the maximum and once to convert and write. It stops when ctx is
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
	// pass streams the file once through a Stream of config sc whose
	// frames go to emit, or to raw when it is set
	pass := func(sc Config, raw func(v []float64, n int) error, what string) (*Stream, error) {
		st, err := NewStream(sc, write)
		if err != nil {
			return nil, err
		}
		st.raw = raw
		var bar *progress.Bar
		if o.Progress != nil && info.Duration() >= 60 {
			bar = progress.New(o.Progress, what, int(info.Duration()))
		}
		defer bar.Done()
		if rs != nil {
			if rs, err = dsp.NewResampler(info.SampleRate, c.SampleRate, dsp.HighQualityResampleOptions()); err != nil {
				return nil, err
			}
		}
		r.Rewind()
		buf := make([]float64, 1<<15)
		var res []float64 // buf resampled
		done := 0
		fail := func(err error) error {
			if werr != nil {
				return werr
			}
			return fmt.Errorf("%s: %w", o.Name, err)
		}
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
				return nil, fail(err)
			}
			done += n
			bar.Set(done/info.SampleRate, "")
		}
		if rs != nil {
			res = rs.Flush(res[:0])
			if err := st.Write(res); err != nil {
				return nil, fail(err)
			}
		}
		if err := st.Close(); err != nil {
			return nil, fail(err)
		}
		return st, nil
	}
	const what = "spectrogram (seconds)"
	pc := c // the power or mel power that TopDB clipping starts from
	pc.DB, pc.NMFCC, pc.TopDB = false, 0, 0
	switch {
	case c.TopDB == 0:
		// The frames go to the file as the Stream computes them, a batch
		// at a time, without a float32 copy of each.
		if _, err := pass(c, func(v []float64, n int) error {
			werr = w.w.WriteColumns(v, n)
			return werr
		}, what); err != nil {
			return nil, err
		}
	case w.Frames()*pc.Bins()*8 <= holdBytes:
		held := make([]float64, 0, w.Frames()*pc.Bins()) // frame-major
		st, err := pass(pc, func(v []float64, _ int) error {
			held = append(held, v...)
			return nil
		}, what)
		if err != nil {
			return nil, err
		}
		if err := finishHeld(c, held, st.Frames(), write); err != nil {
			if werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
	default:
		peak := math.Inf(-1)
		if _, err := pass(pc, func(v []float64, _ int) error {
			for _, x := range v {
				peak = max(peak, x)
			}
			return nil
		}, what+", pass 1 of 2: the maximum"); err != nil {
			return nil, err
		}
		fin, err := newFinisher(c, peak, write)
		if err != nil {
			return nil, err
		}
		if _, err := pass(pc, fin.frames, what+", pass 2 of 2"); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if o.Sidecar != "" {
		if err := w.WriteMeta(o.Sidecar); err != nil {
			return nil, err
		}
	}
	return &Spectrogram{Bins: c.Bins(), Frames: w.Frames(), Config: c, Kind: c.Kind(), Scale: c.Scale()}, nil
}

// holdBytes bounds the power WAVToNPY holds for TopDB clipping; beyond it
// the file is read twice instead (a variable for tests).
var holdBytes = 48 << 20

// finisher converts frames of power (or mel power) into the columns of c —
// dB clipped at TopDB below a maximum known beforehand, and MFCCs — with
// the arithmetic of Compute (the dB of the peak power is the peak dB:
// the conversion is monotonic).
type finisher struct {
	c     Config
	floor float64 // the clipping floor in dB
	dct   []float64
	out   []float64
	col   []float32
	emit  func([]float32) error
}

func newFinisher(c Config, peak float64, emit func([]float32) error) (*finisher, error) {
	f := &finisher{c: c, col: make([]float32, c.Bins()), emit: emit}
	top := []float64{peak}
	if c.NMFCC > 0 {
		var err error
		if f.dct, err = dsp.DCTMatrix(c.NMFCC, c.NMels, true); err != nil {
			return nil, err
		}
		f.floor = dsp.PowerToDBTo(top, top, 1, amin, 0)[0] - c.TopDB // as dsp.MFCC does
	} else if c.DB {
		f.floor = c.toDB(top, 0)[0] - c.TopDB
	} else {
		f.floor = math.Inf(-1) // TopDB clips decibels only
	}
	return f, nil
}

// frames converts and emits n frames of power v, frame-major; v is
// overwritten.
func (f *finisher) frames(v []float64, n int) error {
	c := f.c
	db := v
	switch {
	case c.NMFCC > 0:
		db = dsp.PowerToDBTo(v, v, 1, amin, 0)
	case c.DB:
		db = c.toDB(v, 0)
	}
	for i, d := range db {
		if d < f.floor {
			db[i] = f.floor
		}
	}
	if c.NMFCC > 0 {
		var err error
		if f.out, err = dsp.DCTTo(f.out, f.dct, c.NMFCC, db, n, c.NMels); err != nil {
			return err
		}
		db = f.out
	}
	rows := len(f.col)
	for t := 0; t < n; t++ {
		for i, x := range db[t*rows : (t+1)*rows] {
			f.col[i] = float32(x)
		}
		if err := f.emit(f.col); err != nil {
			return err
		}
	}
	return nil
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
