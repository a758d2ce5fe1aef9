// Command avl is avlearn's command line: one sub-command per job, each a thin
// layer over the library packages. Run "avl -h" for the list and
// "avl CMD -h" for a command's flags.
//
// Every command follows one convention: -o names its output, -q silences
// progress (results still print), exit status 2 means the command was called
// wrongly, 1 that the work failed, 130 that it was interrupted (Ctrl-C).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// runFunc parses args (everything after the command or verb name) and does
// the job, stopping early when ctx is cancelled. It returns a usageError for
// bad flags or arguments.
type runFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// command is one sub-command. Each lives in its own file and registers
// itself in init, so parallel work on different commands never collides.
type command struct {
	name    string
	summary string
	run     runFunc // a command without verbs
	// help and verbs describe a command with verbs ("avl soundnet distill").
	help  string
	verbs map[string]runFunc
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("avl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks an error in how the command was called (exit status 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// newFlags returns a flag set for a command that reports errors instead of
// exiting; its usage goes to stderr on -h.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("avl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// addOut adds -o (and its alias --out) naming the command's output.
func addOut(fs *flag.FlagSet, help string) *string {
	p := new(string)
	fs.StringVar(p, "o", "", help)
	fs.StringVar(p, "out", "", "same as -o")
	return p
}

// addQuiet adds -q, which means the same in every command.
func addQuiet(fs *flag.FlagSet) *bool {
	return fs.Bool("q", false, "quiet: no progress or notes on stderr (results are still printed)")
}

// parseFlags parses args, turning flag errors into usage errors (printed
// once, by run, without the whole flag list). It accepts flags after
// positional arguments too ("avl spectrogram in.wav -o out.png").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() { fs.Usage = usage; fs.SetOutput(out) }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, err
			}
			return nil, usageError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseFlagsOnly parses args for a command that takes flags only.
func parseFlagsOnly(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("unexpected arguments %q", pos)
	}
	return nil
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func main() {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt)
	os.Exit(supervise(sig, interruptGrace, os.Stderr, func(ctx context.Context) int {
		return runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}))
}

// interruptGrace is how long a command may take to stop after Ctrl-C.
const interruptGrace = 10 * time.Second

// supervise runs cmd, cancelling its context at the first signal on sig.
// A command that honours the context stops by itself and says what it
// kept; one that has not returned after grace, or a second signal, is
// abandoned: the outputs it registered are cleaned up and supervise
// returns 130, after which main exits.
func supervise(sig <-chan os.Signal, grace time.Duration, stderr io.Writer, cmd func(context.Context) int) int {
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

// onAbandon registers f to run if the command is abandoned after Ctrl-C.
func onAbandon(f func()) {
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

// run runs the command line args and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || isHelp(args[0]) {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(stdout, "avl", version())
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "avl: unknown command %q (run \"avl -h\" for the list)\n", args[0])
		return 2
	}
	name, rest, f := c.name, args[1:], c.run
	if c.verbs != nil {
		switch {
		case len(rest) == 0:
			fmt.Fprint(stderr, c.help)
			fmt.Fprintf(stderr, "avl %s: missing sub-command\n", c.name)
			return 2
		case isHelp(rest[0]):
			fmt.Fprint(stderr, c.help)
			return 0
		}
		if f, ok = c.verbs[rest[0]]; !ok {
			fmt.Fprintf(stderr, "avl %s: unknown sub-command %q (run \"avl %s -h\" for the list)\n", c.name, rest[0], c.name)
			return 2
		}
		name, rest = c.name+" "+rest[0], rest[1:]
	}
	err := f(ctx, rest, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, context.Canceled):
		msg := "interrupted"
		var ie interruptError
		if errors.As(err, &ie) {
			msg += "; " + ie.note
		}
		fmt.Fprintf(stderr, "avl %s: %s\n", name, msg)
		return 130
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(stderr, "avl %s: %s (run \"avl %s -h\" for usage)\n", name, message(err), name)
		return 2
	}
	fmt.Fprintf(stderr, "avl %s: %s\n", name, message(err))
	return 1
}

func isHelp(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "help"
}

// libPrefixes are the package names that library errors start with.
var libPrefixes = []string{"avio", "dsp", "eval", "nets", "separation", "soundnet", "spectrogram", "synth", "task"}

// message is err's text without the package prefixes of library errors
// ("separation: "), which would stack after the command's name and after
// the file names that wrap them.
func message(err error) string {
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

// interruptError is a cancellation with a note on what was kept.
type interruptError struct {
	note string
	err  error
}

func (e interruptError) Error() string { return e.err.Error() + "; " + e.note }
func (e interruptError) Unwrap() error { return e.err }

// version is the module version avl was built from, "(devel)" for a build
// from a work tree.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "avl — avlearn's audio-visual learning tools\n\nusage: avl COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `  version        print avl's version (also avl --version)

Run "avl COMMAND -h" for a command's flags. Every command writes where -o
says, prints progress on stderr unless -q, and exits with status 2 for a
wrong call, 1 for a failure and 130 when interrupted (Ctrl-C).`)
}
