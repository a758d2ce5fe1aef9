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
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/avlearn/avlearn/internal/cli"
)

// runFunc parses args (everything after the command or verb name) and does
// the job, stopping early when ctx is cancelled. It returns a cli.UsageError for
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

func main() {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt)
	os.Exit(cli.Supervise(sig, cli.InterruptGrace, os.Stderr, func(ctx context.Context) int {
		return runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}))
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
		switch v, ok := c.verbs[rest[0]]; {
		case ok:
			f, name, rest = v, c.name+" "+rest[0], rest[1:]
		case c.run != nil && strings.HasPrefix(rest[0], "-"):
			// flags and no sub-command: the command's own job ("avl lipsync --face …")
		default:
			fmt.Fprintf(stderr, "avl %s: unknown sub-command %q (run \"avl %s -h\" for the list)\n", c.name, rest[0], c.name)
			return 2
		}
	}

	return cli.Exit(stderr, name, f(ctx, rest, stdout, stderr))
}

func isHelp(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "help"
}

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
