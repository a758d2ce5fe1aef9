// Package cli is the plumbing every command of avl shares, so that each
// command is its flags and one library call, and all of them behave alike:
//
//   - flags: NewFlags, AddOut (-o and --out), AddQuiet (-q), Parse and
//     ParseOnly (flags may follow arguments), Given, Usagef for a wrong
//     call;
//   - exit: Exit turns a command's error into its message and exit status
//     (2 usage, 1 failure, 130 interrupted); Supervise cancels a command at
//     Ctrl-C and abandons it, cleaning what OnAbandon registered, if it does
//     not stop; TrainErr says which checkpoint an interrupted training kept;
//   - files: CheckOutFile and CheckOutDir check an output before any work
//     (writable, not an input, an extension the command writes); ReadWAV
//     warns on a truncated file and refuses NaN and infinite samples.
//
// A command reads:
//
//	fs := cli.NewFlags("resample", "IN.wav -o OUT.wav --rate HZ", stderr)
//	out, quiet := cli.AddOut(fs, "output WAV"), cli.AddQuiet(fs)
//	args, err := cli.Parse(fs, args)
//	…
//	if err := cli.CheckOutFile(*out, []string{".wav"}, args[0]); err != nil {
//		return err
//	}
package cli
