package spectrogram

import (
	"fmt"
	"image/color"
	"math"
	"strings"
)

// Colormap maps a value in [0, 1] to a colour. The zero value is Viridis.
type Colormap int

const (
	// Viridis is the perceptually uniform blue-green-yellow map, matplotlib's default.
	Viridis Colormap = iota
	// Magma is the perceptually uniform black-purple-orange-white map.
	Magma
	// Gray maps 0 to black and 1 to white.
	Gray
)

// String returns the map's name as ParseColormap accepts it.
func (m Colormap) String() string {
	switch m {
	case Viridis:
		return "viridis"
	case Magma:
		return "magma"
	case Gray:
		return "gray"
	}
	return fmt.Sprintf("Colormap(%d)", int(m))
}

// ParseColormap returns the map named "viridis", "magma" or "gray".
func ParseColormap(name string) (Colormap, error) {
	switch strings.ToLower(name) {
	case "viridis":
		return Viridis, nil
	case "magma":
		return Magma, nil
	case "gray", "grey":
		return Gray, nil
	}
	return 0, fmt.Errorf("spectrogram: unknown colour map %q (want viridis, magma or gray)", name)
}

// lut8 holds each table quantised to 8-bit sRGB, built once.
var lut8 = func() [2][256]color.RGBA {
	var l [2][256]color.RGBA
	for m, tab := range []*[256][3]float32{&viridisData, &magmaData} {
		for i, c := range tab {
			l[m][i] = color.RGBA{q8(c[0]), q8(c[1]), q8(c[2]), 255}
		}
	}
	return l
}()

func q8(v float32) uint8 { return uint8(math.Round(float64(v) * 255)) }

// At returns the colour for v; values outside [0, 1] are clamped and NaN
// maps to the lowest colour. Like matplotlib, the 256 entries are picked
// by nearest index, not interpolated.
func (m Colormap) At(v float64) color.RGBA {
	if !(v > 0) { // also NaN
		v = 0
	}
	if v > 1 {
		v = 1
	}
	i := int(v * 256)
	if i > 255 {
		i = 255
	}
	switch m {
	case Magma:
		return lut8[1][i]
	case Gray:
		return color.RGBA{uint8(i), uint8(i), uint8(i), 255}
	}
	return lut8[0][i]
}
