package synth

import (
	"math"
	"testing"
)

// FuzzParsePhones: any label either fails with an error or gives spans
// with a name and 0 ≤ start ≤ end, which FormatPhones writes back into a
// label that parses to the same spans (times to FormatPhones' millisecond).
func FuzzParsePhones(f *testing.F) {
	for _, s := range []string{"", "sil:0.000-0.206 l:0.206-0.260 e:0.260-0.388", "a:1-2", "a:-1-2", "a:2-1", ":0-1", "a:NaN-1", "a:0-1e300", "a::0-1", "a:0--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, label string) {
		spans, err := ParsePhones(label)
		if err != nil {
			return
		}
		for _, s := range spans {
			if s.Phone == "" || !(s.Start >= 0 && s.End >= s.Start) {
				t.Fatalf("%q: span %+v", label, s)
			}
		}
		again, err := ParsePhones(FormatPhones(spans))
		if err != nil {
			t.Fatalf("%q: its own format %q does not parse: %v", label, FormatPhones(spans), err)
		}
		if len(again) != len(spans) {
			t.Fatalf("%q: %d spans, then %d", label, len(spans), len(again))
		}
		for i, s := range spans {
			a := again[i]
			if a.Phone != s.Phone || math.Abs(a.Start-s.Start) > 5e-4 || math.Abs(a.End-s.End) > 5e-4 {
				t.Fatalf("%q: span %+v written and read back as %+v", label, s, a)
			}
		}
	})
}
