package spectrogram

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

// RenderOptions control Image and WritePNG. The zero value draws a bare
// viridis image with an 80 dB range.
type RenderOptions struct {
	// Colormap colours the values; the zero value is Viridis.
	Colormap Colormap
	// Axes adds a time axis in seconds, a frequency axis in Hz (or the
	// coefficient index for MFCC) and, if set, the Title.
	Axes bool
	// Title is drawn above the plot when Axes is set.
	Title string
	// Range is the dynamic range shown, in dB below the maximum; 0 means 80.
	// Power and magnitude values are converted to dB for display first.
	// Each MFCC coefficient is shown linearly from its own minimum to its
	// maximum.
	Range float64
	// Width and Height are the size of the plot area in pixels; 0 scales
	// Frames and Bins by the smallest whole factor that reaches 600×300,
	// up to 4000×1000. Where a pixel covers several cells it shows their
	// maximum.
	Width, Height int
}

// Layout of the axes in pixels (basicfont.Face7x13 glyphs are 7×13).
const (
	marginLeft   = 58
	marginRight  = 12
	marginTop    = 10
	marginTitle  = 22
	marginBottom = 36
	tickLen      = 4
	// colorbarWidth is the extra right margin holding the colour bar:
	// the bar, its ticks and labels such as "-100".
	colorbarWidth = barWidth + tickLen + 2 + 5*7 + 4
	barWidth      = 12
)

// The default picture grows no larger than this; longer spectrograms are
// pooled into it.
const (
	maxAutoWidth  = 4000
	maxAutoHeight = 1000
)

// spans returns, for each of n pixels showing m cells, the half-open range
// of cells it covers (at least one).
func spans(m, n int) [][2]int {
	out := make([][2]int, n)
	for i := range out {
		lo, hi := i*m/n, (i+1)*m/n
		if hi <= lo {
			hi = lo + 1
		}
		out[i] = [2]int{lo, hi}
	}
	return out
}

// Image draws s with low frequencies at the bottom and time running right.
func (s *Spectrogram) Image(opts RenderOptions) (image.Image, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if opts.Range < 0 || math.IsNaN(opts.Range) {
		return nil, fmt.Errorf("spectrogram: render range %g dB, want > 0", opts.Range)
	}
	if opts.Colormap < Viridis || opts.Colormap > Gray {
		return nil, fmt.Errorf("spectrogram: render colour map %v, want Viridis, Magma or Gray", opts.Colormap)
	}
	if opts.Width < 0 || opts.Height < 0 || opts.Width > 1<<14 || opts.Height > 1<<14 {
		return nil, fmt.Errorf("spectrogram: render size %d×%d, want 0..16384 each", opts.Width, opts.Height)
	}
	w, h := opts.Width, opts.Height
	if w == 0 {
		w = min(s.Frames*max(1, (600+s.Frames-1)/s.Frames), maxAutoWidth)
	}
	if h == 0 {
		h = min(s.Bins*max(1, (300+s.Bins-1)/s.Bins), maxAutoHeight)
	}
	norm, lo, hi, bar := s.displayValues(opts.Range)
	// Each pixel shows the largest value of the cells it covers, so a
	// picture smaller than the data still shows short, loud events.
	xs, ys := spans(s.Frames, w), spans(s.Bins, h)
	plot := image.NewRGBA(image.Rect(0, 0, w, h))
	for py := 0; py < h; py++ {
		r := ys[h-1-py] // row 0 of the image is the top bin
		for px := 0; px < w; px++ {
			c := xs[px]
			v := math.Inf(-1)
			for b := r[0]; b < r[1]; b++ {
				for _, x := range norm[b*s.Frames+c[0] : b*s.Frames+c[1]] {
					v = max(v, x)
				}
			}
			plot.SetRGBA(px, py, opts.Colormap.At(v))
		}
	}
	if !opts.Axes {
		return plot, nil
	}
	top := marginTop
	if opts.Title != "" {
		top = marginTitle
	}
	right := marginRight
	if bar {
		right += colorbarWidth
	}
	img := image.NewRGBA(image.Rect(0, 0, marginLeft+w+right, top+h+marginBottom))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	origin := image.Pt(marginLeft, top)
	draw.Draw(img, plot.Bounds().Add(origin), plot, image.Point{}, draw.Src)
	s.drawAxes(img, origin, w, h, opts.Title)
	if bar {
		drawColorbar(img, image.Pt(origin.X+w+marginRight, origin.Y), h, lo, hi, opts.Colormap)
	}
	return img, nil
}

// check rejects a Spectrogram whose fields disagree, so rendering never
// indexes out of range.
func (s *Spectrogram) check() error {
	switch {
	case s.Bins <= 0 || s.Frames <= 0:
		return fmt.Errorf("spectrogram: empty spectrogram (%d bins × %d frames)", s.Bins, s.Frames)
	case len(s.Data) != s.Bins*s.Frames:
		return fmt.Errorf("spectrogram: %d values for %d bins × %d frames", len(s.Data), s.Bins, s.Frames)
	}
	return nil
}

// displayValues maps every value to [0, 1] for colouring. For dB displays
// it also returns the dB values of 0 and 1 and bar = true; MFCCs, scaled
// row by row, have no single scale to show.
func (s *Spectrogram) displayValues(rng float64) (v []float64, lo, hi float64, bar bool) {
	if rng == 0 {
		rng = 80
	}
	v = make([]float64, len(s.Data))
	for i, x := range s.Data {
		v[i] = float64(x)
	}
	switch {
	case s.Kind == MFCC:
		// Coefficient 0 (energy) dwarfs the rest: scale every row
		// from its own minimum to its maximum.
		for b := 0; b < s.Bins; b++ {
			scaleRange(v[b*s.Frames:(b+1)*s.Frames], math.Inf(1))
		}
		return v, 0, 0, false
	case s.Scale == Power:
		v = dsp.PowerToDB(v, 1, 1e-10, 0)
	case s.Scale == Magnitude:
		v = dsp.AmplitudeToDB(v, 1, 1e-10, 0)
	}
	lo, hi = scaleRange(v, rng)
	return v, lo, hi, true
}

// scaleRange maps v in place to [0, 1], from lo = max(min(v), max(v)−rng)
// to hi = max(v), and returns lo and hi; NaN and infinite values are
// ignored when finding the limits.
func scaleRange(v []float64, rng float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo > hi { // no finite value at all
		lo, hi = 0, 1
	}
	lo = max(lo, hi-rng)
	span := hi - lo
	if !(span > 0) {
		span = 1
	}
	for i, x := range v {
		v[i] = (x - lo) / span
	}
	return lo, lo + span
}

// drawAxes draws the frame, ticks and labels around the plot at origin.
func (s *Spectrogram) drawAxes(img *image.RGBA, origin image.Point, w, h int, title string) {
	black := color.RGBA{0, 0, 0, 255}
	x0, y0, x1, y1 := origin.X-1, origin.Y-1, origin.X+w, origin.Y+h
	for x := x0; x <= x1; x++ {
		img.SetRGBA(x, y0, black)
		img.SetRGBA(x, y1, black)
	}
	for y := y0; y <= y1; y++ {
		img.SetRGBA(x0, y, black)
		img.SetRGBA(x1, y, black)
	}
	face := basicfont.Face7x13
	text := func(x, y int, str string) { // baseline at y
		d := font.Drawer{Dst: img, Src: image.NewUniform(black), Face: face, Dot: fixed.P(x, y)}
		d.DrawString(str)
	}
	width := func(str string) int { return font.MeasureString(face, str).Round() }

	// Time axis: frame t starts at t·Hop/SampleRate, as librosa's specshow.
	dur := s.Duration()
	step := niceStep(dur, max(2, w/70))
	for tv := 0.0; tv <= dur+1e-9; tv += step {
		px := origin.X + int(math.Round(tv/dur*float64(w)))
		if px > x1 {
			break
		}
		for y := y1; y <= y1+tickLen; y++ {
			img.SetRGBA(px, y, black)
		}
		lab := strconv.FormatFloat(tv, 'f', decimals(step), 64)
		text(px-width(lab)/2, y1+tickLen+12, lab)
	}
	lab := "Time (s)"
	text(origin.X+w/2-width(lab)/2, y1+tickLen+27, lab)

	// Vertical axis.
	for _, tk := range s.yTicks(h) {
		py := origin.Y + h - int(math.Round(tk.pos*float64(h)))
		if py < origin.Y || py > y1 {
			continue
		}
		for x := x0 - tickLen; x <= x0; x++ {
			img.SetRGBA(x, py, black)
		}
		text(x0-tickLen-2-width(tk.label), py+4, tk.label)
	}
	unit := "Hz"
	if s.Kind == MFCC {
		unit = "MFCC"
	}
	text(2, origin.Y+h/2+4, unit)
	if title != "" {
		text(origin.X+w/2-width(title)/2, 15, title)
	}
}

// drawColorbar draws the colour scale from lo (bottom) to hi dB (top) in a
// bar h pixels high with its top-left corner at at.
func drawColorbar(img *image.RGBA, at image.Point, h int, lo, hi float64, cm Colormap) {
	black := color.RGBA{0, 0, 0, 255}
	for py := 0; py < h; py++ {
		c := cm.At(float64(h-1-py) / float64(max(1, h-1)))
		for x := 0; x < barWidth; x++ {
			img.SetRGBA(at.X+x, at.Y+py, c)
		}
	}
	face := basicfont.Face7x13
	step := niceStep(hi-lo, max(2, h/40))
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9; v += step {
		py := at.Y + h - 1 - int(math.Round((v-lo)/(hi-lo)*float64(h-1)))
		for x := at.X + barWidth; x < at.X+barWidth+tickLen; x++ {
			img.SetRGBA(x, py, black)
		}
		d := font.Drawer{Dst: img, Src: image.NewUniform(black), Face: face,
			Dot: fixed.P(at.X+barWidth+tickLen+2, py+4)}
		d.DrawString(strconv.FormatFloat(v, 'f', decimals(step), 64))
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(black), Face: face, Dot: fixed.P(at.X, at.Y+h+16)}
	d.DrawString("dB")
}

type tick struct {
	pos   float64 // 0 at the bottom edge of the plot, 1 at the top
	label string
}

// yTicks returns the vertical ticks: frequencies for linear and mel
// spectrograms (placed on the mel scale for mel), coefficient indices for MFCC.
func (s *Spectrogram) yTicks(h int) []tick {
	c := s.Config
	var ticks []tick
	// rowPos converts a fractional row index (row centres at integers) to a position.
	rowPos := func(r float64) float64 { return (r + 0.5) / float64(s.Bins) }
	switch s.Kind {
	case MFCC:
		step := math.Max(1, niceStep(float64(s.Bins-1), max(2, h/30)))
		for k := 0.0; k < float64(s.Bins); k += step {
			ticks = append(ticks, tick{rowPos(k), strconv.Itoa(int(k))})
		}
	case Linear:
		ny := float64(c.SampleRate) / 2
		step := niceStep(ny, max(2, h/30))
		for f := 0.0; f <= ny+1e-9; f += step {
			ticks = append(ticks, tick{rowPos(f * float64(c.NFFT) / float64(c.SampleRate)), hzLabel(f)})
		}
	case Mel:
		// Filter b peaks at mel lo + (b+1)·(hi−lo)/(NMels+1).
		lo, hi := dsp.HzToMel(c.FMin, c.MelScale), dsp.HzToMel(c.fmax(), c.MelScale)
		last := math.Inf(-1)
		for _, f := range []float64{0, 100, 200, 300, 500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 16000, 24000, 32000, 48000} {
			if f < c.FMin || f > c.fmax() {
				continue
			}
			r := (dsp.HzToMel(f, c.MelScale)-lo)/(hi-lo)*float64(c.NMels+1) - 1
			p := rowPos(r)
			if (p-last)*float64(h) < 16 {
				continue // too close to the previous label
			}
			last = p
			ticks = append(ticks, tick{p, hzLabel(f)})
		}
	}
	return ticks
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that divides
// span into at most n intervals.
func niceStep(span float64, n int) float64 {
	if !(span > 0) {
		return 1
	}
	raw := span / float64(n)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// decimals returns how many decimals show multiples of step exactly.
func decimals(step float64) int {
	d := 0
	for d < 6 && math.Abs(step*math.Pow(10, float64(d))-math.Round(step*math.Pow(10, float64(d)))) > 1e-9 {
		d++
	}
	return d
}

func hzLabel(f float64) string {
	if f >= 1000 {
		return strconv.FormatFloat(f/1000, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// EncodePNG writes the image of s as PNG to w.
func (s *Spectrogram) EncodePNG(w io.Writer, opts RenderOptions) error {
	img, err := s.Image(opts)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// WritePNG writes the image of s to path atomically: a temporary file in the
// same folder is renamed over path only once it is complete.
func (s *Spectrogram) WritePNG(path string, opts RenderOptions) error {
	img, err := s.Image(opts)
	if err != nil {
		return err
	}
	return writeAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// WriteSheetPNG writes imgs (spectrograms drawn by Image, say) one above
// the other, left-aligned on white, as one PNG file, atomically.
func WriteSheetPNG(path string, imgs ...image.Image) error {
	w, h := 0, 0
	for _, im := range imgs {
		w = max(w, im.Bounds().Dx())
		h += im.Bounds().Dy()
	}
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.White, image.Point{}, draw.Src)
	y := 0
	for _, im := range imgs {
		r := im.Bounds()
		draw.Draw(sheet, image.Rect(0, y, r.Dx(), y+r.Dy()), im, r.Min, draw.Src)
		y += r.Dy()
	}
	return writeAtomic(path, func(w io.Writer) error { return png.Encode(w, sheet) })
}

// writeAtomic is avio.WriteFileAtomic with this package's error prefix.
func writeAtomic(path string, fill func(io.Writer) error) error {
	if err := avio.WriteFileAtomic(path, fill); err != nil {
		return fmt.Errorf("spectrogram: %w", err)
	}
	return nil
}
