package avio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"
)

// NPYColumnWriter writes a float32 array of shape (rows, cols) in C order,
// the layout WriteNPY gives a spectrogram (bins, frames), when its values
// arrive one column at a time, as frames do from a streaming spectrogram.
// It holds a block of columns in memory (up to 16 MB, or one column if
// that is larger) and writes each block's rows at their places in the
// file, so memory does not grow with the number of columns. (The block is
// that large because every row of a block is one write at its own offset:
// with 1 MB blocks, a 257-row spectrogram spent more time in those writes
// than in its FFTs.) The file is sized when created (on Linux with its
// disk blocks reserved, so a full disk is an error from CreateNPYColumns,
// not from a later write), written under a temporary name and renamed by
// Close, so an error never leaves a partial file at the final path; its
// bytes equal WriteNPY's for the same values. Close or Abort releases the
// block. A NPYColumnWriter is not safe for concurrent use.
type NPYColumnWriter struct {
	path       string
	f          *os.File
	rows, cols int
	hdr        int64           // header bytes before the values
	per        int             // columns per block
	block      []float32       // rows × per values, row-major: value (r, j) at r·per+j
	release    runtime.Cleanup // frees block when w is dropped unclosed; stopped by free
	freeBlock  func()          // unmaps block (see newBlock)
	n          int             // columns in the block, staged ones included
	tile       int             // columns staged at most: npyTile, or per if smaller
	stage      []float32       // up to tile columns not yet in the block: value (r, c) at r·tile+c
	ns         int             // columns in stage
	flushed    int             // columns written to the file
	err        error           // the first error, returned from then on
}

// npyBlockValues is the number of values a NPYColumnWriter's block holds
// when a column is shorter than that (a variable for tests).
var npyBlockValues = 1 << 22

// CreateNPYColumns starts writing path as a float32 (rows, cols) array.
// Exactly cols columns of rows values must be written before Close.
func CreateNPYColumns(path string, rows, cols int) (*NPYColumnWriter, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("%s: negative dimension in shape (%d, %d)", path, rows, cols)
	}
	if rows > 0 && cols > (math.MaxInt/4-1<<20)/rows {
		return nil, fmt.Errorf("%s: shape (%d, %d) is too large", path, rows, cols)
	}
	hdr := npyHeader("<f4", []int{rows, cols})
	f, err := createTemp(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, tempFree(err, filepath.Base(path)))
	}
	w := &NPYColumnWriter{path: path, f: f, rows: rows, cols: cols, hdr: int64(len(hdr))}
	// Size the file first: the rows are then filled in place, block by block.
	if _, err := f.Write(hdr); err != nil {
		return nil, w.fail(err)
	}
	if err := preallocate(f, w.hdr+4*int64(rows)*int64(cols)); err != nil {
		return nil, w.fail(err)
	}
	w.per = max(1, min(cols, npyBlockValues/max(rows, 1)))
	w.block, w.freeBlock = newBlock(rows * w.per)
	w.release = runtime.AddCleanup(w, func(free func()) { free() }, w.freeBlock)
	w.tile = min(npyTile, w.per)
	w.stage = make([]float32, rows*w.tile)
	return w, nil
}

// WriteColumn appends the next column, rows values from row 0 down. col is
// not retained.
func (w *NPYColumnWriter) WriteColumn(col []float32) error {
	if err := w.check(len(col), 1); err != nil {
		return err
	}
	st := w.stage[w.ns:]
	for r, v := range col {
		st[r*w.tile] = v
	}
	return w.staged(1)
}

// WriteColumns appends n columns held one after another in v (column j's
// rows at v[j·rows:(j+1)·rows]), each value rounded to float32: the bytes
// of n calls of WriteColumn with the rounded columns, in fewer passes over
// memory. v is not retained.
func (w *NPYColumnWriter) WriteColumns(v []float64, n int) error {
	if err := w.check(len(v), n); err != nil {
		return err
	}
	for n > 0 {
		k := min(n, w.tile-w.ns, w.per-w.n)
		// Four rows at a time: each column's four values are one load, and
		// the transposition runs in a third less time than row by row.
		r := 0
		for ; r+4 <= w.rows; r += 4 {
			o := r*w.tile + w.ns
			s0 := w.stage[o : o+k]
			s1 := w.stage[o+w.tile : o+w.tile+k]
			s2 := w.stage[o+2*w.tile : o+2*w.tile+k]
			s3 := w.stage[o+3*w.tile : o+3*w.tile+k]
			for j := range s0 {
				q := v[j*w.rows+r : j*w.rows+r+4 : j*w.rows+r+4]
				s0[j], s1[j], s2[j], s3[j] = float32(q[0]), float32(q[1]), float32(q[2]), float32(q[3])
			}
		}
		for ; r < w.rows; r++ {
			st := w.stage[r*w.tile+w.ns : r*w.tile+w.ns+k]
			for j := range st {
				st[j] = float32(v[j*w.rows+r])
			}
		}
		if err := w.staged(k); err != nil {
			return err
		}
		v = v[k*w.rows:]
		n -= k
	}
	return nil
}

// check fails unless there are nv values for n more columns.
func (w *NPYColumnWriter) check(nv, n int) error {
	if w.err != nil {
		return w.err
	}
	if n == 1 && nv != w.rows {
		return w.fail(fmt.Errorf("column of %d values, want %d", nv, w.rows))
	}
	if n < 0 || nv != n*w.rows {
		return w.fail(fmt.Errorf("%d values for %d columns of %d values", nv, n, w.rows))
	}
	if n > w.cols-w.flushed-w.n {
		return w.fail(fmt.Errorf("more than the %d columns of shape (%d, %d)", w.cols, w.rows, w.cols))
	}
	return nil
}

// staged counts k more columns written into the stage, moving a full
// stage into the block and writing a full block.
func (w *NPYColumnWriter) staged(k int) error {
	w.ns += k
	w.n += k
	if w.ns == w.tile {
		w.spill()
	}
	if w.n == w.per {
		return w.flush()
	}
	return nil
}

// npyTile is how many columns a NPYColumnWriter stages (in a buffer that
// stays in cache) before copying them into its block: each row of the
// block then takes 1 KB contiguous bytes at a time. Column by column every
// value landed on another page, and 32 columns at a time (a spectrogram
// Stream's batch) wrote the block at half the speed.
const npyTile = 256

// spill moves the staged columns into the block.
func (w *NPYColumnWriter) spill() {
	j0 := w.n - w.ns
	for r := 0; r < w.rows; r++ {
		copy(w.block[r*w.per+j0:r*w.per+w.n], w.stage[r*w.tile:r*w.tile+w.ns])
	}
	w.ns = 0
}

// leBytes returns the values of b as little-endian float32 bytes: b's own
// memory, byte-swapped in place on a big-endian machine (b is not read
// again).
func leBytes(b []float32) []byte {
	if len(b) == 0 {
		return nil
	}
	p := unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), 4*len(b))
	if !littleEndian {
		for i, v := range b {
			binary.LittleEndian.PutUint32(p[4*i:], math.Float32bits(v))
		}
	}
	return p
}

// littleEndian reports whether the machine stores float32 as .npy's "<f4".
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Columns returns the number of columns written so far.
func (w *NPYColumnWriter) Columns() int { return w.flushed + w.n }

// flush writes each row of the block at its offset in the file.
func (w *NPYColumnWriter) flush() error {
	w.spill()
	for r := 0; r < w.rows; r++ {
		b := leBytes(w.block[r*w.per : r*w.per+w.n])
		off := w.hdr + 4*(int64(r)*int64(w.cols)+int64(w.flushed))
		if _, err := w.f.WriteAt(b, off); err != nil {
			return w.fail(err)
		}
	}
	w.flushed += w.n
	w.n = 0
	return nil
}

// Close writes what is left and renames the file to its path. It fails,
// leaving nothing at the path, if fewer than cols columns were written or
// an earlier call failed.
func (w *NPYColumnWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if got := w.flushed + w.n; got != w.cols {
		return w.fail(fmt.Errorf("%d of the %d columns were written", got, w.cols))
	}
	if err := w.flush(); err != nil {
		return err
	}
	f := w.f
	tmp := f.Name()
	if err := f.Sync(); err != nil {
		return w.fail(err)
	}
	w.f = nil
	w.free()
	w.err = fmt.Errorf("%s: NPYColumnWriter already closed", w.path)
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
func (w *NPYColumnWriter) Abort() {
	if w.f != nil {
		w.fail(errors.New("aborted"))
	}
}

// fail records err (naming the file), removes the temporary file and
// returns the recorded error.
func (w *NPYColumnWriter) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("%s: %w", w.path, tempFree(err, filepath.Base(w.path)))
	}
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		w.f = nil
		w.free()
	}
	return w.err
}

// free releases the block, once the file is closed.
func (w *NPYColumnWriter) free() {
	if w.freeBlock != nil {
		w.release.Stop()
		w.freeBlock()
		w.block, w.stage, w.freeBlock = nil, nil, nil
	}
}
