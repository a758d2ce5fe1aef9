package soundnet

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/avlearn/avlearn/avio"
)

// Teacher gives, for every video frame of a clip, a probability
// distribution over object classes and one over scene classes. The student
// learns to match them from the clip's sound.
type Teacher interface {
	// Classes names the object and scene classes, in output order.
	Classes() (objects, scenes []string)
	// Distributions returns one row per frame of c (c.NumFrames rows),
	// each a distribution over the object (scene) classes.
	Distributions(c *avio.Clip) (objects, scenes [][]float32, err error)
}

// Files that NPYTeacher reads in each clip folder.
const (
	TeacherObjectsFile = "teacher_objects.npy"
	TeacherScenesFile  = "teacher_scenes.npy"
)

// NPYTeacher reads teacher distributions computed elsewhere (by ImageNet
// and Places networks, say) from each clip folder:
// ROOT/<clip>/teacher_objects.npy and teacher_scenes.npy, float32 or
// float64 arrays of shape (frames, classes) whose row i is the
// distribution for frame i (time i/fps). Rows must be non-negative and sum
// to 1 within 1e-3; they are renormalised exactly.
type NPYTeacher struct {
	ObjectNames, SceneNames []string
}

// NewNPYTeacher returns an NPYTeacher for the given numbers of classes,
// named "object0"…, "scene0"… unless names are set afterwards.
func NewNPYTeacher(objects, scenes int) *NPYTeacher {
	t := &NPYTeacher{}
	for i := 0; i < objects; i++ {
		t.ObjectNames = append(t.ObjectNames, fmt.Sprintf("object%d", i))
	}
	for i := 0; i < scenes; i++ {
		t.SceneNames = append(t.SceneNames, fmt.Sprintf("scene%d", i))
	}
	return t
}

// NPYTeacherFor returns an NPYTeacher for clips whose folders hold
// teacher .npy files, with the numbers of classes read from the first
// clip's files.
func NPYTeacherFor(clips []*avio.Clip) (*NPYTeacher, error) {
	if len(clips) == 0 {
		return nil, fmt.Errorf("soundnet: npy teacher: no clips")
	}
	var k [2]int
	for i, f := range []string{TeacherObjectsFile, TeacherScenesFile} {
		path := filepath.Join(clips[0].Dir, f)
		a, err := avio.ReadNPY(path)
		if err != nil {
			return nil, fmt.Errorf("soundnet: npy teacher: %w", err)
		}
		if len(a.Shape) != 2 {
			return nil, fmt.Errorf("soundnet: npy teacher: %s: shape %v, want (frames, classes)", path, a.Shape)
		}
		k[i] = a.Shape[1]
	}
	return NewNPYTeacher(k[0], k[1]), nil
}

// Classes implements Teacher.
func (t *NPYTeacher) Classes() (objects, scenes []string) { return t.ObjectNames, t.SceneNames }

// Distributions implements Teacher.
func (t *NPYTeacher) Distributions(c *avio.Clip) (objects, scenes [][]float32, err error) {
	if objects, err = readDist(filepath.Join(c.Dir, TeacherObjectsFile), c.NumFrames, len(t.ObjectNames)); err != nil {
		return nil, nil, err
	}
	if scenes, err = readDist(filepath.Join(c.Dir, TeacherScenesFile), c.NumFrames, len(t.SceneNames)); err != nil {
		return nil, nil, err
	}
	return objects, scenes, nil
}

func readDist(path string, frames, classes int) ([][]float32, error) {
	a, err := avio.ReadNPY(path)
	if err != nil {
		return nil, fmt.Errorf("soundnet: teacher: %w", err)
	}
	if len(a.Shape) != 2 || a.Shape[0] != frames || a.Shape[1] != classes {
		return nil, fmt.Errorf("soundnet: teacher: %s has shape %v, want (%d frames, %d classes)", path, a.Shape, frames, classes)
	}
	v := a.Data
	out := make([][]float32, frames)
	for i := range out {
		row := v[i*classes : (i+1)*classes]
		var s float64
		for j, p := range row {
			if !(p >= 0) || math.IsInf(p, 0) {
				return nil, fmt.Errorf("soundnet: teacher: %s: frame %d class %d is %v, want a probability", path, i, j, p)
			}
			s += p
		}
		if math.Abs(s-1) > 1e-3 {
			return nil, fmt.Errorf("soundnet: teacher: %s: frame %d sums to %v, want 1 (probabilities, not logits)", path, i, s)
		}
		out[i] = make([]float32, classes)
		for j, p := range row {
			out[i][j] = float32(p / s)
		}
	}
	return out, nil
}

// WriteTeacherNPY writes t's distributions for c into c's folder as
// teacher_objects.npy and teacher_scenes.npy (float32, (frames, classes)),
// so that an NPYTeacher can read them later.
func WriteTeacherNPY(t Teacher, c *avio.Clip) error {
	o, s, err := t.Distributions(c)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		rows [][]float32
	}{{TeacherObjectsFile, o}, {TeacherScenesFile, s}} {
		if err := writeRows(filepath.Join(c.Dir, f.name), f.rows); err != nil {
			return err
		}
	}
	return nil
}

func writeRows(path string, rows [][]float32) error {
	cols := 0
	if len(rows) > 0 {
		cols = len(rows[0])
	}
	flat := make([]float32, 0, len(rows)*cols)
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return avio.WriteNPY(path, flat, len(rows), cols)
}
