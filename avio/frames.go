package avio

import (
	"fmt"
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// FrameOptions says how a frame becomes a tensor.
type FrameOptions struct {
	// Width and Height, when both > 0, give the output size: the image is
	// scaled (Catmull-Rom, aspect ratio kept) until it covers Width×Height,
	// then the centre Width×Height is cut out — torchvision's
	// Resize + CenterCrop. Zero keeps the frame's own size.
	Width, Height int
	// Gray gives one channel of luma, L = 0.299 R + 0.587 G + 0.114 B
	// rounded to 8 bits exactly as PIL's convert("L"); otherwise three
	// channels RGB.
	Gray bool
	// Mean and Std normalise each channel after scaling pixel values to
	// [0, 1]: (v - Mean[c]) / Std[c]. Empty means no normalisation; otherwise
	// both need one entry per channel.
	Mean, Std []float64
}

// Channels returns the number of channels the tensor has.
func (o FrameOptions) Channels() int {
	if o.Gray {
		return 1
	}
	return 3
}

func (o FrameOptions) check() error {
	if (o.Width > 0) != (o.Height > 0) || o.Width < 0 || o.Height < 0 {
		return fmt.Errorf("frame size %d×%d: give both width and height, or neither", o.Width, o.Height)
	}
	c := o.Channels()
	if len(o.Mean) != len(o.Std) || (len(o.Mean) != 0 && len(o.Mean) != c) {
		return fmt.Errorf("%d means and %d deviations for %d channels", len(o.Mean), len(o.Std), c)
	}
	for _, s := range o.Std {
		if !(s > 0) {
			return fmt.Errorf("standard deviation %v, need > 0", s)
		}
	}
	return nil
}

// ImageNetMean and ImageNetStd are the RGB statistics torchvision's
// pretrained models are normalised with.
var (
	ImageNetMean = []float64{0.485, 0.456, 0.406}
	ImageNetStd  = []float64{0.229, 0.224, 0.225}
)

// FrameTensor decodes frame i and returns it as a CHW float32 tensor; see
// ImageTensor.
func (c *Clip) FrameTensor(i int, o FrameOptions) ([]float32, error) {
	img, err := c.Frame(i)
	if err != nil {
		return nil, err
	}
	t, err := ImageTensor(img, o)
	if err != nil {
		return nil, fmt.Errorf("clip %s frame %d: %w", c.Name, i, err)
	}
	return t, nil
}

// ImageTensor converts img to a channel-major float32 tensor of shape
// (o.Channels(), H, W) — H×W is o.Height×o.Width, or the image's own size
// when they are 0 — with values in [0, 1] (8-bit values divided by 255, as
// torchvision's ToTensor), resized, cropped and normalised as o says.
func ImageTensor(img image.Image, o FrameOptions) ([]float32, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("empty image")
	}
	src := img
	if o.Width > 0 && (o.Width != b.Dx() || o.Height != b.Dy()) {
		src = resizeCrop(img, o.Width, o.Height)
	}
	b = src.Bounds()
	w, h := b.Dx(), b.Dy()
	nc := o.Channels()
	t := make([]float32, nc*h*w)
	plane := h * w
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl := rgb8(src.At(b.Min.X+x, b.Min.Y+y))
			k := y*w + x
			if o.Gray {
				// PIL's fixed-point ITU-R 601-2 luma, rounded to 8 bits.
				l := (int(r)*19595 + int(g)*38470 + int(bl)*7471 + 0x8000) >> 16
				t[k] = float32(float64(l) / 255)
			} else {
				t[k] = float32(r / 255)
				t[plane+k] = float32(g / 255)
				t[2*plane+k] = float32(bl / 255)
			}
		}
	}
	if len(o.Mean) > 0 {
		for ch := 0; ch < nc; ch++ {
			m, s := o.Mean[ch], o.Std[ch]
			p := t[ch*plane : (ch+1)*plane]
			for k, v := range p {
				p[k] = float32((float64(v) - m) / s)
			}
		}
	}
	return t, nil
}

// rgb8 returns the 8-bit colour values of c, un-premultiplied (a frame with
// alpha is read as its colour, as PIL's convert("RGB") does).
func rgb8(c color.Color) (r, g, b float64) {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return float64(n.R), float64(n.G), float64(n.B)
}

// resizeCrop scales img to cover w×h and cuts out the centre w×h.
func resizeCrop(img image.Image, w, h int) image.Image {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	// Scale so that the shorter side (relative to the target) fits exactly.
	var rw, rh int
	if sw*h >= sh*w { // source is wider: match heights
		rh = h
		rw = max(w, int(float64(sw)*float64(h)/float64(sh)+0.5))
	} else {
		rw = w
		rh = max(h, int(float64(sh)*float64(w)/float64(sw)+0.5))
	}
	// Drop alpha first, as PIL's convert("RGB") does: interpolating
	// premultiplied colours would darken translucent pixels.
	opaque := image.NewNRGBA(image.Rect(0, 0, sw, sh))
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			r, g, bl := rgb8(img.At(b.Min.X+x, b.Min.Y+y))
			i := opaque.PixOffset(x, y)
			opaque.Pix[i], opaque.Pix[i+1], opaque.Pix[i+2], opaque.Pix[i+3] = uint8(r), uint8(g), uint8(bl), 255
		}
	}
	dst := image.NewNRGBA(image.Rect(0, 0, rw, rh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), opaque, opaque.Bounds(), draw.Src, nil)
	x0, y0 := (rw-w)/2, (rh-h)/2
	return dst.SubImage(image.Rect(x0, y0, x0+w, y0+h))
}
