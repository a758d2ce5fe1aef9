// Package progress prints a one-line progress report with an ETA for long
// jobs (synthesis, training). A nil writer makes it silent, which is how
// commands implement -q.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Bar reports how much of a job of known size is done.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total int
	done  int
	start time.Time
	last  time.Time
	extra string
	now   func() time.Time
}

// New starts a report for total units of work written to w; w == nil is quiet.
func New(w io.Writer, label string, total int) *Bar {
	b := &Bar{w: w, label: label, total: total, now: time.Now}
	b.start = b.now()
	return b
}

// Add records n more units done.
func (b *Bar) Add(n int) { b.Set(b.done+n, b.extra) }

// Set records that done units are finished; extra (for example "loss 0.123")
// is shown after the counts.
func (b *Bar) Set(done int, extra string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done, b.extra = done, extra
	if b.w == nil {
		return
	}
	t := b.now()
	if t.Sub(b.last) < 250*time.Millisecond && done < b.total {
		return
	}
	b.last = t
	fmt.Fprintf(b.w, "\r%s", b.line(t))
}

// Done ends the line.
func (b *Bar) Done() {
	if b == nil || b.w == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.w, "\r%s\n", b.line(b.now()))
}

func (b *Bar) line(t time.Time) string {
	el := t.Sub(b.start)
	s := fmt.Sprintf("%s %d/%d", b.label, b.done, b.total)
	if b.total > 0 {
		s += fmt.Sprintf(" %5.1f%%", 100*float64(b.done)/float64(b.total))
	}
	s += " elapsed " + round(el)
	if b.done > 0 && b.done < b.total {
		eta := time.Duration(float64(el) / float64(b.done) * float64(b.total-b.done))
		s += " ETA " + round(eta)
	}
	if b.extra != "" {
		s += " " + b.extra
	}
	return s + "   "
}

func round(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
