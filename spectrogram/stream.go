package spectrogram

import (
	"errors"
	"fmt"

	"github.com/avlearn/avlearn/dsp"
)

// Stream computes a spectrogram frame by frame from a signal that arrives
// in chunks, in memory bounded by a few dozen frames whatever the signal's
// length, so files of any length can be processed. Every frame a Write
// completes is passed, before Write returns, to the emit function given to
// NewStream as one column of Bins values (lowest bin first); the columns,
// side by side, equal Compute on the whole signal bit for bit.
//
// TopDB clipping needs the maximum of the whole spectrogram, so a Stream
// requires TopDB 0; clip afterwards if needed. A Stream is not safe for
// concurrent use.
type Stream struct {
	c    Config
	fr   *dsp.Framer
	emit func(frame []float32) error
	// raw, if set, receives each batch of n frames as computed (float64,
	// frame-major) instead of emit; WAVToNPY writes them to its file, or
	// holds them for TopDB.
	raw    func(v []float64, n int) error
	mel    *dsp.MelBank // mel filters, or nil
	dct    []float64    // DCT-II matrix (NMFCC × NMels), or nil
	pow    []float64    // up to batch frames of |X|^Power, frame-major
	melv   []float64    // their mel projection (and its dB)
	dctv   []float64    // their MFCCs
	col    []float32    // the column handed to emit
	frames int
	err    error // the first error, returned from then on
}

// NewStream returns a Stream that computes c and calls emit with each
// column. The slice passed to emit is reused: copy it to keep it.
func NewStream(c Config, emit func(frame []float32) error) (*Stream, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.TopDB != 0 {
		return nil, fmt.Errorf("spectrogram: Stream: config TopDB %g needs the whole spectrogram's maximum; stream with TopDB 0 and clip afterwards", c.TopDB)
	}
	if emit == nil {
		return nil, errors.New("spectrogram: Stream: nil emit function")
	}
	sc, err := c.stft()
	if err != nil {
		return nil, err
	}
	fr, err := dsp.NewFramer(sc)
	if err != nil {
		return nil, fmt.Errorf("spectrogram: %w", err)
	}
	s := &Stream{c: c, fr: fr, emit: emit, col: make([]float32, c.Bins())}
	if c.NMels > 0 {
		fb, err := c.melFilters()
		if err != nil {
			return nil, err
		}
		if s.mel, err = dsp.NewMelBank(fb, c.NMels, c.NFFT/2+1); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
	}
	if c.NMFCC > 0 {
		if s.dct, err = dsp.DCTMatrix(c.NMFCC, c.NMels, true); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
	}
	return s, nil
}

// Bins returns the length of every column.
func (s *Stream) Bins() int { return len(s.col) }

// Frames returns the number of columns emitted so far.
func (s *Stream) Frames() int { return s.frames }

// Write appends samples of the signal and emits every frame they complete.
// It returns the first error emit returned, and keeps returning it.
func (s *Stream) Write(x []float64) error {
	if s.err != nil {
		return s.err
	}
	// Push at most a batch of hops (of at most NFFT samples each) at a
	// time, so the Framer's buffer stays within batch+1 frames' length
	// whatever the chunk size, and drain gets whole batches to transform
	// and write (a frame's worth per push gave it batches of three).
	step := max(s.c.NFFT, batch*min(s.c.Hop, s.c.NFFT))
	for len(x) > 0 {
		n := min(len(x), step)
		if err := s.fr.Push(x[:n]); err != nil {
			s.err = fmt.Errorf("spectrogram: %w", err)
			return s.err
		}
		x = x[n:]
		if err := s.drain(); err != nil {
			return err
		}
	}
	return nil
}

// Close marks the end of the signal, pads it as Compute does and emits the
// last frames. It reports the errors Compute would give for the whole
// signal, such as one too short for the frame.
func (s *Stream) Close() error {
	if s.err != nil {
		return s.err
	}
	if err := s.fr.Close(); err != nil {
		s.err = fmt.Errorf("spectrogram: %w", err)
		return s.err
	}
	return s.drain()
}

// batch is how many frames drain transforms per dsp call; it amortises the
// per-call cost of ApplyMel and DCT while keeping memory small.
const batch = 32

func (s *Stream) drain() error {
	nb := s.c.NFFT/2 + 1
	for {
		// Collect up to batch frames of |X|^Power, frame-major.
		n := 0
		for n < batch {
			if cap(s.pow) < (n+1)*nb {
				s.pow = append(s.pow[:cap(s.pow)], make([]float64, (n+1)*nb-cap(s.pow))...)
			}
			if _, ok := s.fr.NextPower(s.pow[n*nb:(n+1)*nb], s.c.Power); !ok {
				break
			}
			n++
		}
		if n == 0 {
			return nil
		}
		v, err := s.columns(s.pow[:n*nb], n)
		if err != nil {
			s.err = err
			return err
		}
		if s.raw != nil {
			s.frames += n
			if err := s.raw(v, n); err != nil {
				s.err = err
				return err
			}
			continue
		}
		rows := len(s.col)
		for t := 0; t < n; t++ {
			for i, x := range v[t*rows : (t+1)*rows] {
				s.col[i] = float32(x)
			}
			s.frames++
			if err := s.emit(s.col); err != nil {
				s.err = err
				return err
			}
		}
	}
}

// columns turns n frames of |X|^Power (frame-major) into n output columns
// (frame-major) with the arithmetic Compute does on the whole spectrogram,
// in buffers reused from batch to batch.
func (s *Stream) columns(v []float64, n int) ([]float64, error) {
	var err error
	if s.mel != nil {
		if s.melv, err = s.mel.Apply(s.melv, v, n); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
		v = s.melv
	}
	switch {
	case s.dct != nil:
		db := dsp.PowerToDBTo(v, v, 1, amin, 0)
		if s.dctv, err = dsp.DCTTo(s.dctv, s.dct, s.c.NMFCC, db, n, s.c.NMels); err != nil {
			return nil, fmt.Errorf("spectrogram: %w", err)
		}
		v = s.dctv
	case s.c.DB:
		v = s.c.toDB(v, 0)
	}
	return v, nil
}
