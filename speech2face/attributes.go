package speech2face

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// VoiceAttributes are the Attributes that synth.Speakers ties to the voice
// (the others owe it nothing): Evaluate's attribute-matched ceiling picks
// faces by them.
var VoiceAttributes = []string{"sex_like", "face_height", "jaw", "brow", "eye_size"}

// The attribute estimator's Gaussian kernel width (in units of the median
// squared distance between training faces) and ridge penalty, chosen on
// the validation speakers of the run log's corpus.
const (
	estWidth  = 3.0
	estLambda = 0.01
)

// estimator reads face attributes from pixels: kernel ridge regression
// with a Gaussian kernel on pixel features (see pixelFeatures), fitted on
// true faces with known labels. The features are not standardised: the
// background is nearly constant on true faces, and standardising it would
// put every decoded face, whose background differs a little, far from all
// of them. It is fitted on each face and on a blurred copy with the same
// labels, so that it reads decoded faces, which are blurred, by their
// shapes rather than by their sharpness. Reading pixels, not the
// recogniser's embedding, keeps it
// independent of the model it judges and sees the jaw line and brows an
// identity embedding ignores.
type estimator struct {
	scale float64     // the kernel's width: estWidth × the median squared distance between training faces
	x     [][]float64 // training faces' features
	alpha *mat.Dense  // [n, k] dual weights
	mean  []float64   // label means (the kernel model fits the residuals)
}

// pixelFeatures are the luma of a face (CHW RGB in [0, 1], size×size) and
// the absolute differences of horizontally and vertically neighbouring
// luma pixels, which mark edges (jaw line, brows, eyes) whatever the skin
// and hair colours.
func pixelFeatures(face []float32, size int) []float64 {
	n := size * size
	l := make([]float64, n)
	for i := range l {
		l[i] = 0.299*float64(face[i]) + 0.587*float64(face[n+i]) + 0.114*float64(face[2*n+i])
	}
	out := append(make([]float64, 0, 3*n), l...)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			var dx, dy float64
			if x+1 < size {
				dx = l[y*size+x+1] - l[y*size+x]
			}
			if y+1 < size {
				dy = l[(y+1)*size+x] - l[y*size+x]
			}
			out = append(out, math.Abs(dx), math.Abs(dy))
		}
	}
	return out
}

func (e *estimator) kernel(a, b []float64) float64 {
	var d float64
	for i := range a {
		t := a[i] - b[i]
		d += t * t
	}
	return math.Exp(-d / e.scale)
}

// fitEstimator fits the estimator on faces (size×size), and blurred
// copies of them, and their label rows y.
func fitEstimator(faces [][]float32, y [][]float64, size int) (*estimator, error) {
	n := len(faces)
	if n < 2 || len(y) != n {
		return nil, fmt.Errorf("%d faces, %d label rows; want at least 2 of each, as many", n, len(y))
	}
	var x [][]float64
	for _, f := range faces {
		x = append(x, pixelFeatures(f, size))
	}
	for _, f := range faces {
		x = append(x, pixelFeatures(blurred(f, size, 2), size))
	}
	y = append(y, y...)
	n = len(x)
	e := &estimator{x: x, mean: make([]float64, len(y[0]))}
	var d2 []float64
	for i := range x {
		for j := 0; j < i; j++ {
			var d float64
			for k := range x[i] {
				t := x[i][k] - x[j][k]
				d += t * t
			}
			d2 = append(d2, d)
		}
	}
	sort.Float64s(d2)
	e.scale = estWidth * d2[len(d2)/2]
	for _, r := range y {
		for j, v := range r {
			e.mean[j] += v / float64(n)
		}
	}
	K := mat.NewDense(n, n, nil)
	for i := range e.x {
		for j := 0; j < i; j++ {
			v := e.kernel(e.x[i], e.x[j])
			K.Set(i, j, v)
			K.Set(j, i, v)
		}
		K.Set(i, i, 1+estLambda)
	}
	Y := mat.NewDense(n, len(e.mean), nil)
	for i, r := range y {
		for j, v := range r {
			Y.Set(i, j, v-e.mean[j])
		}
	}
	var a mat.Dense
	if err := a.Solve(K, Y); err != nil {
		return nil, err
	}
	e.alpha = &a
	return e, nil
}

// apply estimates the attributes of faces.
func (e *estimator) apply(faces [][]float32, size int) [][]float64 {
	out := make([][]float64, len(faces))
	for i, f := range faces {
		x := pixelFeatures(f, size)
		out[i] = append([]float64(nil), e.mean...)
		for t, xt := range e.x {
			k := e.kernel(x, xt)
			for j := range out[i] {
				out[i][j] += k * e.alpha.At(t, j)
			}
		}
	}
	return out
}

// blurred returns face (CHW, size×size) passed k times through a 3×3 box
// filter with edges repeated.
func blurred(face []float32, size, k int) []float32 {
	out := append([]float32(nil), face...)
	tmp := make([]float32, len(face))
	for range k {
		for ch := 0; ch < 3; ch++ {
			o := ch * size * size
			for y := 0; y < size; y++ {
				for x := 0; x < size; x++ {
					var s float32
					for dy := -1; dy <= 1; dy++ {
						for dx := -1; dx <= 1; dx++ {
							yy, xx := min(max(y+dy, 0), size-1), min(max(x+dx, 0), size-1)
							s += out[o+yy*size+xx]
						}
					}
					tmp[o+y*size+x] = s / 9
				}
			}
		}
		out, tmp = tmp, out
	}
	return out
}
