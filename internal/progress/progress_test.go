package progress

import (
	"strings"
	"testing"
	"time"
)

func TestETA(t *testing.T) {
	var sb strings.Builder
	clock := time.Unix(0, 0)
	b := New(&sb, "synth", 4)
	b.now = func() time.Time { return clock }
	b.start = clock
	clock = clock.Add(10 * time.Second)
	b.Set(1, "loss 1")
	if got := sb.String(); !strings.Contains(got, "synth 1/4") || !strings.Contains(got, "ETA 30s") || !strings.Contains(got, "loss 1") {
		t.Fatalf("line %q", got)
	}
	b.Done()
	if !strings.HasSuffix(sb.String(), "\n") {
		t.Fatal("Done must end the line")
	}
}

func TestQuiet(t *testing.T) {
	b := New(nil, "x", 10)
	b.Add(3)
	b.Done()
	var nb *Bar
	nb.Set(1, "")
	nb.Done()
}
