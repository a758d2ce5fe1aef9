package lipsync

import (
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"math"
)

// Animation makes an animated GIF of frames played at fps (encode it with
// gif.EncodeAll): each frame is dithered to the Plan 9 palette, which
// keeps skin and lips close enough for a preview.
func Animation(frames []image.Image, fps float64) *gif.GIF {
	anim := &gif.GIF{}
	delay := max(1, int(math.Round(100/fps))) // GIF delays count hundredths of a second
	for _, f := range frames {
		p := image.NewPaletted(f.Bounds(), palette.Plan9)
		draw.FloydSteinberg.Draw(p, f.Bounds(), f, f.Bounds().Min)
		anim.Image = append(anim.Image, p)
		anim.Delay = append(anim.Delay, delay)
	}
	return anim
}
