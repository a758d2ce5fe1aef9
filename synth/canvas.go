package synth

import (
	"image"
	"math"
)

// RGB is a linear-ish colour with channels in [0, 1], the paint used by the
// renderers. Values outside [0, 1] are clamped when an image is made.
type RGB struct{ R, G, B float64 }

func (c RGB) scale(k float64) RGB { return RGB{c.R * k, c.G * k, c.B * k} }

func (c RGB) mix(d RGB, t float64) RGB {
	return RGB{c.R + (d.R-c.R)*t, c.G + (d.G-c.G)*t, c.B + (d.B-c.B)*t}
}

// canvas is a float RGB raster with soft-edged (anti-aliased) primitives.
// Coverage of a pixel is estimated from an approximate signed distance to
// the shape's edge, which costs one evaluation per pixel instead of
// supersampling and still gives smooth outlines at 64×64.
type canvas struct {
	w, h int
	pix  []RGB
	// affine transform applied to every primitive's coordinates:
	// x' = a*x + b*y + c, y' = d*x + e*y + f.
	a, b, c, d, e, f float64
}

func newCanvas(w, h int, bg RGB) *canvas {
	cv := &canvas{w: w, h: h, pix: make([]RGB, w*h)}
	for i := range cv.pix {
		cv.pix[i] = bg
	}
	cv.identity()
	return cv
}

func (cv *canvas) identity() { cv.a, cv.b, cv.c, cv.d, cv.e, cv.f = 1, 0, 0, 0, 1, 0 }

// setTransform makes primitives drawn in a local frame centred at (0,0) land
// at (cx, cy) after scaling by s and rotating by rot radians.
func (cv *canvas) setTransform(cx, cy, s, rot float64) {
	co, si := math.Cos(rot)*s, math.Sin(rot)*s
	cv.a, cv.b, cv.c = co, -si, cx
	cv.d, cv.e, cv.f = si, co, cy
}

func (cv *canvas) xf(x, y float64) (float64, float64) {
	return cv.a*x + cv.b*y + cv.c, cv.d*x + cv.e*y + cv.f
}

// scaleFactor is the length scale of the current transform.
func (cv *canvas) scaleFactor() float64 { return math.Hypot(cv.a, cv.d) }

func (cv *canvas) blend(x, y int, col RGB, alpha float64) {
	if alpha <= 0 {
		return
	}
	if alpha > 1 {
		alpha = 1
	}
	p := &cv.pix[y*cv.w+x]
	*p = p.mix(col, alpha)
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func clamp01(v float64) float64 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// ellipse fills an ellipse with centre (x, y), semi-axes rx, ry and rotation
// rot (local frame), with opacity alpha.
func (cv *canvas) ellipse(x, y, rx, ry, rot float64, col RGB, alpha float64) {
	if rx <= 0 || ry <= 0 {
		return
	}
	cx, cy := cv.xf(x, y)
	s := cv.scaleFactor()
	rx, ry = rx*s, ry*s
	// total rotation = local rotation + transform rotation
	rot += math.Atan2(cv.d, cv.a)
	co, si := math.Cos(rot), math.Sin(rot)
	r := math.Max(rx, ry) + 1
	x0, x1 := clampInt(int(cx-r), 0, cv.w-1), clampInt(int(cx+r)+1, 0, cv.w-1)
	y0, y1 := clampInt(int(cy-r), 0, cv.h-1), clampInt(int(cy+r)+1, 0, cv.h-1)
	m := math.Min(rx, ry)
	for py := y0; py <= y1; py++ {
		dy := float64(py) + 0.5 - cy
		for px := x0; px <= x1; px++ {
			dx := float64(px) + 0.5 - cx
			u := (dx*co + dy*si) / rx
			v := (-dx*si + dy*co) / ry
			q := u*u + v*v
			if q > 4 {
				continue
			}
			d := (math.Sqrt(q) - 1) * m // approximate distance in pixels
			cv.blend(px, py, col, alpha*clamp01(0.5-d))
		}
	}
}

// polygon fills a convex polygon given by local-frame vertices in either
// winding order.
func (cv *canvas) polygon(xs, ys []float64, col RGB, alpha float64) {
	n := len(xs)
	if n < 3 {
		return
	}
	var px, py [8]float64
	if n > len(px) {
		n = len(px)
	}
	minx, miny, maxx, maxy := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < n; i++ {
		px[i], py[i] = cv.xf(xs[i], ys[i])
		minx, maxx = math.Min(minx, px[i]), math.Max(maxx, px[i])
		miny, maxy = math.Min(miny, py[i]), math.Max(maxy, py[i])
	}
	// orientation
	area := 0.0
	for i := 0; i < n; i++ {
		j := (i + 1) % n
		area += px[i]*py[j] - px[j]*py[i]
	}
	sgn := 1.0
	if area < 0 {
		sgn = -1
	}
	// edge normals (outward) and offsets
	var nx, ny, off [8]float64
	for i := 0; i < n; i++ {
		j := (i + 1) % n
		ex, ey := px[j]-px[i], py[j]-py[i]
		l := math.Hypot(ex, ey)
		if l == 0 {
			l = 1
		}
		nx[i], ny[i] = sgn*ey/l, -sgn*ex/l
		off[i] = nx[i]*px[i] + ny[i]*py[i]
	}
	x0, x1 := clampInt(int(minx-1), 0, cv.w-1), clampInt(int(maxx+1), 0, cv.w-1)
	y0, y1 := clampInt(int(miny-1), 0, cv.h-1), clampInt(int(maxy+1), 0, cv.h-1)
	for yy := y0; yy <= y1; yy++ {
		fy := float64(yy) + 0.5
		for xx := x0; xx <= x1; xx++ {
			fx := float64(xx) + 0.5
			d := math.Inf(-1)
			for i := 0; i < n; i++ {
				if e := nx[i]*fx + ny[i]*fy - off[i]; e > d {
					d = e
				}
			}
			cv.blend(xx, yy, col, alpha*clamp01(0.5-d))
		}
	}
}

// rect fills an axis-aligned (in the local frame) rectangle.
func (cv *canvas) rect(x0, y0, x1, y1 float64, col RGB, alpha float64) {
	cv.polygon([]float64{x0, x1, x1, x0}, []float64{y0, y0, y1, y1}, col, alpha)
}

// image converts the canvas to an 8-bit RGBA image.
func (cv *canvas) image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, cv.w, cv.h))
	for i, p := range cv.pix {
		img.Pix[4*i+0] = to8(p.R)
		img.Pix[4*i+1] = to8(p.G)
		img.Pix[4*i+2] = to8(p.B)
		img.Pix[4*i+3] = 255
	}
	return img
}

func to8(v float64) uint8 { return uint8(math.Round(255 * clamp01(v))) }
