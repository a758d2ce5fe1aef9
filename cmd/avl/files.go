package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
)

// checkOutFile checks, before any work, the output file named by -o: its
// extension is one of exts (usage error), it is not one of the inputs
// (usage error), and its folder exists and takes new files.
func checkOutFile(out string, exts []string, inputs ...string) error {
	if out == "" {
		return usagef("-o %s is required", "OUT"+strings.Join(exts, "|OUT"))
	}
	if ext := strings.ToLower(filepath.Ext(out)); !slices.Contains(exts, ext) {
		return usagef("-o %s: this command writes %s files, not %q", out, strings.Join(exts, " or "), ext)
	}
	if err := notInput(out, inputs); err != nil {
		return err
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return fmt.Errorf("-o %s is a folder; name a file", out)
	}
	if err := checkWritableDir("-o "+out, filepath.Dir(out)); err != nil {
		return err
	}
	onAbandon(func() { removeTemps(out) })
	return nil
}

// checkOutDir checks, before any work, an output folder: not an input, and
// either an existing writable folder or a new one whose parent takes new
// entries.
func checkOutDir(out string, inputs ...string) error {
	if out == "" {
		return usagef("-o DIR is required")
	}
	if err := notInput(out, inputs); err != nil {
		return err
	}
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("-o %s exists and is not a folder", out)
	case err == nil:
		err = checkWritableDir("-o "+out, out)
	case errors.Is(err, fs.ErrNotExist):
		err = checkWritableDir("-o "+out, filepath.Dir(filepath.Clean(out)))
	default:
		return fmt.Errorf("-o %s: %w", out, unwrapPath(err))
	}
	if err != nil {
		return err
	}
	if created, fresh := freshDir(out); fresh {
		onAbandon(func() { removeOutput(out, created) })
	}
	return nil
}

// removeTemps removes the temporary files that avlearn's writers make
// beside out (".out.tmp…") and that an abandoned command leaves behind.
func removeTemps(out string) {
	ms, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp*"))
	for _, m := range ms {
		os.Remove(m)
	}
}

// checkWritableDir checks that dir, where the output named by what (a flag
// and its value) will be written, exists and takes a new file, by creating
// and removing one.
func checkWritableDir(what, dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: folder %s does not exist", what, dir)
		}
		return fmt.Errorf("%s: %w", what, unwrapPath(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %s is not a folder", what, dir)
	}
	f, err := os.CreateTemp(dir, ".avl-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in folder %s: %w", what, dir, unwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// notInput refuses an output path that names one of the inputs.
func notInput(out string, inputs []string) error {
	so, err := os.Stat(out)
	for _, in := range inputs {
		if in == "" {
			continue
		}
		same := filepath.Clean(in) == filepath.Clean(out)
		if si, err2 := os.Stat(in); err == nil && err2 == nil && os.SameFile(so, si) {
			same = true
		}
		if same {
			return usagef("-o %s is an input of this command; choose another output so that the input is kept", out)
		}
	}
	return nil
}

// unwrapPath drops the path an *fs.PathError carries (a temporary name, or
// one the message already gives) and keeps the reason.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readWAV reads a whole WAV file for a command: it warns on stderr when the
// file is truncated and refuses NaN and infinite samples.
func readWAV(path string, stderr io.Writer) (*avio.Audio, avio.WAVInfo, error) {
	a, info, err := avio.ReadWAV(path)
	if err != nil {
		return nil, info, err
	}
	warnTruncated(path, info, stderr)
	for c, ch := range a.Channels {
		if err := checkFinite(path, ch, 0, c, len(a.Channels)); err != nil {
			return nil, info, err
		}
	}
	return a, info, nil
}

// warnTruncated tells the user that a WAV file ended before its data chunk
// did: the samples that are there are used.
func warnTruncated(path string, info avio.WAVInfo, stderr io.Writer) {
	if info.Truncated {
		fmt.Fprintf(stderr, "warning: %s is truncated: its data chunk claims more bytes than the file holds; using the %d whole frames there (%.3f s)\n",
			path, info.Frames, info.Duration())
	}
}

// checkFinite refuses a NaN or infinite sample in x, which starts at sample
// offset of channel c of a file with chans channels.
func checkFinite(path string, x []float64, offset, c, chans int) error {
	i := avio.NonFinite(x)
	if i < 0 {
		return nil
	}
	where := fmt.Sprintf("sample %d", offset+i)
	if chans > 1 {
		where = fmt.Sprintf("channel %d, %s", c+1, where)
	}
	return fmt.Errorf("%s: %s is %v; audio must hold finite numbers", path, where, x[i])
}

// freshDir reports whether dir does not exist yet (created) or exists and
// is empty: in both cases a failed command may clean it (fresh).
func freshDir(dir string) (created, fresh bool) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, true
	}
	return false, err == nil && len(ents) == 0
}

// removeOutput undoes a failed command's output folder: removed if the
// command created it, emptied if it was an empty folder before.
func removeOutput(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// trainErr turns the cancellation of a training run that started at start
// and checkpoints to out into an error that says what was kept.
func trainErr(err error, out string, start time.Time) error {
	if !errors.Is(err, context.Canceled) {
		return err
	}
	st, serr := os.Stat(out)
	if serr != nil || st.ModTime().Before(start) {
		return interruptError{note: "no checkpoint was written (none before the first epoch ended)", err: err}
	}
	note := fmt.Sprintf("kept the best checkpoint so far in %s", out)
	if _, meta, err := nets.ReadSafetensors(out); err == nil && meta["epoch"] != "" {
		note += fmt.Sprintf(" (epoch %s)", meta["epoch"])
	}
	return interruptError{note: note, err: err}
}
