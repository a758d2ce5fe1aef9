package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// UsageError marks an error in how the command was called (exit status 2).
type UsageError struct{ Err error }

func (u UsageError) Error() string { return u.Err.Error() }
func (u UsageError) Unwrap() error { return u.Err }

// Usagef returns a UsageError with a formatted Message.
func Usagef(format string, a ...any) error { return UsageError{Err: fmt.Errorf(format, a...)} }

// NewFlags returns a flag set for a command that reports errors instead of
// exiting; its usage goes to stderr on -h.
func NewFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("avl "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: avl %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// AddNote ends the command's -h with note (what it holds in memory, say).
func AddNote(fs *flag.FlagSet, note string) {
	usage := fs.Usage
	fs.Usage = func() {
		usage()
		fmt.Fprint(fs.Output(), note)
	}
}

// AddOut adds -o (and its alias --out) naming the command's output.
func AddOut(fs *flag.FlagSet, help string) *string {
	p := new(string)
	fs.StringVar(p, "o", "", help)
	fs.StringVar(p, "out", "", "same as -o")
	return p
}

// AddQuiet adds -q, which means the same in every command.
func AddQuiet(fs *flag.FlagSet) *bool {
	return fs.Bool("q", false, "quiet: no progress or notes on stderr (results are still printed)")
}

// Parse parses args, turning flag errors into usage errors (printed
// once, by Exit, without the whole flag list). It accepts flags after
// positional arguments too ("avl spectrogram in.wav -o out.png").
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
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
			return nil, UsageError{Err: err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// ParseOnly parses args for a command that takes flags only.
func ParseOnly(fs *flag.FlagSet, args []string) error {
	pos, err := Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return Usagef("unexpected arguments %q", pos)
	}
	return nil
}

// Given reports whether the flag name was set on the command line.
func Given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// FlagNames is the message of a task's config error in a command's terms:
// the "task: " (and "config: ") prefix goes, and each config key that a
// flag sets is named by that flag — where the message starts with it, and
// in "(key = …)" and "(key > 0)" asides. keys pairs config keys (as the
// task's errors name them) with flags.
func FlagNames(err error, task string, keys [][2]string) string {
	msg := strings.TrimPrefix(err.Error(), task+": ")
	msg = strings.TrimPrefix(msg, "config: ")
	var r []string
	for _, k := range keys {
		if rest, ok := strings.CutPrefix(msg, k[0]+" = "); ok {
			msg = k[1] + " " + rest
		} else if rest, ok := strings.CutPrefix(msg, k[0]+" "); ok {
			msg = k[1] + " " + rest
		}
		r = append(r, "("+k[0]+" = ", "("+k[1]+" ", "("+k[0]+" > 0)", "("+k[1]+" > 0)", "(not "+k[0]+")", "(not "+k[1]+")")
	}
	return strings.NewReplacer(r...).Replace(msg)
}
