package avio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Array is an n-dimensional array read from a .npy file. Data holds the
// values in C (row-major) order whatever the file's order, converted to
// float64 (64-bit integers beyond ±2^53 lose precision).
type Array struct {
	Shape []int
	Data  []float64
	// DType is the file's numpy type string, e.g. "<f4", ">i8", "|u1".
	DType string
}

// Size returns the number of elements, the product of Shape (1 for a 0-d array).
func (a *Array) Size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// Summary says in one line what the array is, in numpy's notation, e.g.
// "NumPy array, dtype <f4, shape (2, 3), 6 values".
func (a *Array) Summary() string {
	parts := make([]string, len(a.Shape))
	for i, d := range a.Shape {
		parts[i] = strconv.Itoa(d)
	}
	shape := "(" + strings.Join(parts, ", ") + ")"
	if len(a.Shape) == 1 {
		shape = "(" + parts[0] + ",)"
	}
	return fmt.Sprintf("NumPy array, dtype %s, shape %s, %d values", a.DType, shape, len(a.Data))
}

// Float32 returns the data as a new float32 slice.
func (a *Array) Float32() []float32 {
	out := make([]float32, len(a.Data))
	for i, v := range a.Data {
		out[i] = float32(v)
	}
	return out
}

var npyMagic = []byte("\x93NUMPY")

// WriteNPY writes data as a little-endian float32 array of the given shape in
// C order (the last index varies fastest), e.g. a spectrogram with shape
// (bins, frames). With no shape the array is 1-D. The product of shape must
// equal len(data). The file is written atomically.
func WriteNPY(path string, data []float32, shape ...int) error {
	return writeNPY(path, "<f4", len(data), shape, func(b []byte, i int) []byte {
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(data[i]))
	})
}

// WriteNPY64 is WriteNPY for float64 data ("<f8").
func WriteNPY64(path string, data []float64, shape ...int) error {
	return writeNPY(path, "<f8", len(data), shape, func(b []byte, i int) []byte {
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(data[i]))
	})
}

func writeNPY(path, descr string, n int, shape []int, put func([]byte, int) []byte) error {
	if len(shape) == 0 {
		shape = []int{n}
	}
	if slices.Min(shape) < 0 {
		return fmt.Errorf("%s: negative dimension in shape %v", path, shape)
	}
	prod := 0
	if !slices.Contains(shape, 0) {
		prod = 1
		for _, d := range shape {
			if prod > math.MaxInt/d { // the product would wrap, maybe to n
				return fmt.Errorf("%s: shape %v holds more values than an int counts (data has %d)", path, shape, n)
			}
			prod *= d
		}
	}
	if prod != n {
		return fmt.Errorf("%s: shape %v holds %d values but data has %d", path, shape, prod, n)
	}
	hdr := npyHeader(descr, shape)
	return WriteFileAtomic(path, func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		buf := make([]byte, 0, 8192)
		for i := 0; i < n; i++ {
			buf = put(buf, i)
			if len(buf) >= 8000 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		_, err := w.Write(buf)
		return err
	})
}

// npyHeader formats the header exactly as numpy 1.24's np.save does: the
// dict padded with spaces and a newline to a multiple of 64 bytes, format
// version 1.0 unless the header needs more than 65535 bytes.
func npyHeader(descr string, shape []int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr)
	for i, d := range shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		sb.WriteString(",")
	}
	sb.WriteString("), }")
	dict := sb.String()
	build := func(major byte, lenBytes int) []byte {
		pre := len(npyMagic) + 2 + lenBytes
		total := pre + len(dict) + 1
		pad := (64 - total%64) % 64
		hl := len(dict) + pad + 1
		b := append([]byte{}, npyMagic...)
		b = append(b, major, 0)
		if lenBytes == 2 {
			b = binary.LittleEndian.AppendUint16(b, uint16(hl))
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(hl))
		}
		b = append(b, dict...)
		b = append(b, bytes.Repeat([]byte{' '}, pad)...)
		return append(b, '\n')
	}
	if h := build(1, 2); len(h)-10 <= math.MaxUint16 {
		return h
	}
	return build(2, 4)
}

// ReadNPY reads a .npy file of dtype float (f4, f8), signed integer (i1, i2,
// i4, i8), unsigned integer (u1, u2, u4, u8) or bool (b1), either byte
// order, C or Fortran order, format version 1.0, 2.0 or 3.0.
func ReadNPY(path string) (*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	a, err := decodeNPY(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// DecodeNPY decodes .npy bytes from r; name is used in errors.
func DecodeNPY(r io.Reader, name string) (*Array, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	a, err := decodeNPY(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

func decodeNPY(r io.ReaderAt, size int64) (*Array, error) {
	var pre [12]byte
	if size < 10 {
		return nil, fmt.Errorf("not a .npy file: only %d bytes", size)
	}
	if _, err := r.ReadAt(pre[:10], 0); err != nil {
		return nil, err
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return nil, fmt.Errorf("not a .npy file: starts with %q", pre[:6])
	}
	major := pre[6]
	var hl, off int64
	switch major {
	case 1:
		hl, off = int64(binary.LittleEndian.Uint16(pre[8:])), 10
	case 2, 3:
		if size < 12 {
			return nil, errors.New("truncated .npy header")
		}
		if _, err := r.ReadAt(pre[:12], 0); err != nil {
			return nil, err
		}
		hl, off = int64(binary.LittleEndian.Uint32(pre[8:])), 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d is not supported", major, pre[7])
	}
	if hl > size-off {
		return nil, fmt.Errorf("header of %d bytes but the file has %d after the preamble", hl, size-off)
	}
	hb := make([]byte, hl)
	if _, err := r.ReadAt(hb, off); err != nil {
		return nil, err
	}
	h, err := parseNPYHeader(string(hb))
	if err != nil {
		return nil, fmt.Errorf("header %q: %w", strings.TrimSpace(string(hb)), err)
	}
	dt, err := npyDType(h.descr)
	if err != nil {
		return nil, err
	}
	// Check the element count against the bytes present before allocating.
	avail := (size - off - hl) / int64(dt.size)
	n := int64(1)
	for _, d := range h.shape {
		if d == 0 {
			n = 0
		}
	}
	for _, d := range h.shape {
		if n == 0 {
			break
		}
		if n > avail/d {
			return nil, fmt.Errorf("shape %v of %s needs more data than the %d bytes in the file", h.shape, h.descr, size-off-hl)
		}
		n *= d
	}
	raw := make([]byte, n*int64(dt.size))
	if _, err := r.ReadAt(raw, off+hl); err != nil && len(raw) > 0 {
		return nil, err
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = dt.decode(raw[i*dt.size:])
	}
	shape := make([]int, len(h.shape))
	for i, d := range h.shape {
		shape[i] = int(d)
	}
	if h.fortran && len(shape) > 1 {
		data = fortranToC(data, shape)
	}
	return &Array{Shape: shape, Data: data, DType: h.descr}, nil
}

// fortranToC reorders column-major data into row-major order.
func fortranToC(src []float64, shape []int) []float64 {
	dst := make([]float64, len(src))
	// Fortran strides: the first index varies fastest.
	strides := make([]int, len(shape))
	s := 1
	for i := range shape {
		strides[i] = s
		s *= shape[i]
	}
	idx := make([]int, len(shape))
	for k := range dst {
		f := 0
		for i, v := range idx {
			f += v * strides[i]
		}
		dst[k] = src[f]
		// Advance the C-order multi-index (last index fastest).
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < shape[i] {
				break
			}
			idx[i] = 0
		}
	}
	return dst
}

type npyDT struct {
	size   int
	decode func([]byte) float64
}

func npyDType(descr string) (npyDT, error) {
	if len(descr) < 3 {
		return npyDT{}, fmt.Errorf("dtype %q is not supported", descr)
	}
	var bo binary.ByteOrder
	switch descr[0] {
	case '<', '|', '=':
		bo = binary.LittleEndian // '=' is native; numpy writes '<' on every platform we run on
	case '>':
		bo = binary.BigEndian
	default:
		return npyDT{}, fmt.Errorf("dtype %q is not supported", descr)
	}
	switch descr[1:] {
	case "f4":
		return npyDT{4, func(b []byte) float64 { return float64(math.Float32frombits(bo.Uint32(b))) }}, nil
	case "f8":
		return npyDT{8, func(b []byte) float64 { return math.Float64frombits(bo.Uint64(b)) }}, nil
	case "i1":
		return npyDT{1, func(b []byte) float64 { return float64(int8(b[0])) }}, nil
	case "u1":
		return npyDT{1, func(b []byte) float64 { return float64(b[0]) }}, nil
	case "b1":
		return npyDT{1, func(b []byte) float64 {
			if b[0] != 0 {
				return 1
			}
			return 0
		}}, nil
	case "i2":
		return npyDT{2, func(b []byte) float64 { return float64(int16(bo.Uint16(b))) }}, nil
	case "u2":
		return npyDT{2, func(b []byte) float64 { return float64(bo.Uint16(b)) }}, nil
	case "i4":
		return npyDT{4, func(b []byte) float64 { return float64(int32(bo.Uint32(b))) }}, nil
	case "u4":
		return npyDT{4, func(b []byte) float64 { return float64(bo.Uint32(b)) }}, nil
	case "i8":
		return npyDT{8, func(b []byte) float64 { return float64(int64(bo.Uint64(b))) }}, nil
	case "u8":
		return npyDT{8, func(b []byte) float64 { return float64(bo.Uint64(b)) }}, nil
	}
	return npyDT{}, fmt.Errorf("dtype %q is not supported (floats f4/f8, integers i1–i8/u1–u8, bool b1)", descr)
}

type npyHdr struct {
	descr   string
	fortran bool
	shape   []int64
}

// parseNPYHeader parses the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }.
func parseNPYHeader(s string) (npyHdr, error) {
	var h npyHdr
	p := &pyLit{s: s}
	if !p.eat('{') {
		return h, errors.New("not a dict")
	}
	seen := map[string]bool{}
	for {
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if !p.eat(':') {
			return h, fmt.Errorf("missing ':' after %q", key)
		}
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, fmt.Errorf("descr: %w (structured dtypes are not supported)", err)
			}
		case "fortran_order":
			if h.fortran, err = p.boolean(); err != nil {
				return h, err
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		seen[key] = true
		if !p.eat(',') {
			if !p.eat('}') {
				return h, errors.New("expected ',' or '}'")
			}
			break
		}
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

// pyLit is a tiny scanner for the literals a .npy header uses.
type pyLit struct {
	s string
	i int
}

func (p *pyLit) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyLit) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyLit) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("expected a string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyLit) boolean() (bool, error) {
	p.skip()
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return false, errors.New("expected True or False")
}

func (p *pyLit) tuple() ([]int64, error) {
	if !p.eat('(') {
		return nil, errors.New("shape is not a tuple")
	}
	out := []int64{}
	for {
		if p.eat(')') {
			return out, nil
		}
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, errors.New("shape entries must be non-negative integers")
		}
		v, err := strconv.ParseInt(p.s[p.i:j], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("shape entry %q: %w", p.s[p.i:j], err)
		}
		if len(out) >= 32 {
			return nil, errors.New("more than 32 dimensions")
		}
		out = append(out, v)
		p.i = j
		// numpy writes 'L' suffixes in old Python 2 files.
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, errors.New("expected ',' or ')' in shape")
			}
			return out, nil
		}
	}
}
