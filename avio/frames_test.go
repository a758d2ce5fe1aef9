package avio

import (
	"encoding/json"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

type frameRef struct {
	PNGRGB     []float64 `json:"png_rgb"`
	PNGGray    []float64 `json:"png_gray"`
	JPGRGB     []float64 `json:"jpg_rgb"`
	PNGBicubic []float64 `json:"png_bicubic_8x6"`
}

func loadFrameRef(t *testing.T) frameRef {
	t.Helper()
	b, err := os.ReadFile("../testdata/avio/frames/frames.json")
	if err != nil {
		t.Fatal(err)
	}
	var r frameRef
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func maxDiff(t *testing.T, got []float32, want []float64) (maxd, mean float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d values, want %d", len(got), len(want))
	}
	for i := range got {
		d := math.Abs(float64(got[i]) - want[i])
		maxd = math.Max(maxd, d)
		mean += d
	}
	return maxd, mean / float64(len(got))
}

// TestImageTensorPIL compares ImageTensor with what PIL + numpy make of the
// same files (frames.json from gen_clips.py).
func TestImageTensorPIL(t *testing.T) {
	ref := loadFrameRef(t)
	png, err := decodeImage("../testdata/avio/frames/rgb.png")
	if err != nil {
		t.Fatal(err)
	}
	if png.Bounds().Dx() != 14 || png.Bounds().Dy() != 10 {
		t.Fatalf("size %v", png.Bounds())
	}
	// PNG: exact (values are k/255 in both, float32 rounding aside).
	x, err := ImageTensor(png, FrameOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := maxDiff(t, x, ref.PNGRGB); d > 1e-7 {
		t.Errorf("PNG RGB differs from PIL by %g", d)
	}
	// Gray: PIL's integer luma, exactly.
	x, _ = ImageTensor(png, FrameOptions{Gray: true})
	if d, _ := maxDiff(t, x, ref.PNGGray); d > 1e-7 {
		t.Errorf("gray differs from PIL by %g (×255 = %g)", d, d*255)
	}
	// JPEG: decoders differ in IDCT and chroma upsampling; a few levels.
	jpg, err := decodeImage("../testdata/avio/frames/rgb.jpg")
	if err != nil {
		t.Fatal(err)
	}
	x, _ = ImageTensor(jpg, FrameOptions{})
	d, m := maxDiff(t, x, ref.JPGRGB)
	t.Logf("JPEG vs PIL: max %.2f mean %.2f levels", d*255, m*255)
	if d > 4.0/255 || m > 1.0/255 {
		t.Errorf("JPEG differs from PIL by max %g mean %g (×255)", d*255, m*255)
	}
	// Resize 14×10 → 8×6 (same aspect within rounding: no crop beyond one
	// column): Catmull-Rom here, PIL's bicubic (a = -0.5, also Catmull-Rom)
	// there; edge handling differs slightly.
	x, err = ImageTensor(png, FrameOptions{Width: 8, Height: 6})
	if err != nil {
		t.Fatal(err)
	}
	d, m = maxDiff(t, x, ref.PNGBicubic)
	t.Logf("resize vs PIL bicubic: max %.2f mean %.2f levels", d*255, m*255)
	if d > 8.0/255 || m > 1.0/255 {
		t.Errorf("resize differs from PIL bicubic by mean %g levels", m*255)
	}
}

func TestImageTensorOptions(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 2))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Pix[0] = 0 // pixel (0,0) red 0
	x, err := ImageTensor(img, FrameOptions{Mean: []float64{0.5, 0.5, 0.5}, Std: []float64{0.5, 0.25, 1}})
	if err != nil {
		t.Fatal(err)
	}
	// Layout CHW: red plane first, pixel (0,0) first.
	if len(x) != 24 || x[0] != -1 || x[1] != 1 || x[8] != 2 || x[16] != 0.5 {
		t.Fatalf("%v", x)
	}
	// Resize + centre crop gives exactly the requested shape.
	x, err = ImageTensor(img, FrameOptions{Width: 3, Height: 3, Gray: true})
	if err != nil || len(x) != 9 {
		t.Fatalf("%v %d", err, len(x))
	}
	for _, o := range []FrameOptions{
		{Width: 3},
		{Width: -1, Height: -1},
		{Mean: []float64{0}, Std: []float64{1}},
		{Mean: ImageNetMean, Std: []float64{1, 0, 1}},
	} {
		if _, err := ImageTensor(img, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := ImageTensor(image.NewRGBA(image.Rect(0, 0, 0, 0)), FrameOptions{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty image: %v", err)
	}
	if _, err := ImageTensor(nil, FrameOptions{}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("nil image: %v", err)
	}
}

// TestOpaqueRGBAFastPaths checks every decoder-type fast path, on
// sub-images with non-zero origins, against the generic colour conversion.
func TestOpaqueRGBAFastPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const w, h = 9, 7
	nrgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(r.IntN(256))
	}
	rgba := image.NewRGBA(nrgba.Rect)
	draw.Draw(rgba, rgba.Rect, nrgba, image.Point{}, draw.Src)
	gray := image.NewGray(nrgba.Rect)
	draw.Draw(gray, gray.Rect, nrgba, image.Point{}, draw.Src)
	pal := image.NewPaletted(nrgba.Rect, palette.WebSafe)
	draw.Draw(pal, pal.Rect, nrgba, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(nrgba.Rect, image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(r.IntN(256))
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(r.IntN(256)), uint8(r.IntN(256))
	}
	n64 := image.NewNRGBA64(nrgba.Rect)
	draw.Draw(n64, n64.Rect, nrgba, image.Point{}, draw.Src)
	sub := image.Rect(2, 1, 8, 6)
	for _, img := range []image.Image{nrgba, rgba, gray, pal, ycc, n64} {
		for _, im := range []image.Image{img, img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(sub)} {
			got := opaqueRGBA(im)
			b := im.Bounds()
			if got.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) {
				t.Fatalf("%T: bounds %v", im, got.Rect)
			}
			for y := 0; y < b.Dy(); y++ {
				for x := 0; x < b.Dx(); x++ {
					var want [3]uint8
					if yc, ok := im.(*image.YCbCr); ok {
						c := yc.YCbCrAt(b.Min.X+x, b.Min.Y+y)
						want[0], want[1], want[2] = color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
					} else {
						want = rgb8(im.At(b.Min.X+x, b.Min.Y+y))
					}
					p := got.Pix[got.PixOffset(x, y):]
					if p[0] != want[0] || p[1] != want[1] || p[2] != want[2] || p[3] != 255 {
						t.Fatalf("%T %v: pixel (%d,%d) = %v, want %v", im, b, x, y, p[:4], want)
					}
				}
			}
		}
	}
}
