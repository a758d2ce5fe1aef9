package avio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Meta is a clip's meta.json:
//
//	{"fps": 25, "split": "train", "labels": {"speaker": "s03", "scene": "street"}}
//
// Label values are strings. Faces, when present, names what each face track
// of a multi-speaker clip shows, in track order — conventionally the
// "speaker" label of the person (["s01", "s07"]). Keys this package does not
// know are kept in Extra and written back by WriteMeta.
type Meta struct {
	FPS    float64
	Split  string
	Labels map[string]string
	Faces  []string
	Extra  map[string]json.RawMessage
}

// Validate reports what makes m unusable: fps not a positive finite number.
func (m Meta) Validate() error {
	if !(m.FPS > 0) || math.IsInf(m.FPS, 0) {
		if m.FPS == 0 {
			return errors.New(`"fps" is missing or 0`)
		}
		return fmt.Errorf(`"fps" is %v, need a positive number`, m.FPS)
	}
	return nil
}

// UnmarshalJSON decodes meta.json strictly: fps must be a number, split a
// string, labels an object of strings, faces a list of strings.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return errors.New("meta is null, want an object")
	}
	*m = Meta{}
	for k, v := range raw {
		var err error
		switch k {
		case "fps":
			err = json.Unmarshal(v, &m.FPS)
		case "split":
			err = json.Unmarshal(v, &m.Split)
		case "labels":
			var lab map[string]json.RawMessage
			if err = json.Unmarshal(v, &lab); err == nil {
				m.Labels = make(map[string]string, len(lab))
				for lk, lv := range lab {
					var s string
					if json.Unmarshal(lv, &s) != nil {
						return fmt.Errorf("label %q is %s, want a string", lk, short(lv))
					}
					m.Labels[lk] = s
				}
			}
		case "faces":
			err = json.Unmarshal(v, &m.Faces)
		default:
			if m.Extra == nil {
				m.Extra = map[string]json.RawMessage{}
			}
			m.Extra[k] = append(json.RawMessage(nil), v...)
			continue
		}
		if err != nil {
			return fmt.Errorf("%q is %s: %w", k, short(v), err)
		}
	}
	return nil
}

func short(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// MarshalJSON writes the known keys first, then Extra in key order.
func (m Meta) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	put := func(k string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("meta key %q: %w", k, err)
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(b)
		return nil
	}
	if err := put("fps", m.FPS); err != nil {
		return nil, err
	}
	if err := put("split", m.Split); err != nil {
		return nil, err
	}
	labels := m.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	if err := put("labels", labels); err != nil {
		return nil, err
	}
	if m.Faces != nil {
		if err := put("faces", m.Faces); err != nil {
			return nil, err
		}
	}
	keys := make([]string, 0, len(m.Extra))
	for k := range m.Extra {
		switch k {
		case "fps", "split", "labels", "faces":
			return nil, fmt.Errorf("meta Extra holds the known key %q", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := put(k, m.Extra[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// ReadMeta reads and decodes a meta.json file. It does not call Validate,
// so a checker can report a bad fps together with other problems.
func ReadMeta(path string) (Meta, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Meta{}, err
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Meta{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// WriteMeta writes m as indented JSON, atomically.
func WriteMeta(path string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}
