// Package progress prints a progress report with an ETA for long jobs
// (synthesis, training). On a terminal it redraws one line with \r; on a
// file or pipe it prints a plain line at most every few seconds, so logs stay
// readable. A nil writer makes it silent, which is how commands implement -q.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Intervals between reports: redraws on a terminal, new lines elsewhere.
const (
	terminalEvery = 250 * time.Millisecond
	logEvery      = 5 * time.Second
)

// Bar reports how much of a job of known size is done.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool // redraw in place with \r
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
	b := &Bar{w: w, tty: IsTerminal(w), label: label, total: total, now: time.Now}
	b.start = b.now()
	b.last = b.start
	return b
}

// IsTerminal reports whether w is a character device (a terminal), where a
// line can be redrawn in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
	if b.w == nil || done >= b.total {
		return // Done prints the final line
	}
	t := b.now()
	every := logEvery
	if b.tty {
		every = terminalEvery
	}
	if t.Sub(b.last) < every {
		return
	}
	b.last = t
	if b.tty {
		fmt.Fprintf(b.w, "\r%s", b.line(t))
	} else {
		fmt.Fprintln(b.w, b.line(t))
	}
}

// Done prints the final state and ends the line.
func (b *Bar) Done() {
	if b == nil || b.w == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tty {
		fmt.Fprintf(b.w, "\r%s\n", b.line(b.now()))
	} else {
		fmt.Fprintln(b.w, b.line(b.now()))
	}
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
	if b.tty {
		s += "   " // cover the tail of a longer previous line
	}
	return s
}

func round(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
