package avio

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// WAVReader reads the samples of a WAV file a block at a time, so files of
// any length can be processed in memory that does not grow with them. It
// accepts exactly the files ReadWAV accepts, with the same errors, and
// yields the same values: reading a whole file through a WAVReader, in
// blocks of any size, gives ReadWAV's samples bit for bit (and ReadMono
// gives Audio.Mono's). A WAVReader is not safe for concurrent use.
type WAVReader struct {
	r    io.ReaderAt
	f    *os.File // the file OpenWAV opened, closed by Close; nil otherwise
	name string
	h    wavHeader
	pos  int // frames read so far
	raw  []byte
	tmp  []float64 // one channel of a block, for ReadMono
	err  error     // the first read error, returned from then on
}

// wavBlockBytes bounds the bytes read per call: reads larger than this are
// served in several passes over one buffer of this size (or of one frame,
// if a frame is larger).
const wavBlockBytes = 1 << 16

// OpenWAV opens a WAV file and parses its header; Info tells its format and
// length. Errors name the file. Close the reader when done.
func OpenWAV(path string) (*WAVReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	w, err := NewWAVReader(f, path, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	w.f = f
	return w, nil
}

// NewWAVReader returns a WAVReader over the size bytes of a WAV file in r;
// name is used in error messages. Close does not close r.
func NewWAVReader(r io.ReaderAt, name string, size int64) (*WAVReader, error) {
	h, err := parseWAVHeader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &WAVReader{r: r, name: name, h: h}, nil
}

// Info returns the format and length of the file, as ReadWAV reports them.
func (w *WAVReader) Info() WAVInfo { return w.h.WAVInfo }

// Remaining returns the number of frames not read yet.
func (w *WAVReader) Remaining() int { return w.h.Frames - w.pos }

// Read decodes the next frames into dst, one slice per channel: dst must
// have Info().Channels slices of equal length, and at most that many frames
// are read. It returns the number of frames read, and 0, io.EOF once every
// frame has been read.
func (w *WAVReader) Read(dst [][]float64) (int, error) {
	if len(dst) != w.h.Channels {
		return 0, fmt.Errorf("%s: Read into %d channels, the file has %d", w.name, len(dst), w.h.Channels)
	}
	want := len(dst[0])
	for c, d := range dst {
		if len(d) != want {
			return 0, fmt.Errorf("%s: Read: channel %d has room for %d frames but channel 0 for %d", w.name, c, len(d), want)
		}
	}
	done := 0
	for done < want {
		n, raw, err := w.next(want - done)
		if err != nil {
			return done, err
		}
		if n == 0 {
			break
		}
		w.decode(dst, done, n, raw)
		done += n
	}
	if done == 0 && want > 0 {
		return 0, io.EOF
	}
	return done, nil
}

// ReadMono decodes the next frames averaged over the channels into dst,
// the same values Audio.Mono gives for the whole file. It returns the
// number of frames read, and 0, io.EOF once every frame has been read.
func (w *WAVReader) ReadMono(dst []float64) (int, error) {
	nch := w.h.Channels
	done := 0
	for done < len(dst) {
		n, raw, err := w.next(len(dst) - done)
		if err != nil {
			return done, err
		}
		if n == 0 {
			break
		}
		out := dst[done : done+n]
		bps := w.h.BitsPerSample / 8
		if nch == 1 {
			decodeChannel(out, raw, bps, w.h.SubFormat, bps)
		} else {
			// The sum and scale of Audio.Mono, in the same order, so the
			// values are identical.
			if cap(w.tmp) < n {
				w.tmp = make([]float64, n)
			}
			clear(out)
			tmp := w.tmp[:n]
			for c := 0; c < nch; c++ {
				decodeChannel(tmp, raw[c*bps:], nch*bps, w.h.SubFormat, bps)
				for i, v := range tmp {
					out[i] += v
				}
			}
			inv := 1 / float64(nch)
			for i := range out {
				out[i] *= inv
			}
		}
		done += n
	}
	if done == 0 && len(dst) > 0 {
		return 0, io.EOF
	}
	return done, nil
}

// next reads the raw bytes of up to limit frames (fewer if the buffer or the
// file ends first) and returns how many frames they hold.
func (w *WAVReader) next(limit int) (int, []byte, error) {
	if w.err != nil {
		return 0, nil, w.err
	}
	if w.r == nil {
		return 0, nil, fmt.Errorf("%s: read after Close", w.name)
	}
	frameBytes := w.h.Channels * w.h.BitsPerSample / 8
	n := min(limit, w.h.Frames-w.pos)
	if n <= 0 {
		return 0, nil, nil
	}
	if w.raw == nil {
		// At least one frame, at most the data really present (the header
		// was checked against the file size), else wavBlockBytes.
		per := min(w.h.Frames, max(1, wavBlockBytes/frameBytes))
		w.raw = make([]byte, per*frameBytes)
	}
	n = min(n, len(w.raw)/frameBytes)
	raw := w.raw[:n*frameBytes]
	off := w.h.dataOff + int64(w.pos)*int64(frameBytes)
	if got, err := w.r.ReadAt(raw, off); got < len(raw) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // the file shrank after its header was read
		}
		w.err = fmt.Errorf("%s: reading samples: %v", w.name, err)
		return 0, nil, w.err
	}
	w.pos += n
	return n, raw, nil
}

// decode converts n frames of raw bytes into dst[c][at:at+n].
func (w *WAVReader) decode(dst [][]float64, at, n int, raw []byte) {
	nch := w.h.Channels
	bps := w.h.BitsPerSample / 8
	for c := range dst {
		decodeChannel(dst[c][at:at+n], raw[c*bps:], nch*bps, w.h.SubFormat, bps)
	}
}

// Rewind makes the next read start again at the first frame, for a
// second pass over the file.
func (w *WAVReader) Rewind() {
	w.pos, w.err = 0, nil
}

// Close releases the file OpenWAV opened. Reads after Close fail.
func (w *WAVReader) Close() error {
	var err error
	if w.f != nil {
		err = w.f.Close()
		w.f = nil
	}
	w.r = nil
	return err
}
