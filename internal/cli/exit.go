package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Exit reports the error of the command name (e.g. "separation train") on
// stderr and returns the exit status: 0 for success or -h, 130 for an
// interruption, 2 for a UsageError, 1 for any other failure. Library
// package prefixes are dropped from the message (see Message).
func Exit(stderr io.Writer, name string, err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled):
		msg := "interrupted"
		var ie InterruptError
		if errors.As(err, &ie) {
			msg += "; " + ie.Note
		}
		fmt.Fprintf(stderr, "avl %s: %s\n", name, msg)
		return 130
	}
	var u UsageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "avl %s: %s (run \"avl %s -h\" for usage)\n", name, Message(err), name)
		return 2
	}
	fmt.Fprintf(stderr, "avl %s: %s\n", name, Message(err))
	return 1
}

// InterruptGrace is how long a command may take to stop after Ctrl-C.
const InterruptGrace = 10 * time.Second

// Supervise runs cmd, cancelling its context at the first signal on sig.
// A command that honours the context stops by itself and says what it
// kept; one that has not returned after grace, or a second signal, is
// abandoned: the outputs it registered are cleaned up and Supervise
// returns 130, after which main exits.
func Supervise(sig <-chan os.Signal, grace time.Duration, stderr io.Writer, cmd func(context.Context) int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- cmd(ctx) }()
	var timeout <-chan time.Time
	for {
		select {
		case code := <-done:
			return code
		case <-sig:
			if timeout != nil {
				return abandon(stderr)
			}
			cancel()
			timeout = time.After(grace)
		case <-timeout:
			return abandon(stderr)
		}
	}
}

// abandon cleans up after an interrupted command that did not stop.
func abandon(stderr io.Writer) int {
	runCleanups()
	fmt.Fprintln(stderr, "avl: interrupted")
	return 130
}

// cleanups undo the partial outputs of a command that is abandoned.
var cleanups struct {
	sync.Mutex
	fns []func()
}

// OnAbandon registers f to run if the command is abandoned after Ctrl-C.
func OnAbandon(f func()) {
	cleanups.Lock()
	defer cleanups.Unlock()
	cleanups.fns = append(cleanups.fns, f)
}

func runCleanups() {
	cleanups.Lock()
	defer cleanups.Unlock()
	for _, f := range cleanups.fns {
		f()
	}
	cleanups.fns = nil
}

// libPrefixes are the package names that library errors start with.
var libPrefixes = []string{"avio", "dsp", "eval", "fusion", "img2speech", "lipsync", "nets", "separation", "soundnet", "speech2face", "spectrogram", "synth", "task"}

// Message is err's text without the package prefixes of library errors
// ("separation: "), which would stack after the command's name and after
// the file names that wrap them.
func Message(err error) string {
	s := err.Error()
	for _, p := range libPrefixes {
		s = strings.ReplaceAll(s, ": "+p+": ", ": ")
	}
	for {
		t := s
		for _, p := range libPrefixes {
			t = strings.TrimPrefix(t, p+": ")
		}
		if t == s {
			return s
		}
		s = t
	}
}

// InterruptError is a cancellation with a note on what was kept.
type InterruptError struct {
	Note string // what was kept, e.g. the checkpoint
	Err  error  // the cancellation
}

func (e InterruptError) Error() string { return e.Err.Error() + "; " + e.Note }
func (e InterruptError) Unwrap() error { return e.Err }
