package avio

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// addSeeds adds every file matching pattern to the fuzz corpus.
func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		f.Fatalf("no seed files match %s", pattern)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeWAV checks that no input makes DecodeWAV panic, that what it
// accepts is consistent with its header, and that memory stays bounded by
// the input (the decoded samples never outnumber the input bytes).
func FuzzDecodeWAV(f *testing.F) {
	addSeeds(f, filepath.Join(wavDir, "*.wav"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, info, err := DecodeWAV(bytes.NewReader(b), "fuzz.wav", int64(len(b)))
		if err != nil {
			if a != nil {
				t.Fatal("audio returned with an error")
			}
			return
		}
		if len(a.Channels) != info.Channels || a.Len() != info.Frames || a.SampleRate != info.SampleRate {
			t.Fatalf("audio %d×%d @%d disagrees with info %+v", len(a.Channels), a.Len(), a.SampleRate, info)
		}
		if a.Len()*len(a.Channels) > len(b) {
			t.Fatalf("%d samples from %d bytes", a.Len()*len(a.Channels), len(b))
		}
		if info.SubFormat == tagPCM {
			for _, ch := range a.Channels {
				for _, v := range ch {
					if v < -1 || v >= 1 {
						t.Fatalf("PCM sample %v outside [-1, 1)", v)
					}
				}
			}
		}
		// A plain reader must give the same answer.
		a2, info2, err := DecodeWAV(bytes.NewBuffer(b), "fuzz.wav", -1)
		if err != nil || info2 != info || a2.Len() != a.Len() {
			t.Fatalf("plain reader: %v %+v vs %+v", err, info2, info)
		}
	})
}

// FuzzReadNPY checks that no input makes the .npy decoder panic and that an
// accepted array's shape matches its data and the input size.
func FuzzReadNPY(f *testing.F) {
	addSeeds(f, filepath.Join(npyDir, "*.npy"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeNPY(bytes.NewReader(b), "fuzz.npy")
		if err != nil {
			return
		}
		if a.Size() != len(a.Data) {
			t.Fatalf("shape %v but %d values", a.Shape, len(a.Data))
		}
		if len(a.Data) > len(b) {
			t.Fatalf("%d values from %d bytes", len(a.Data), len(b))
		}
		for _, v := range a.Data {
			if a.DType[1] != 'f' && (math.IsNaN(v) || math.IsInf(v, 0)) {
				t.Fatalf("integer dtype %s gave %v", a.DType, v)
			}
		}
	})
}

// FuzzMeta checks that meta.json decoding never panics and that whatever it
// accepts survives a write and a read unchanged.
func FuzzMeta(f *testing.F) {
	addSeeds(f, "../testdata/avio/clips/*/meta.json")
	f.Add([]byte(`{"fps": 29.97, "split": "val", "labels": {"speaker": "s03"}, "faces": ["s01", "s07"], "x": [1, {"y": null}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Meta
		if json.Unmarshal(b, &m) != nil {
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("accepted %q but cannot write it: %v", b, err)
		}
		var m2 Meta
		if err := json.Unmarshal(out, &m2); err != nil {
			t.Fatalf("cannot read back %q: %v", out, err)
		}
		out2, _ := json.Marshal(m2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed %q to %q", out, out2)
		}
	})
}
