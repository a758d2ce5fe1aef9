package soundnet

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

func TestImageTeacher(t *testing.T) {
	clips := makeCorpus(t, t.TempDir(), 10)
	var train, test []*avio.Clip
	for _, c := range clips {
		if c.Meta.Split == "train" {
			train = append(train, c)
		} else {
			test = append(test, c)
		}
	}
	cfg := DefaultImageTeacherConfig()
	cfg.Size, cfg.Width = 16, 4
	tc, rep, err := TrainTeacher(context.Background(), train, test, cfg, TrainOptions{Epochs: 10, BatchSize: 6, LR: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if rep.TrainFrames != 60 || rep.ValFrames != 40 {
		t.Errorf("%d train and %d val frames, want 60 and 40", rep.TrainFrames, rep.ValFrames)
	}
	if rep.ValSceneAcc != 1 {
		t.Errorf("scene accuracy on held-out frames %.2f (dark vs bright frames), want 1", rep.ValSceneAcc)
	}
	on, sn := tc.Classes()
	if strings.Join(on, ",") != "x" || strings.Join(sn, ",") != "hum,whistle" {
		t.Errorf("classes %v %v", on, sn)
	}
	o, s, err := tc.Distributions(test[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(o) != test[0].NumFrames || len(s) != test[0].NumFrames {
		t.Fatalf("%d/%d rows for %d frames", len(o), len(s), test[0].NumFrames)
	}
	for _, r := range s {
		var sum float64
		for _, p := range r {
			sum += float64(p)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("scene row sums to %v", sum)
		}
	}
	// Save, load, same distributions; export to .npy and read back.
	path := filepath.Join(t.TempDir(), "t.safetensors")
	if err := tc.Save(path); err != nil {
		t.Fatal(err)
	}
	t2, err := LoadImageTeacher(path)
	if err != nil {
		t.Fatal(err)
	}
	defer t2.Close()
	_, s2, err := t2.Distributions(test[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		for j := range s[i] {
			if s[i][j] != s2[i][j] {
				t.Fatalf("loaded teacher differs at frame %d class %d: %v vs %v", i, j, s[i][j], s2[i][j])
			}
		}
	}
	if err := WriteTeacherNPY(tc, test[0]); err != nil {
		t.Fatal(err)
	}
	_, s3, err := NewNPYTeacher(1, 2).Distributions(test[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range s {
		for j := range s[i] {
			if math.Abs(float64(s[i][j]-s3[i][j])) > 1e-6 {
				t.Fatalf("npy round trip differs at frame %d class %d", i, j)
			}
		}
	}
	if _, err := LoadImageTeacher(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing teacher file loaded")
	}
}

func TestNPYTeacherErrors(t *testing.T) {
	clips := makeCorpus(t, t.TempDir(), 2)
	c := clips[0]
	if _, _, err := NewNPYTeacher(4, 2).Distributions(c); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("wrong class count: %v", err)
	}
	bad := make([]float32, c.NumFrames*3)
	for i := range bad {
		bad[i] = 1 // logits, not probabilities
	}
	if err := avio.WriteNPY(filepath.Join(c.Dir, TeacherObjectsFile), bad, c.NumFrames, 3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := NewNPYTeacher(3, 2).Distributions(c); err == nil || !strings.Contains(err.Error(), "sums to") {
		t.Errorf("rows not summing to 1: %v", err)
	}
	// NPYTeacherFor reads the class counts from the first clip's files.
	tt, err := NPYTeacherFor(clips)
	if err != nil || len(tt.ObjectNames) != 3 {
		t.Errorf("NPYTeacherFor: %v, %v; want the 3 object classes of %s", tt, err, TeacherObjectsFile)
	}
	if scenes, err := avio.ReadNPY(filepath.Join(c.Dir, TeacherScenesFile)); err != nil || tt == nil || len(tt.SceneNames) != scenes.Shape[1] {
		t.Errorf("NPYTeacherFor: scene classes %v, file %v", tt, err)
	}
	if _, err := NPYTeacherFor(nil); err == nil {
		t.Error("NPYTeacherFor without clips")
	}
	if err := avio.WriteNPY(filepath.Join(c.Dir, TeacherScenesFile), bad, len(bad)); err != nil {
		t.Fatal(err)
	}
	if _, err := NPYTeacherFor(clips); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Errorf("1-D scenes file: %v", err)
	}
}
