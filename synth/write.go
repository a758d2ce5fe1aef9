package synth

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/avlearn/avlearn/avio"
)

// rngFor returns the random source of one part of a corpus: the stream is a
// function of the corpus seed, a purpose tag and an index only, so clips can
// be generated in any order, on any number of goroutines, with the same
// bytes as a result.
func rngFor(seed int64, tag string, i int) *rand.Rand {
	h := uint64(14695981039346656037) // FNV-1a of the tag
	for j := 0; j < len(tag); j++ {
		h ^= uint64(tag[j])
		h *= 1099511628211
	}
	return rand.New(rand.NewPCG(uint64(seed)^h, uint64(i)*0x9E3779B97F4A7C15+h))
}

// uniform returns a value uniformly distributed in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// clip is everything that makes up one clip folder.
type clip struct {
	name  string
	audio []float64
	rate  int
	// nframes frames are made one at a time by frame, so a long clip never
	// holds all its pictures in memory; frame may return the same image
	// for consecutive frames (a still), which is then encoded once.
	nframes int
	frame   func(i int) image.Image
	fps     float64
	split   string
	labels  map[string]string
	// extra images written beside the frames (e.g. "face.png"), in order.
	extraNames []string
	extras     []image.Image
	// files are other files of the clip folder (e.g. avio.MotionFile),
	// each filled by its writer.
	files []clipFile
}

// clipFile is one extra file of a clip folder.
type clipFile struct {
	name  string
	write func(w io.Writer) error
}

// pngPool reuses the encoder's compression buffers, which otherwise
// dominate the cost of writing thousands of small frames.
type pngPool struct{ p sync.Pool }

func (b *pngPool) Get() *png.EncoderBuffer {
	if v, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return v
	}
	return nil
}
func (b *pngPool) Put(e *png.EncoderBuffer) { b.p.Put(e) }

var pngEnc = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngPool{}}

// writeClip writes c into root/c.name atomically: everything goes to a
// hidden temporary folder that is renamed into place at the end, so an
// interrupted run never leaves half a clip.
func writeClip(root string, c *clip) (err error) {
	tmp, err := os.MkdirTemp(root, ".tmp-"+c.name+"-")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	// The folder rename makes the clip atomic, so the WAV is encoded
	// straight into it (no per-file temporary name and fsync).
	if err := writeFile(filepath.Join(tmp, avio.AudioFile), func(w io.Writer) error {
		return avio.EncodeWAV(w, &avio.Audio{SampleRate: c.rate, Channels: [][]float64{c.audio}}, avio.PCM16)
	}); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(tmp, "frames"), 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	// a still picture repeated over frames is encoded once
	var last image.Image
	var enc bytes.Buffer
	for i := 0; i < c.nframes; i++ {
		f := c.frame(i)
		if f != last {
			enc.Reset()
			if err := pngEnc.Encode(&enc, f); err != nil {
				return fmt.Errorf("synth: encoding frame %d of %s: %w", i, c.name, err)
			}
			last = f
		}
		if err := os.WriteFile(filepath.Join(tmp, "frames", fmt.Sprintf("%06d.png", i)), enc.Bytes(), 0o644); err != nil {
			return fmt.Errorf("synth: %w", err)
		}
	}
	for i, f := range c.extras {
		if err := writePNG(filepath.Join(tmp, c.extraNames[i]), f); err != nil {
			return err
		}
	}
	for _, f := range c.files {
		if err := writeFile(filepath.Join(tmp, f.name), f.write); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(avio.Meta{FPS: c.fps, Split: c.split, Labels: c.labels}, "", "  ")
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmp, avio.MetaFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	dst := filepath.Join(root, c.name)
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("synth: replacing %s: %w", dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

func writePNG(path string, img image.Image) error {
	return writeFile(path, func(w io.Writer) error { return pngEnc.Encode(w, img) })
}

// writeFile creates path and fills it through a buffer.
func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<15)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("synth: writing %s: %w", path, err)
	}
	return nil
}

// writePNGAtomic writes a PNG through a temporary file and a rename.
func writePNGAtomic(path string, img image.Image) error {
	if err := avio.WriteFileAtomic(path, func(w io.Writer) error { return pngEnc.Encode(w, img) }); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// Progress is told how many clips are finished; it may be called from
// several goroutines, but never concurrently (calls are serialised).
type Progress func(done, total int)

// common holds the options every generator shares.
type common struct {
	N        int
	Seed     int64
	Workers  int
	Progress Progress
	Context  context.Context
}

// checkFramesAndSplits checks the options every generator shares once its
// defaults are in place: frame rate, picture size and split fractions.
func checkFramesAndSplits(kind string, fps, maxFPS float64, size int, valFrac, testFrac float64) error {
	switch {
	case !(fps > 0 && fps <= maxFPS):
		return fmt.Errorf("synth: %s: fps %g out of range (0, %g]", kind, fps, maxFPS)
	case size < 16 || size > 512:
		return fmt.Errorf("synth: %s: size %d out of range [16, 512]", kind, size)
	case !(valFrac >= 0 && testFrac >= 0 && valFrac+testFrac < 1):
		return fmt.Errorf("synth: %s: val %g + test %g fractions must be in [0, 1)", kind, valFrac, testFrac)
	}
	return nil
}

func (c common) check(kind string) error {
	if c.N < 1 {
		return fmt.Errorf("synth: %s: number of clips must be at least 1, got %d", kind, c.N)
	}
	if c.Workers < 0 {
		return fmt.Errorf("synth: %s: workers must be >= 0, got %d", kind, c.Workers)
	}
	return nil
}

// sheetSize is how many clips' sample frames go on a contact sheet.
const sheetSize = 48

// generate makes n clips with make(i) on several goroutines, writes them
// under dir and a contact sheet of their first frames (sample picks the
// frame) to dir/contact.png, each under its label (see sheetLabel).
func generate(dir string, o common, gen func(i int) (*clip, error), sample func(c *clip) image.Image) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	// Never mix two corpora: a smaller rerun would leave old clips behind.
	if ents, err := os.ReadDir(dir); err != nil {
		return fmt.Errorf("synth: %w", err)
	} else if len(ents) > 0 {
		return fmt.Errorf("synth: output folder %s is not empty; choose a new folder or remove it first", dir)
	}
	workers := o.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > o.N {
		workers = o.N
	}
	thumbs := make([]image.Image, min(o.N, sheetSize))
	captions := make([]string, len(thumbs))
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
		failed   atomic.Bool
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= o.N {
					return
				}
				var err error
				if o.Context != nil {
					err = o.Context.Err()
				}
				var c *clip
				if err == nil {
					c, err = gen(i)
				}
				if err == nil {
					err = writeClip(dir, c)
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					failed.Store(true)
				} else {
					if i < len(thumbs) {
						thumbs[i] = sample(c)
						captions[i] = sheetLabel(c.labels)
					}
					done++
					if o.Progress != nil {
						o.Progress(done, o.N)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return writePNGAtomic(filepath.Join(dir, "contact.png"), contactSheet(thumbs, captions))
}

// sheetLabel is what a contact sheet prints under a clip: the labels a
// person checks the pictures against — scene and object, the event, the spoken
// caption of a captions corpus (whose clips also name their syllables), or
// else the speaker.
func sheetLabel(l map[string]string) string {
	switch {
	case l["scene"] != "":
		return l["scene"] + ", " + l["object"]
	case l["event"] != "":
		return l["event"]
	case l["syllables"] != "" && l["caption"] != "":
		return l["caption"]
	}
	return l["speaker"]
}

// contactSheet tiles images (all the size of the first) in a grid with a
// 2-pixel grey gutter, with each image's caption (word-wrapped, at most
// three lines) in a strip under it.
func contactSheet(imgs []image.Image, captions []string) image.Image {
	if len(imgs) == 0 || imgs[0] == nil {
		return image.NewRGBA(image.Rect(0, 0, 1, 1))
	}
	b := imgs[0].Bounds()
	cols := int(math.Ceil(math.Sqrt(float64(len(imgs)) * 4 / 3)))
	if cols > len(imgs) {
		cols = len(imgs)
	}
	rows := (len(imgs) + cols - 1) / cols
	face := basicfont.Face7x13
	lines := make([][]string, len(imgs))
	strip := 0
	for i := range imgs {
		if i < len(captions) {
			lines[i] = wrapText(captions[i], max(1, b.Dx()/face.Advance), 3)
		}
		strip = max(strip, len(lines[i])*face.Height)
	}
	if strip > 0 {
		strip += 2
	}
	const g = 2
	cellW, cellH := b.Dx()+g, b.Dy()+strip+g
	sheet := image.NewRGBA(image.Rect(0, 0, cols*cellW+g, rows*cellH+g))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{96, 96, 96, 255}), image.Point{}, draw.Src)
	for i, im := range imgs {
		if im == nil {
			continue
		}
		x := g + (i%cols)*cellW
		y := g + (i/cols)*cellH
		draw.Draw(sheet, image.Rect(x, y, x+b.Dx(), y+b.Dy()), im, im.Bounds().Min, draw.Src)
		for j, l := range lines[i] {
			d := font.Drawer{Dst: sheet, Src: image.White, Face: face,
				Dot: fixed.P(x+1, y+b.Dy()+(j+1)*face.Height-2)}
			d.DrawString(l)
		}
	}
	return sheet
}

// wrapText breaks s into at most maxLines lines of at most width
// characters, at spaces where it can; text that does not fit is cut and
// ends in "..".
func wrapText(s string, width, maxLines int) []string {
	var out []string
	line := ""
	for _, w := range strings.Fields(s) {
		for len(w) > width { // a word longer than a line is split
			if line != "" {
				out, line = append(out, line), ""
			}
			out, w = append(out, w[:width]), w[width:]
		}
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			out, line = append(out, line), w
		}
	}
	if line != "" {
		out = append(out, line)
	}
	if len(out) > maxLines {
		out = out[:maxLines]
		last := out[maxLines-1]
		if len(last) > width-2 {
			last = last[:width-2]
		}
		out[maxLines-1] = last + ".."
	}
	return out
}
