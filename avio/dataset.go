package avio

import (
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // frames may be JPEG
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/avlearn/avlearn/dsp"
)

// Names of the files inside a clip folder.
const (
	AudioFile = "audio.wav"
	FramesDir = "frames"
	MetaFile  = "meta.json"
)

// Clip is one folder of a clip dataset:
//
//	ROOT/<clip>/audio.wav
//	ROOT/<clip>/frames/000000.png, 000001.png, … (or .jpg), frame i shows time i/fps
//	ROOT/<clip>/meta.json
//
// Opening a clip reads only meta.json and the frame names; audio and images
// are read on demand.
type Clip struct {
	Name      string // folder name
	Dir       string // folder path
	Meta      Meta
	NumFrames int
	frameExt  string // ".png", ".jpg" or ".jpeg"
}

// AudioPath returns the path of the clip's audio.wav.
func (c *Clip) AudioPath() string { return filepath.Join(c.Dir, AudioFile) }

// FramePath returns the path of frame i (which need not exist).
func (c *Clip) FramePath(i int) string {
	return filepath.Join(c.Dir, FramesDir, fmt.Sprintf("%06d%s", i, c.frameExt))
}

// FrameTime returns the time in seconds that frame i shows: i/fps.
func (c *Clip) FrameTime(i int) float64 { return float64(i) / c.Meta.FPS }

// FrameAt returns the index of the frame on screen at time t, floor(t·fps),
// clamped to the clip's frames.
func (c *Clip) FrameAt(t float64) int {
	// The small tolerance keeps t = i/fps on frame i despite rounding.
	i := int(math.Floor(t*c.Meta.FPS + 1e-9))
	return max(0, min(i, c.NumFrames-1))
}

// FramesIn returns the indices of the frames whose time i/fps lies in
// [t0, t0+dur).
func (c *Clip) FramesIn(t0, dur float64) []int {
	var out []int
	first := int(math.Ceil(t0*c.Meta.FPS - 1e-9))
	for i := max(first, 0); i < c.NumFrames; i++ {
		if c.FrameTime(i) >= t0+dur-1e-12 {
			break
		}
		out = append(out, i)
	}
	return out
}

// Duration returns the length of the video, NumFrames/fps seconds.
func (c *Clip) Duration() float64 { return float64(c.NumFrames) / c.Meta.FPS }

// AudioInfo reads the header of the clip's audio.
func (c *Clip) AudioInfo() (WAVInfo, error) {
	info, err := ReadWAVInfo(c.AudioPath())
	if err != nil {
		return info, fmt.Errorf("clip %s: %w", c.Name, err)
	}
	return info, nil
}

// Audio reads the clip's sound as mono (the channel average) at rate Hz,
// resampled with dsp.Resample when the file has another rate. rate 0 keeps
// the file's rate; AudioNative also returns it.
func (c *Clip) Audio(rate int) ([]float64, error) {
	x, _, err := c.audio(rate)
	return x, err
}

// AudioNative reads the clip's mono sound at the file's own rate and returns
// it with that rate.
func (c *Clip) AudioNative() ([]float64, int, error) { return c.audio(0) }

func (c *Clip) audio(rate int) ([]float64, int, error) {
	if rate < 0 {
		return nil, 0, fmt.Errorf("clip %s: negative sample rate %d", c.Name, rate)
	}
	a, _, err := ReadWAV(c.AudioPath())
	if err != nil {
		return nil, 0, fmt.Errorf("clip %s: %w", c.Name, err)
	}
	for ch, s := range a.Channels {
		if i := NonFinite(s); i >= 0 {
			return nil, 0, fmt.Errorf("clip %s: %s: channel %d, sample %d is %v; audio must hold finite numbers", c.Name, AudioFile, ch+1, i, s[i])
		}
	}
	x := a.Mono()
	if rate == 0 || rate == a.SampleRate {
		return x, a.SampleRate, nil
	}
	y, err := dsp.Resample(x, a.SampleRate, rate)
	if err != nil {
		return nil, 0, fmt.Errorf("clip %s: resampling %d → %d Hz: %w", c.Name, a.SampleRate, rate, err)
	}
	return y, rate, nil
}

// AudioWindow returns dur seconds of the clip's mono sound at rate Hz from
// time t0: round(dur·rate) samples starting at sample round(t0·rate), with
// zeros where the window runs past either end of the recording.
func (c *Clip) AudioWindow(t0, dur float64, rate int) ([]float64, error) {
	if rate <= 0 {
		return nil, fmt.Errorf("clip %s: sample rate %d, need > 0", c.Name, rate)
	}
	// NaN and ±Inf convert to int differently on each architecture, and a
	// huge dur would size the window.
	if math.IsNaN(t0) || math.IsInf(t0, 0) || !(dur >= 0 && dur*float64(rate) <= 1<<31) {
		return nil, fmt.Errorf("clip %s: window at %g s of %g s, want a finite start and 0 ≤ duration ≤ 2^31 samples", c.Name, t0, dur)
	}
	x, err := c.Audio(rate)
	if err != nil {
		return nil, err
	}
	return Segment(x, rate, t0, dur), nil
}

// Segment cuts dur seconds from time t0 out of samples x recorded at rate Hz:
// round(dur·rate) samples from sample round(t0·rate), zero outside x.
func Segment(x []float64, rate int, t0, dur float64) []float64 {
	start := int(math.Round(t0 * float64(rate)))
	n := max(int(math.Round(dur*float64(rate))), 0)
	out := make([]float64, n)
	for i := range out {
		if j := start + i; j >= 0 && j < len(x) {
			out[i] = x[j]
		}
	}
	return out
}

// Frame decodes frame i.
func (c *Clip) Frame(i int) (image.Image, error) {
	if i < 0 || i >= c.NumFrames {
		return nil, fmt.Errorf("clip %s: frame %d out of range [0, %d)", c.Name, i, c.NumFrames)
	}
	return decodeImage(c.FramePath(i))
}

// Frames decodes every frame of the clip, in order.
func (c *Clip) Frames() ([]image.Image, error) {
	out := make([]image.Image, 0, c.NumFrames)
	for i := 0; i < c.NumFrames; i++ {
		f, err := c.Frame(i)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// MaxFramePixels bounds the size of a frame the decoders will allocate for.
// An image header states its size before any pixel data, so a small file
// could otherwise demand gigabytes; 8192×8192 covers 8K video.
const MaxFramePixels = 8192 * 8192

func decodeImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkImageSize(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// checkImageSize reads the image header of f, refuses sizes beyond
// MaxFramePixels and rewinds f.
func checkImageSize(f io.ReadSeeker) error {
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxFramePixels {
		return fmt.Errorf("image of %d×%d pixels (at most %d pixels are accepted)", cfg.Width, cfg.Height, MaxFramePixels)
	}
	_, err = f.Seek(0, io.SeekStart)
	return err
}

// Dataset is a folder of clips, sorted by name.
type Dataset struct {
	Root  string
	Clips []*Clip
}

// Open reads a clip dataset: every folder under root that holds a
// meta.json, an audio.wav or a frames folder is a clip; other files and
// folders, and names starting with "." or "_", are ignored. Each clip must
// have a valid meta.json (fps > 0), an audio.wav and frames numbered from
// 000000 without gaps, all .png or all .jpg; the first clip that does not is
// an error naming it (run Check, or "avl dataset check", to list every
// problem at once).
func Open(root string) (*Dataset, error) {
	dirs, err := clipDirs(root)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Root: root}
	for _, name := range dirs {
		c, err := openClip(root, name)
		if err != nil {
			return nil, fmt.Errorf("%w (run \"avl dataset check %s\" to list every problem)", err, root)
		}
		d.Clips = append(d.Clips, c)
	}
	return d, nil
}

// clipDirs lists the clip folders of root in name order.
func clipDirs(root string) ([]string, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		dir := filepath.Join(root, name)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		for _, f := range []string{MetaFile, AudioFile, FramesDir} {
			if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func openClip(root, name string) (*Clip, error) {
	c := &Clip{Name: name, Dir: filepath.Join(root, name)}
	m, err := ReadMeta(filepath.Join(c.Dir, MetaFile))
	if err != nil {
		return nil, fmt.Errorf("clip %s: %w", name, err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("clip %s: %s: %w", name, MetaFile, err)
	}
	c.Meta = m
	if st, err := os.Stat(c.AudioPath()); err != nil {
		return nil, fmt.Errorf("clip %s: %w", name, err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("clip %s: %s is not a file", name, AudioFile)
	}
	fs, err := scanFrames(filepath.Join(c.Dir, FramesDir))
	if err != nil {
		return nil, fmt.Errorf("clip %s: %w", name, err)
	}
	if p := fs.problems(); len(p) > 0 {
		return nil, fmt.Errorf("clip %s: %s", name, p[0])
	}
	c.NumFrames = len(fs.indices)
	c.frameExt = fs.ext
	return c, nil
}

// frameScan is what a frames folder holds.
type frameScan struct {
	indices []int    // frame numbers found, sorted
	ext     string   // extension of the first frame
	mixed   []string // extensions besides ext
	strange []string // names that are not %06d.png/.jpg/.jpeg
}

var frameExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true}

func scanFrames(dir string) (frameScan, error) {
	var fs frameScan
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fs, fmt.Errorf("no %s folder", FramesDir)
		}
		return fs, err
	}
	exts := map[string]bool{}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		ext := strings.ToLower(filepath.Ext(name))
		stem := strings.TrimSuffix(name, filepath.Ext(name))
		n, err := strconv.Atoi(stem)
		if !frameExts[ext] || len(stem) != 6 || err != nil || n < 0 || e.IsDir() {
			fs.strange = append(fs.strange, name)
			continue
		}
		if fs.ext == "" {
			fs.ext = filepath.Ext(name)
		}
		exts[filepath.Ext(name)] = true
		fs.indices = append(fs.indices, n)
	}
	sort.Ints(fs.indices)
	for e := range exts {
		if e != fs.ext {
			fs.mixed = append(fs.mixed, e)
		}
	}
	sort.Strings(fs.mixed)
	return fs, nil
}

// gaps returns the missing frame numbers as ranges "a" or "a–b".
func (fs frameScan) gaps() []string {
	var out []string
	next := 0
	for _, i := range fs.indices {
		if i > next {
			if i-1 == next {
				out = append(out, fmt.Sprintf("%06d", next))
			} else {
				out = append(out, fmt.Sprintf("%06d–%06d", next, i-1))
			}
		}
		next = i + 1
	}
	return out
}

// problems lists what is wrong with the frame names.
func (fs frameScan) problems() []string {
	var p []string
	if len(fs.indices) == 0 {
		p = append(p, "no frames (frames/000000.png or .jpg)")
	}
	if g := fs.gaps(); len(g) > 0 {
		msg := fmt.Sprintf("frames missing from the numbering: %s", listShort(g))
		if fs.indices[0] == 1 {
			msg += " (ffmpeg numbers images from 1 unless given -start_number 0)"
		}
		p = append(p, msg)
	}
	if len(fs.mixed) > 0 {
		p = append(p, fmt.Sprintf("frames mix %s with %s", fs.ext, strings.Join(fs.mixed, ", ")))
	}
	if len(fs.strange) > 0 {
		p = append(p, fmt.Sprintf("files in frames/ not named like 000000.png: %s", listShort(fs.strange)))
	}
	return p
}

func listShort(s []string) string {
	if len(s) > 5 {
		return strings.Join(s[:5], ", ") + fmt.Sprintf(" and %d more", len(s)-5)
	}
	return strings.Join(s, ", ")
}

// Split returns the clips whose meta.json names split, in name order.
func (d *Dataset) Split(name string) []*Clip {
	var out []*Clip
	for _, c := range d.Clips {
		if c.Meta.Split == name {
			out = append(out, c)
		}
	}
	return out
}

// Splits returns the split names present, sorted.
func (d *Dataset) Splits() []string {
	seen := map[string]bool{}
	for _, c := range d.Clips {
		seen[c.Meta.Split] = true
	}
	return sortedKeys(seen)
}

// Labels returns the distinct values of label key across the clips, sorted;
// clips without the label are left out.
func (d *Dataset) Labels(key string) []string {
	seen := map[string]bool{}
	for _, c := range d.Clips {
		if v, ok := c.Meta.Labels[key]; ok {
			seen[v] = true
		}
	}
	return sortedKeys(seen)
}

// Clip returns the clip called name, or nil.
func (d *Dataset) Clip(name string) *Clip {
	i := sort.Search(len(d.Clips), func(i int) bool { return d.Clips[i].Name >= name })
	if i < len(d.Clips) && d.Clips[i].Name == name {
		return d.Clips[i]
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
