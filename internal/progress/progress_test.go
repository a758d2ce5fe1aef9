package progress

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestETA(t *testing.T) {
	var sb strings.Builder
	clock := time.Unix(0, 0)
	b := New(&sb, "synth", 4)
	b.now = func() time.Time { return clock }
	b.start, b.last = clock, clock
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

// A writer that is not a terminal gets plain lines, at most one per
// logEvery, and never a carriage return.
func TestLogLines(t *testing.T) {
	var sb strings.Builder
	clock := time.Unix(0, 0)
	b := New(&sb, "train", 1000)
	b.now = func() time.Time { return clock }
	b.start, b.last = clock, clock
	for i := 1; i < 1000; i++ {
		clock = clock.Add(100 * time.Millisecond) // 100 s in all
		b.Set(i, "")
	}
	b.Done()
	got := sb.String()
	if strings.Contains(got, "\r") {
		t.Fatalf("carriage return in a log: %q", got)
	}
	lines := strings.Count(got, "\n")
	if lines < 15 || lines > 21 { // one per 5 s of 100 s, plus the last
		t.Fatalf("%d lines for 100 s:\n%s", lines, got)
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&strings.Builder{}) || IsTerminal(nil) {
		t.Fatal("a file, a builder and nil are not terminals")
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
