package avio

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Problem is one thing wrong with a clip dataset.
type Problem struct {
	Clip string // clip folder name
	Msg  string
}

// String returns "clip: message".
func (p Problem) String() string { return p.Clip + ": " + p.Msg }

// Report is what Check found in a clip dataset.
type Report struct {
	Root     string
	Clips    int                       // clip folders found
	Splits   map[string]int            // clips per split ("" for none)
	Labels   map[string]map[string]int // label key → value → clips
	Frames   int                       // frames over all clips
	Audio    float64                   // seconds of audio over all clips
	MinAudio float64                   // shortest clip's audio, seconds
	MaxAudio float64                   // longest clip's audio, seconds
	Rates    map[int]int               // audio sample rate (Hz) → clips
	FPS      map[float64]int           // frame rate → clips
	Problems []Problem
}

// CheckOptions tunes Check.
type CheckOptions struct {
	// Decode decodes every frame in full; otherwise only image headers are
	// read (fast, catches missing, empty and non-image files and size
	// changes, but not corrupt pixel data).
	Decode bool
	// Workers is how many clips are checked at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is called after each clip with the number of clips
	// checked so far and the total (never concurrently).
	Progress func(done, total int)
}

// Check inspects every clip folder under root (as Open finds them) and
// reports counts and every problem, each naming its clip: unreadable or
// invalid meta.json, fps missing or not positive, no split, no labels,
// audio.wav missing, unreadable or truncated, float audio holding NaN or ±Inf,
// no frames folder or no frames,
// gaps in the frame numbering, stray or mixed-format files in frames/,
// unreadable frames, frames of differing sizes, and audio shorter than the
// frames (by more than one frame period). The error is for a root that
// cannot be read at all.
func Check(root string, o CheckOptions) (*Report, error) {
	dirs, err := clipDirs(root)
	if err != nil {
		return nil, err
	}
	r := newReport(root)
	r.Clips = len(dirs)
	// Clips are checked in parallel, each into its own report; merging them
	// in name order keeps the output independent of timing.
	type result struct {
		rep *Report
		dur float64
		ok  bool
	}
	results := make([]result, len(dirs))
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < min(workers, len(dirs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rep := newReport(root)
				dur, ok := rep.checkClip(root, dirs[i], o)
				results[i] = result{rep, dur, ok}
				if o.Progress != nil {
					mu.Lock()
					done++
					o.Progress(done, len(dirs))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range dirs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	first := true
	for _, res := range results {
		r.merge(res.rep)
		if res.ok {
			r.Audio += res.dur
			if first || res.dur < r.MinAudio {
				r.MinAudio = res.dur
			}
			if first || res.dur > r.MaxAudio {
				r.MaxAudio = res.dur
			}
			first = false
		}
	}
	return r, nil
}

func newReport(root string) *Report {
	return &Report{Root: root, Splits: map[string]int{}, Labels: map[string]map[string]int{},
		Rates: map[int]int{}, FPS: map[float64]int{}}
}

// merge adds the counts and problems of one clip's report to r.
func (r *Report) merge(c *Report) {
	for k, v := range c.Splits {
		r.Splits[k] += v
	}
	for k, vals := range c.Labels {
		if r.Labels[k] == nil {
			r.Labels[k] = map[string]int{}
		}
		for v, n := range vals {
			r.Labels[k][v] += n
		}
	}
	for k, v := range c.Rates {
		r.Rates[k] += v
	}
	for k, v := range c.FPS {
		r.FPS[k] += v
	}
	r.Frames += c.Frames
	r.Problems = append(r.Problems, c.Problems...)
}

func (r *Report) add(clip, format string, a ...any) {
	r.Problems = append(r.Problems, Problem{clip, fmt.Sprintf(format, a...)})
}

// checkClip checks one clip and returns its audio duration if it has one.
func (r *Report) checkClip(root, name string, o CheckOptions) (float64, bool) {
	dir := filepath.Join(root, name)
	m, err := ReadMeta(filepath.Join(dir, MetaFile))
	metaOK := err == nil
	switch {
	case errors.Is(err, os.ErrNotExist):
		r.add(name, "no %s", MetaFile)
	case err != nil:
		r.add(name, "unreadable %s: %v", MetaFile, trimPath(err, filepath.Join(dir, MetaFile)))
	}
	if metaOK {
		if err := m.Validate(); err != nil {
			r.add(name, "%s: %v", MetaFile, err)
			metaOK = false
		}
		if m.Split == "" {
			r.add(name, "%s has no \"split\"", MetaFile)
		}
		if len(m.Labels) == 0 {
			r.add(name, "%s has no \"labels\"", MetaFile)
		}
		r.Splits[m.Split]++
		if metaOK {
			r.FPS[m.FPS]++
		}
		for k, v := range m.Labels {
			if r.Labels[k] == nil {
				r.Labels[k] = map[string]int{}
			}
			r.Labels[k][v]++
		}
	}

	var dur float64
	audioOK := false
	info, err := ReadWAVInfo(filepath.Join(dir, AudioFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		r.add(name, "no %s", AudioFile)
	case err != nil:
		r.add(name, "unreadable %s: %v", AudioFile, trimPath(err, filepath.Join(dir, AudioFile)))
	default:
		audioOK = true
		dur = info.Duration()
		r.Rates[info.SampleRate]++
		if info.Truncated {
			r.add(name, "%s is truncated: its data chunk claims more than the file holds (%d whole frames read)", AudioFile, info.Frames)
		}
		if info.Frames == 0 {
			r.add(name, "%s holds no samples", AudioFile)
		}
		if info.SubFormat == 3 { // IEEE float: the only codec that holds NaN and ±Inf
			if a, _, err := ReadWAV(filepath.Join(dir, AudioFile)); err == nil {
				for c, x := range a.Channels {
					if i := NonFinite(x); i >= 0 {
						r.add(name, "%s: channel %d, sample %d is %v; audio must hold finite numbers", AudioFile, c+1, i, x[i])
						break
					}
				}
			}
		}
	}

	fs, err := scanFrames(filepath.Join(dir, FramesDir))
	if err != nil {
		r.add(name, "%v", err)
		return dur, audioOK
	}
	for _, p := range fs.problems() {
		r.add(name, "%s", p)
	}
	r.Frames += len(fs.indices)
	r.checkFrames(name, dir, fs, o)

	if metaOK && audioOK && len(fs.indices) > 0 {
		video := float64(fs.indices[len(fs.indices)-1]+1) / m.FPS
		if dur+1/m.FPS < video-1e-9 {
			r.add(name, "audio is %.3f s but the %d frames at %g fps span %.3f s", dur, len(fs.indices), m.FPS, video)
		}
	}
	return dur, audioOK
}

// checkFrames reads every frame's header (or the whole frame with Decode)
// and reports unreadable frames and size changes.
func (r *Report) checkFrames(name, dir string, fs frameScan, o CheckOptions) {
	var bad []string
	var firstErr error
	var size image.Point
	sizeIdx := -1
	var changed []string
	exts := append([]string{fs.ext}, fs.mixed...)
	for _, i := range fs.indices {
		var path string
		for _, e := range exts { // the frame's extension
			p := filepath.Join(dir, FramesDir, fmt.Sprintf("%06d%s", i, e))
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		sz, err := frameSize(path, o.Decode)
		if err != nil {
			bad = append(bad, filepath.Base(path))
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if sizeIdx < 0 {
			size, sizeIdx = sz, i
		} else if sz != size {
			changed = append(changed, fmt.Sprintf("%s is %dx%d", filepath.Base(path), sz.X, sz.Y))
		}
	}
	if len(bad) > 0 {
		r.add(name, "%d unreadable frames: %s (%v)", len(bad), listShort(bad), firstErr)
	}
	if len(changed) > 0 {
		r.add(name, "frame size changes (frame %06d is %dx%d): %s", sizeIdx, size.X, size.Y, listShort(changed))
	}
}

func frameSize(path string, decode bool) (image.Point, error) {
	if path == "" {
		return image.Point{}, errors.New("not found")
	}
	f, err := os.Open(path)
	if err != nil {
		return image.Point{}, err
	}
	defer f.Close()
	if decode {
		if err := checkImageSize(f); err != nil {
			return image.Point{}, err
		}
		img, _, err := image.Decode(f)
		if err != nil {
			return image.Point{}, err
		}
		return img.Bounds().Size(), nil
	}
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return image.Point{}, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxFramePixels {
		return image.Point{}, fmt.Errorf("image of %d×%d pixels (at most %d pixels are accepted)", cfg.Width, cfg.Height, MaxFramePixels)
	}
	return image.Pt(cfg.Width, cfg.Height), nil
}

// trimPath drops a leading "path: " from err's message; the report already
// names the clip and the file.
func trimPath(err error, path string) string {
	return strings.TrimPrefix(err.Error(), path+": ")
}

// writeCounts writes a line "title k1 (n1) k2 (n2) …" with the keys of m in
// increasing order, each through format; nothing if m is empty.
func writeCounts[K cmp.Ordered](sb *strings.Builder, title, format string, m map[K]int) {
	if len(m) == 0 {
		return
	}
	sb.WriteString(title)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(sb, format, k, m[k])
	}
	sb.WriteString("\n")
}

// maxListedValues is how many values of a label WriteTo lists one by one.
const maxListedValues = 12

// WriteTo prints the report: counts per split and label (a label with more
// than 12 values, such as a caption, gets a one-line summary), durations,
// and every problem.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "dataset %s: %d clips, %d frames, %s of audio", r.Root, r.Clips, r.Frames, fmtDur(r.Audio))
	if r.Clips > 0 {
		fmt.Fprintf(&sb, " (clips %s to %s)", fmtDur(r.MinAudio), fmtDur(r.MaxAudio))
	}
	sb.WriteString("\n")
	writeCounts(&sb, "audio rates:", " %d Hz (%d)", r.Rates)
	writeCounts(&sb, "frame rates:", " %g fps (%d)", r.FPS)
	if len(r.Splits) > 0 {
		sb.WriteString("splits:\n")
		names := sortedKeys(r.Splits)
		wid := 12
		for _, s := range names {
			wid = max(wid, len(s))
		}
		for _, s := range names {
			name := s
			if name == "" {
				name = "(none)"
			}
			fmt.Fprintf(&sb, "  %-*s %d\n", wid, name, r.Splits[s])
		}
	}
	for _, k := range sortedKeys(r.Labels) {
		vals := r.Labels[k]
		if len(vals) > maxListedValues {
			// Captions and continuous labels: a summary, not thousands of lines.
			names := sortedKeys(vals)
			total := 0
			for _, n := range vals {
				total += n
			}
			sort.SliceStable(names, func(i, j int) bool { return vals[names[i]] > vals[names[j]] })
			fmt.Fprintf(&sb, "label %s: %d values on %d clips; most common:", k, len(vals), total)
			for i, v := range names[:5] {
				if i > 0 {
					sb.WriteString(",")
				}
				fmt.Fprintf(&sb, " %q (%d)", v, vals[v])
			}
			sb.WriteString("\n")
			continue
		}
		fmt.Fprintf(&sb, "label %s: %d values\n", k, len(vals))
		names := sortedKeys(vals)
		wid := 12
		for _, v := range names {
			wid = max(wid, len(v))
		}
		for _, v := range names {
			fmt.Fprintf(&sb, "  %-*s %d\n", wid, v, vals[v])
		}
	}
	if len(r.Problems) == 0 {
		sb.WriteString("no problems\n")
	} else {
		fmt.Fprintf(&sb, "%d problems:\n", len(r.Problems))
		for _, p := range r.Problems {
			fmt.Fprintf(&sb, "  %s\n", p)
		}
	}
	n, err := io.WriteString(w, sb.String())
	return int64(n), err
}

func fmtDur(s float64) string {
	if s < 60 {
		return fmt.Sprintf("%.2f s", s)
	}
	h := math.Floor(s / 3600)
	m := math.Floor((s - 3600*h) / 60)
	sec := s - 3600*h - 60*m
	if h > 0 {
		return fmt.Sprintf("%.0fh%02.0fm%04.1fs", h, m, sec)
	}
	return fmt.Sprintf("%.0fm%04.1fs", m, sec)
}

// ProblemsByClip groups the problem messages by clip.
func (r *Report) ProblemsByClip() map[string][]string {
	out := map[string][]string{}
	for _, p := range r.Problems {
		out[p.Clip] = append(out[p.Clip], p.Msg)
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}
