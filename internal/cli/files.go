package cli

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
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// CheckOutFile checks, before any work, the output file named by -o: its
// extension is one of exts (usage error), it is not one of the inputs
// (usage error), and its folder exists and takes new files.
func CheckOutFile(out string, exts []string, inputs ...string) error {
	if out == "" {
		return Usagef("-o %s is required", "OUT"+strings.Join(exts, "|OUT"))
	}
	if ext := strings.ToLower(filepath.Ext(out)); !slices.Contains(exts, ext) {
		return Usagef("-o %s: this command writes %s files, not %q", out, strings.Join(exts, " or "), ext)
	}
	if err := NotInput(out, inputs); err != nil {
		return err
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return fmt.Errorf("-o %s is a folder; name a file", out)
	}
	if err := CheckWritableDir("-o "+out, filepath.Dir(out)); err != nil {
		return err
	}
	OnAbandon(func() { RemoveTemps(out) })
	return nil
}

// CheckOutDir checks, before any work, an output folder: not an input, and
// either an existing writable folder or a new one whose parent takes new
// entries.
func CheckOutDir(out string, inputs ...string) error {
	if out == "" {
		return Usagef("-o DIR is required")
	}
	if err := NotInput(out, inputs); err != nil {
		return err
	}
	st, err := os.Stat(out)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("-o %s exists and is not a folder", out)
	case err == nil:
		err = CheckWritableDir("-o "+out, out)
	case errors.Is(err, fs.ErrNotExist):
		err = CheckWritableDir("-o "+out, filepath.Dir(filepath.Clean(out)))
	default:
		return fmt.Errorf("-o %s: %w", out, UnwrapPath(err))
	}
	if err != nil {
		return err
	}
	if created, fresh := FreshDir(out); fresh {
		OnAbandon(func() { RemoveOutput(out, created) })
	}
	return nil
}

// RemoveTemps removes the temporary files that avlearn's writers make
// beside out (".out.tmp…") and that an abandoned command leaves behind.
func RemoveTemps(out string) {
	ms, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".tmp*"))
	for _, m := range ms {
		os.Remove(m)
	}
}

// CheckWritableDir checks that dir, where the output named by what (a flag
// and its value) will be written, exists and takes a new file, by creating
// and removing one.
func CheckWritableDir(what, dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: folder %s does not exist", what, dir)
		}
		return fmt.Errorf("%s: %w", what, UnwrapPath(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: %s is not a folder", what, dir)
	}
	f, err := os.CreateTemp(dir, ".avl-check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in folder %s: %w", what, dir, UnwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// NotInput refuses an output path that names one of the inputs.
func NotInput(out string, inputs []string) error {
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
			return Usagef("-o %s is an input of this command; choose another output so that the input is kept", out)
		}
	}
	return nil
}

// UnwrapPath drops the path an *fs.PathError carries (a temporary name, or
// one the message already gives) and keeps the reason.
func UnwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadWAV reads a whole WAV file for a command: it warns on stderr when the
// file is truncated and refuses NaN and infinite samples.
func ReadWAV(path string, stderr io.Writer) (*avio.Audio, avio.WAVInfo, error) {
	a, info, err := avio.ReadWAV(path)
	if err != nil {
		return nil, info, err
	}
	WarnTruncated(path, info, stderr)
	for c, ch := range a.Channels {
		if err := CheckFinite(path, ch, 0, c, len(a.Channels)); err != nil {
			return nil, info, err
		}
	}
	return a, info, nil
}

// ReadMono reads a WAV file as ReadWAV does and returns its mono down-mix
// (the channel average) at rate Hz, resampled if the file has another rate.
func ReadMono(path string, rate int, stderr io.Writer) ([]float64, error) {
	a, _, err := ReadWAV(path, stderr)
	if err != nil {
		return nil, err
	}
	x := a.Mono()
	if a.SampleRate != rate {
		if x, err = dsp.Resample(x, a.SampleRate, rate); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return x, nil
}

// StreamMono reads the WAV file at path a block at a time as mono at rate
// Hz (resampled as it is read, as ReadMono does) and gives each block to
// f, for commands that need not hold the whole signal. NaN or infinite
// samples are refused with their index. It returns the number of samples
// given at rate.
func StreamMono(path string, rate int, stderr io.Writer, f func([]float64) error) (int, error) {
	r, err := avio.OpenWAV(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	info := r.Info()
	WarnTruncated(path, info, stderr)
	var rs *dsp.Resampler
	if info.SampleRate != rate {
		if rs, err = dsp.NewResampler(info.SampleRate, rate, dsp.HighQualityResampleOptions()); err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
	}
	buf := make([]float64, 1<<15)
	var res []float64
	read, given := 0, 0
	give := func(x []float64) error {
		given += len(x)
		return f(x)
	}
	for {
		n, err := r.ReadMono(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			return given, err
		}
		x := buf[:n]
		if err := CheckFinite(path, x, read, 0, 1); err != nil {
			return given, err
		}
		read += n
		if rs != nil {
			res = rs.Write(res[:0], x)
			x = res
		}
		if err := give(x); err != nil {
			return given, err
		}
	}
	if rs != nil {
		if err := give(rs.Flush(res[:0])); err != nil {
			return given, err
		}
	}
	return given, nil
}

// ParseEncoding parses the value of an --encoding flag: pcm16 or float32.
func ParseEncoding(s string) (avio.Encoding, error) {
	switch strings.ToLower(s) {
	case "pcm16":
		return avio.PCM16, nil
	case "float32":
		return avio.Float32, nil
	}
	return 0, Usagef("--encoding %q: want pcm16 or float32", s)
}

// WarnTruncated tells the user that a WAV file ended before its data chunk
// did: the samples that are there are used.
func WarnTruncated(path string, info avio.WAVInfo, stderr io.Writer) {
	if info.Truncated {
		fmt.Fprintf(stderr, "warning: %s is truncated: its data chunk claims more bytes than the file holds; using the %d whole frames there (%.3f s)\n",
			path, info.Frames, info.Duration())
	}
}

// CheckFinite refuses a NaN or infinite sample in x, which starts at sample
// offset of channel c of a file with chans channels.
func CheckFinite(path string, x []float64, offset, c, chans int) error {
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

// FreshDir reports whether dir does not exist yet (created) or exists and
// is empty: in both cases a failed command may clean it (fresh).
func FreshDir(dir string) (created, fresh bool) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true, true
	}
	return false, err == nil && len(ents) == 0
}

// RemoveOutput undoes a failed command's output folder: removed if the
// command created it, emptied if it was an empty folder before.
func RemoveOutput(dir string, created bool) {
	if created {
		os.RemoveAll(dir)
		return
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// TrainErr turns the cancellation of a training run that started at start
// and checkpoints to out into an error that says what was kept.
func TrainErr(err error, out string, start time.Time) error {
	if !errors.Is(err, context.Canceled) {
		return err
	}
	st, serr := os.Stat(out)
	if serr != nil || st.ModTime().Before(start) {
		return InterruptError{Note: "no checkpoint was written (none before the first epoch ended)", Err: err}
	}
	note := fmt.Sprintf("kept the best checkpoint so far in %s", out)
	if _, meta, err := nets.ReadSafetensors(out); err == nil && meta["epoch"] != "" {
		note += fmt.Sprintf(" (epoch %s)", meta["epoch"])
	}
	return InterruptError{Note: note, Err: err}
}
