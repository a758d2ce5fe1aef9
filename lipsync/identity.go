package lipsync

import (
	"fmt"
	"image"
	"math"
)

// identityStride keeps every identityStride-th frame for the identity
// measure: neighbouring frames show nearly the same face, and the
// recogniser runs once per kept frame and system.
const identityStride = 4

// faceIdentity measures, for one clip, how far a recogniser puts frames
// from the clip's identity frame (its first).
type faceIdentity struct {
	c     Config
	embed func(image.Image) ([]float32, error)
	faces [][]float32 // the clip's whole frames as tensors
	ref   []float32   // the identity frame's embedding
}

func (c Config) newFaceIdentity(d *clipData, embed func(image.Image) ([]float32, error)) (*faceIdentity, error) {
	f := &faceIdentity{c: c, embed: embed}
	for i := 0; i < len(d.crops); i++ {
		img, err := d.clip.Frame(i)
		if err != nil {
			return nil, err
		}
		t, err := c.faceTensor(img)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.clip.FramePath(i), err)
		}
		f.faces = append(f.faces, t)
	}
	var err error
	if f.ref, err = f.embedTensor(f.faces[0]); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *faceIdentity) embedTensor(t []float32) ([]float32, error) {
	e, err := f.embed(f.c.image(t))
	if err != nil {
		return nil, fmt.Errorf("lipsync: face recogniser: %w", err)
	}
	return e, nil
}

// score adds to s the distances of the clip's frames, their lower halves
// replaced by crops (the real frames when crops is nil), from the
// identity frame. Frame 0 is the identity frame itself and is skipped.
func (f *faceIdentity) score(s *system, crops [][]float32) error {
	for i := identityStride; i < len(f.faces); i += identityStride {
		t := f.faces[i]
		if crops != nil {
			if i >= len(crops) {
				break
			}
			t = f.c.paste(t, crops[i])
		}
		e, err := f.embedTensor(t)
		if err != nil {
			return err
		}
		s.id += cosineDistance(e, f.ref)
		s.idn++
	}
	return nil
}

// scoreOther adds to acc the distance from the identity frame to other's.
func (f *faceIdentity) scoreOther(other *clipData, acc *meanAcc) error {
	img, err := other.clip.Frame(0)
	if err != nil {
		return err
	}
	t, err := f.c.faceTensor(img)
	if err != nil {
		return fmt.Errorf("%s: %w", other.clip.FramePath(0), err)
	}
	e, err := f.embedTensor(t)
	if err != nil {
		return err
	}
	acc.add(cosineDistance(e, f.ref))
	return nil
}

// cosineDistance is 1 − cos(a, b); 1 when either vector is zero.
func cosineDistance(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range min(len(a), len(b)) {
		x, y := float64(a[i]), float64(b[i])
		ab, aa, bb = ab+x*y, aa+x*x, bb+y*y
	}
	if aa == 0 || bb == 0 {
		return 1
	}
	return 1 - ab/math.Sqrt(aa*bb)
}

// meanAcc accumulates a mean.
type meanAcc struct {
	sum float64
	n   int
}

func (a *meanAcc) add(v float64) { a.sum += v; a.n++ }

func (a *meanAcc) mean() float64 { return a.sum / float64(a.n) }
