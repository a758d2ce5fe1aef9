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

// FramesTensor decodes the frames idx and stacks them into one float32
// tensor of shape (len(idx), C, H, W). Without a Width and Height in o all
// the frames must have the same size.
func (c *Clip) FramesTensor(idx []int, o FrameOptions) ([]float32, error) {
	var out []float32
	per := -1
	for _, i := range idx {
		t, err := c.FrameTensor(i, o)
		if err != nil {
			return nil, err
		}
		if per < 0 {
			per = len(t)
			out = make([]float32, 0, per*len(idx))
		} else if len(t) != per {
			return nil, fmt.Errorf("clip %s: frame %d has another size than frame %d (set FrameOptions Width and Height)", c.Name, i, idx[0])
		}
		out = append(out, t...)
	}
	return out, nil
}

// ImageTensor converts img to a channel-major float32 tensor of shape
// (o.Channels(), H, W) — H×W is o.Height×o.Width, or the image's own size
// when they are 0 — with values in [0, 1] (8-bit values divided by 255, as
// torchvision's ToTensor), resized, cropped and normalised as o says.
func ImageTensor(img image.Image, o FrameOptions) ([]float32, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if img == nil || img.Bounds().Empty() {
		return nil, fmt.Errorf("empty image")
	}
	src := opaqueRGBA(img)
	if o.Width > 0 && (o.Width != src.Rect.Dx() || o.Height != src.Rect.Dy()) {
		src = resizeCrop(src, o.Width, o.Height)
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	nc := o.Channels()
	t := make([]float32, nc*h*w)
	plane := h * w
	for y := 0; y < h; y++ {
		row := src.Pix[y*src.Stride : y*src.Stride+4*w]
		for x := 0; x < w; x++ {
			r, g, bl := row[4*x], row[4*x+1], row[4*x+2]
			k := y*w + x
			if o.Gray {
				// PIL's fixed-point ITU-R 601-2 luma, rounded to 8 bits.
				l := (int(r)*19595 + int(g)*38470 + int(bl)*7471 + 0x8000) >> 16
				t[k] = float32(l) / 255
			} else {
				t[k] = float32(r) / 255
				t[plane+k] = float32(g) / 255
				t[2*plane+k] = float32(bl) / 255
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

// opaqueRGBA returns img's colours as an opaque RGBA image with bounds
// starting at (0, 0). Alpha is dropped, not blended: a translucent pixel
// keeps its own colour, as with PIL's convert("RGB"). The common decoder
// outputs (NRGBA, RGBA, YCbCr, Gray, Paletted) are converted directly.
func opaqueRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	put := func(i int, r, g, bl uint8) {
		dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bl, 255
	}
	switch src := img.(type) {
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				put(y*dst.Stride+4*x, s[4*x], s[4*x+1], s[4*x+2])
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p := [3]uint8{s[4*x], s[4*x+1], s[4*x+2]}
				if a := s[4*x+3]; a != 255 { // premultiplied: recover the colour
					p = rgb8(color.RGBA{p[0], p[1], p[2], a})
				}
				put(y*dst.Stride+4*x, p[0], p[1], p[2])
			}
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := src.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := src.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bl := color.YCbCrToRGB(src.Y[yi], src.Cb[ci], src.Cr[ci])
				put(y*dst.Stride+4*x, r, g, bl)
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				put(y*dst.Stride+4*x, s[x], s[x], s[x])
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(src.Palette))
		for i, c := range src.Palette {
			pal[i] = rgb8(c)
		}
		for y := 0; y < h; y++ {
			s := src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				var p [3]uint8
				if int(s[x]) < len(pal) {
					p = pal[s[x]]
				}
				put(y*dst.Stride+4*x, p[0], p[1], p[2])
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := rgb8(img.At(b.Min.X+x, b.Min.Y+y))
				put(y*dst.Stride+4*x, p[0], p[1], p[2])
			}
		}
	}
	return dst
}

// rgb8 returns the 8-bit colour of c, un-premultiplied.
func rgb8(c color.Color) [3]uint8 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return [3]uint8{n.R, n.G, n.B}
}

// resizeCrop scales an opaque image to cover w×h (Catmull-Rom, aspect kept)
// and cuts out the centre w×h.
func resizeCrop(src *image.RGBA, w, h int) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	var rw, rh int
	if sw*h >= sh*w { // relatively wider than the target: match heights
		rh = h
		rw = max(w, int(float64(sw)*float64(h)/float64(sh)+0.5))
	} else {
		rw = w
		rh = max(h, int(float64(sh)*float64(w)/float64(sw)+0.5))
	}
	dst := image.NewRGBA(image.Rect(0, 0, rw, rh))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	x0, y0 := (rw-w)/2, (rh-h)/2
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		copy(out.Pix[y*out.Stride:y*out.Stride+4*w], dst.Pix[(y0+y)*dst.Stride+4*x0:])
	}
	return out
}
