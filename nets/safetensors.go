package nets

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/avlearn/avlearn/avio"
)

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes      N, the header length, little-endian uint64
//	N bytes      JSON: {"__metadata__": {string: string},
//	             "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, …}
//	             padded with spaces to a multiple of 8 bytes
//	rest         the tensors' little-endian bytes; offsets are relative to
//	             the end of the header, and the tensors tile this region
//	             exactly, without gaps or overlaps.
//
// Writers order the tensors by descending dtype (I64 before F32) and then
// by name, like safetensors.torch.save_file.

// stMaxHeader bounds the JSON header, as the reference implementation does.
const stMaxHeader = 100 << 20

// MetaConfig is the metadata key under which a model's configuration (as
// JSON) is stored, so that a model file describes itself.
const MetaConfig = "config"

// Tensor is one tensor of a safetensors file as stored: its dtype name
// ("F32", "F16", "BF16", "F64", "I64", …), shape, and little-endian bytes.
type Tensor struct {
	DType string
	Shape []int
	Raw   []byte
}

// stDTypeSize gives the element size of the dtypes the format defines.
var stDTypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"F64": 8, "I64": 8, "U64": 8,
}

// Float32 converts the values to float32. Floating types are converted
// (F64 rounds to nearest; F16 and BF16 are exact), integers and BOOL are
// converted by value (exact below 2²⁴). FP8 types are not supported.
func (t Tensor) Float32() ([]float32, error) {
	v, err := t.Float64()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out, nil
}

// Float64 converts the values to float64: exactly for every floating type
// and for integers below 2⁵³. FP8 types are not supported.
func (t Tensor) Float64() ([]float64, error) {
	size, ok := stDTypeSize[t.DType]
	if !ok || strings.HasPrefix(t.DType, "F8") {
		return nil, fmt.Errorf("nets: tensor dtype %q cannot be converted to float", t.DType)
	}
	if len(t.Raw)%size != 0 {
		return nil, fmt.Errorf("nets: %s tensor has %d bytes, not a multiple of %d", t.DType, len(t.Raw), size)
	}
	out := make([]float64, len(t.Raw)/size)
	b := t.Raw
	le := binary.LittleEndian
	for i := range out {
		switch t.DType {
		case "F32":
			out[i] = float64(math.Float32frombits(le.Uint32(b[4*i:])))
		case "F64":
			out[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		case "F16":
			out[i] = float64(stHalf(le.Uint16(b[2*i:])))
		case "BF16":
			out[i] = float64(math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16))
		case "I64":
			out[i] = float64(int64(le.Uint64(b[8*i:])))
		case "U64":
			out[i] = float64(le.Uint64(b[8*i:]))
		case "I32":
			out[i] = float64(int32(le.Uint32(b[4*i:])))
		case "U32":
			out[i] = float64(le.Uint32(b[4*i:]))
		case "I16":
			out[i] = float64(int16(le.Uint16(b[2*i:])))
		case "U16":
			out[i] = float64(le.Uint16(b[2*i:]))
		case "I8":
			out[i] = float64(int8(b[i]))
		case "U8", "BOOL":
			out[i] = float64(b[i])
		}
	}
	return out, nil
}

// stHalf decodes an IEEE 754 binary16 value.
func stHalf(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac·2⁻²⁴
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
}

// stEntry is one tensor's header record.
type stEntry struct {
	name       string
	dtype      string
	shape      []int
	begin, end int64 // byte offsets relative to the data region
}

// stFile is a parsed, validated header.
type stFile struct {
	meta      map[string]string
	entries   map[string]stEntry
	dataStart int64
}

// stParse reads and validates the header of a safetensors file of the
// given size. Every offset is checked against the real size before
// anything is allocated from it.
func stParse(r io.ReaderAt, size int64) (*stFile, error) {
	if size < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for a safetensors header", size)
	}
	var lb [8]byte
	if _, err := r.ReadAt(lb[:], 0); err != nil {
		return nil, fmt.Errorf("reading header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lb[:])
	if n > stMaxHeader {
		return nil, fmt.Errorf("header length %d exceeds the %d-byte limit (not a safetensors file?)", n, stMaxHeader)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d exceeds the %d bytes after the length field (truncated file?)", n, size-8)
	}
	if n < 2 {
		return nil, fmt.Errorf("header length %d is too short for a JSON object", n)
	}
	hb := make([]byte, n)
	if _, err := r.ReadAt(hb, 8); err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	if hb[0] != '{' {
		return nil, fmt.Errorf("header does not start with '{' (not a safetensors file?)")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hb, &raw); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	f := &stFile{entries: map[string]stEntry{}, dataStart: 8 + int64(n)}
	dataLen := size - f.dataStart
	var list []stEntry
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.meta); err != nil {
				return nil, fmt.Errorf("__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var rec struct {
			DType   *string  `json:"dtype"`
			Shape   []int64  `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &rec); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header record: %v", name, err)
		}
		if rec.DType == nil || rec.Shape == nil || rec.Offsets == nil {
			return nil, fmt.Errorf("tensor %q: header record needs dtype, shape and data_offsets", name)
		}
		esize, ok := stDTypeSize[*rec.DType]
		if !ok {
			return nil, fmt.Errorf("tensor %q: unknown dtype %q", name, *rec.DType)
		}
		if len(rec.Offsets) != 2 {
			return nil, fmt.Errorf("tensor %q: data_offsets has %d values, want 2", name, len(rec.Offsets))
		}
		b, e := rec.Offsets[0], rec.Offsets[1]
		if b > e || e > uint64(dataLen) {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] outside the %d data bytes of the file", name, b, e, dataLen)
		}
		// The element count is bounded by the data region, so the product
		// cannot overflow unless a dimension alone is absurd.
		count := int64(1)
		shape := make([]int, len(rec.Shape))
		for i, d := range rec.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %q: negative dimension in shape %v", name, rec.Shape)
			}
			if d != 0 && count > dataLen/d {
				count = dataLen + 1 // too big for the file; reported below
			} else {
				count *= d
			}
			shape[i] = int(d)
		}
		if count > dataLen || count*int64(esize) != int64(e-b) {
			return nil, fmt.Errorf("tensor %q: %s shape %v needs %s bytes but data_offsets [%d, %d] hold %d", name, *rec.DType, rec.Shape, stBytes(count, esize, dataLen), b, e, e-b)
		}
		list = append(list, stEntry{name: name, dtype: *rec.DType, shape: shape, begin: int64(b), end: int64(e)})
	}
	// The tensors must tile the data region exactly, in offset order.
	sort.Slice(list, func(i, j int) bool {
		if list[i].begin != list[j].begin {
			return list[i].begin < list[j].begin
		}
		return list[i].end < list[j].end
	})
	var pos int64
	for _, e := range list {
		if e.begin != pos {
			if e.begin < pos {
				return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap the previous tensor (ends at %d)", e.name, e.begin, e.end, pos)
			}
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] leave a gap after byte %d", e.name, e.begin, e.end, pos)
		}
		pos = e.end
		f.entries[e.name] = e
	}
	if pos != dataLen {
		return nil, fmt.Errorf("tensors cover %d data bytes but the file has %d after the header", pos, dataLen)
	}
	return f, nil
}

func stBytes(count int64, esize int, dataLen int64) string {
	if count > dataLen {
		return "more"
	}
	return fmt.Sprint(count * int64(esize))
}

// read returns the bytes of e.
func (f *stFile) read(r io.ReaderAt, e stEntry) ([]byte, error) {
	buf := make([]byte, e.end-e.begin)
	if _, err := r.ReadAt(buf, f.dataStart+e.begin); err != nil {
		return nil, fmt.Errorf("tensor %q: reading data: %w", e.name, err)
	}
	return buf, nil
}

// stOpen opens and parses path.
func stOpen(path string) (*os.File, *stFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nets: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("nets: %w", err)
	}
	f, err := stParse(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, nil, fmt.Errorf("nets: %s: %w", path, err)
	}
	return fh, f, nil
}

// ReadSafetensors returns every tensor of a safetensors file and its
// metadata, for inspection. The file is validated as LoadSafetensors does.
func ReadSafetensors(path string) (map[string]Tensor, map[string]string, error) {
	fh, f, err := stOpen(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	out := make(map[string]Tensor, len(f.entries))
	for name, e := range f.entries {
		raw, err := f.read(fh, e)
		if err != nil {
			return nil, nil, fmt.Errorf("nets: %s: %w", path, err)
		}
		out[name] = Tensor{DType: e.dtype, Shape: e.shape, Raw: raw}
	}
	return out, f.meta, nil
}

// LoadOptions relaxes LoadSafetensorsWith.
type LoadOptions struct {
	// AllowUnexpected accepts tensors in the file that no parameter asks
	// for (for example optimiser state, or a head the model does not use).
	AllowUnexpected bool
	// Prefix, if set, loads only the file's tensors whose names start with
	// Prefix, matching them to the parameters with Prefix removed: "enc."
	// loads the encoder of a whole model's file into a separate encoder,
	// "module." reads a state_dict saved from torch's DataParallel. Other
	// tensors are ignored. Messages name tensors as they are in the file.
	Prefix string
}

// LoadSafetensors fills ps, by name, from a safetensors file and returns
// its metadata. Every parameter must be in the file with the same shape,
// and the file must hold nothing else; see LoadSafetensorsWith to allow
// extra tensors.
//
// Float parameters accept F32 tensors, and also F64 (rounded to float32),
// F16 and BF16 (exact), as written by torch models saved in other
// precisions. Parameters with DType "I64" accept only I64 tensors.
//
// All problems are reported together, each naming the tensor:
//
//	nets: m.safetensors: conv1.weight: shape [16 1 64] in file, model expects [16 1 32]; missing tensor "fc.bias"
//
// Nothing in ps is changed unless the whole load succeeds.
func LoadSafetensors(path string, ps []*Param) (map[string]string, error) {
	return LoadSafetensorsWith(path, ps, LoadOptions{})
}

// LoadSafetensorsWith is LoadSafetensors with options.
func LoadSafetensorsWith(path string, ps []*Param, o LoadOptions) (map[string]string, error) {
	fh, f, err := stOpen(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return stLoad(path, fh, f, ps, o)
}

// stLoad fills ps from the parsed file f open as fh.
func stLoad(path string, fh io.ReaderAt, f *stFile, ps []*Param, o LoadOptions) (map[string]string, error) {
	if o.Prefix != "" {
		sub := map[string]stEntry{}
		for name, e := range f.entries {
			if strings.HasPrefix(name, o.Prefix) {
				sub[name[len(o.Prefix):]] = e
			}
		}
		f.entries = sub
	}
	if err := stCheck(f, ps, o); err != nil {
		return nil, fmt.Errorf("nets: %s: %w", path, err)
	}
	vals := make([][]float32, len(ps))
	for i, p := range ps {
		e := f.entries[p.Name]
		raw, err := f.read(fh, e)
		if err != nil {
			return nil, fmt.Errorf("nets: %s: %w", path, err)
		}
		if vals[i], err = (Tensor{DType: e.dtype, Raw: raw}).Float32(); err != nil {
			return nil, fmt.Errorf("nets: %s: tensor %q: %w", path, p.Name, err)
		}
	}
	for i, p := range ps {
		copy(p.Data, vals[i])
	}
	return f.meta, nil
}

// stCheck compares the file's tensors with what ps expects.
func stCheck(f *stFile, ps []*Param, o LoadOptions) error {
	var probs []string
	want := map[string]bool{}
	for _, p := range ps {
		if want[p.Name] {
			return fmt.Errorf("parameter name %q used twice in the model", p.Name)
		}
		want[p.Name] = true
		if n := stNumel(p.Shape); n != len(p.Data) {
			return fmt.Errorf("parameter %q: shape %v has %d elements but Data has %d", p.Name, p.Shape, n, len(p.Data))
		}
		e, ok := f.entries[p.Name]
		if !ok {
			probs = append(probs, fmt.Sprintf("missing tensor %q", o.Prefix+p.Name))
			continue
		}
		if !slices.Equal(e.shape, p.Shape) {
			probs = append(probs, fmt.Sprintf("%s: shape %v in file, model expects %v", o.Prefix+p.Name, e.shape, p.Shape))
			continue
		}
		wantD := p.DType
		if wantD == "" {
			wantD = "F32"
		}
		switch {
		case wantD == "I64" && e.dtype != "I64":
			probs = append(probs, fmt.Sprintf("%s: dtype %s in file, model expects I64", o.Prefix+p.Name, e.dtype))
		case wantD == "F32" && e.dtype != "F32" && e.dtype != "F64" && e.dtype != "F16" && e.dtype != "BF16":
			probs = append(probs, fmt.Sprintf("%s: dtype %s in file, model expects a float type (F32, F64, F16 or BF16)", o.Prefix+p.Name, e.dtype))
		case wantD != "I64" && wantD != "F32":
			return fmt.Errorf("parameter %q: unsupported DType %q (want \"\", \"F32\" or \"I64\")", p.Name, p.DType)
		}
	}
	if !o.AllowUnexpected {
		for name := range f.entries {
			if !want[name] {
				probs = append(probs, fmt.Sprintf("unexpected tensor %q", o.Prefix+name))
			}
		}
	}
	if len(probs) == 0 {
		return nil
	}
	sort.Strings(probs)
	const show = 12
	if len(probs) > show {
		probs = append(probs[:show], fmt.Sprintf("and %d more problems", len(probs)-show))
	}
	return errors.New(strings.Join(probs, "; "))
}

// stNumel is the product of s, or -1 if a dimension is negative or the
// product overflows int (a wrapped product could match len(Data)).
func stNumel(s []int) int {
	if slices.Contains(s, 0) {
		return 0
	}
	n := 1
	for _, d := range s {
		if d < 0 || n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// SaveSafetensors writes ps and the metadata meta to path in the
// safetensors format, readable by safetensors.torch.load_file. Parameters
// are written as F32, or as I64 when their DType is "I64" (values are
// rounded to integers). Put the model's configuration JSON under
// meta[MetaConfig].
//
// The file is written to a temporary name in the same directory and
// renamed, so path never holds a partial file.
func SaveSafetensors(path string, ps []*Param, meta map[string]string) error {
	hdr, order, err := stHeader(ps, meta)
	if err != nil {
		return fmt.Errorf("nets: %s: %w", path, err)
	}
	return stWriteAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		var lb [8]byte
		binary.LittleEndian.PutUint64(lb[:], uint64(len(hdr)))
		bw.Write(lb[:])
		bw.Write(hdr)
		var b [8]byte
		for _, p := range order {
			if p.DType == "I64" {
				for _, v := range p.Data {
					binary.LittleEndian.PutUint64(b[:], uint64(int64(math.Round(float64(v)))))
					bw.Write(b[:8])
				}
				continue
			}
			for _, v := range p.Data {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
				bw.Write(b[:4])
			}
		}
		return bw.Flush()
	})
}

// stHeader builds the padded JSON header and the write order.
func stHeader(ps []*Param, meta map[string]string) ([]byte, []*Param, error) {
	seen := map[string]bool{}
	order := make([]*Param, 0, len(ps))
	for _, p := range ps {
		switch {
		case p.Name == "" || p.Name == "__metadata__":
			return nil, nil, fmt.Errorf("invalid tensor name %q", p.Name)
		case seen[p.Name]:
			return nil, nil, fmt.Errorf("tensor name %q used twice", p.Name)
		case p.DType != "" && p.DType != "F32" && p.DType != "I64":
			return nil, nil, fmt.Errorf("tensor %q: unsupported DType %q", p.Name, p.DType)
		case stNumel(p.Shape) < 0:
			return nil, nil, fmt.Errorf("tensor %q: shape %v has a negative dimension or too many elements", p.Name, p.Shape)
		case stNumel(p.Shape) != len(p.Data):
			return nil, nil, fmt.Errorf("tensor %q: shape %v has %d elements but Data has %d", p.Name, p.Shape, stNumel(p.Shape), len(p.Data))
		}
		seen[p.Name] = true
		order = append(order, p)
	}
	// Descending dtype rank (I64 before F32), then name, as the reference writer.
	sort.Slice(order, func(i, j int) bool {
		ri, rj := order[i].DType == "I64", order[j].DType == "I64"
		if ri != rj {
			return ri
		}
		return order[i].Name < order[j].Name
	})
	var h bytes.Buffer
	h.WriteByte('{')
	if len(meta) > 0 {
		h.WriteString(`"__metadata__":{`)
		keys := make([]string, 0, len(meta))
		for k := range meta {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			stString(&h, k)
			h.WriteByte(':')
			stString(&h, meta[k])
		}
		h.WriteByte('}')
	}
	var off int64
	for i, p := range order {
		if i > 0 || len(meta) > 0 {
			h.WriteByte(',')
		}
		dt, size := "F32", int64(4)
		if p.DType == "I64" {
			dt, size = "I64", 8
		}
		stString(&h, p.Name)
		fmt.Fprintf(&h, `:{"dtype":"%s","shape":[`, dt)
		for j, d := range p.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			fmt.Fprint(&h, d)
		}
		end := off + size*int64(len(p.Data))
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), order, nil
}

// stString writes s as a JSON string without HTML escaping (as serde_json).
func stString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// stWriteAtomic is avio.WriteFileAtomic with this package's error prefix.
func stWriteAtomic(path string, write func(io.Writer) error) error {
	if err := avio.WriteFileAtomic(path, write); err != nil {
		return fmt.Errorf("nets: %w", err)
	}
	return nil
}
