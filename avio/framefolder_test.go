package avio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFrameFolder(t *testing.T) {
	// A plain folder: frames in name order, fps unknown.
	plain := t.TempDir()
	for i, n := range []string{"b.png", "a.png", "c.PNG"} {
		writeFrame(t, filepath.Join(plain, n), uint8(10*(i+1)), 4, 3)
	}
	os.WriteFile(filepath.Join(plain, "notes.txt"), []byte("x"), 0o644)
	frames, fps, err := ReadFrameFolder(plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != 3 || fps != 0 {
		t.Fatalf("%d frames at %v fps", len(frames), fps)
	}
	if r, _, _, _ := frames[0].At(0, 0).RGBA(); r>>8 != 20 { // a.png
		t.Fatalf("first frame is not a.png (red %d)", r>>8)
	}
	// A clip folder: frames/ and the fps of meta.json.
	clip := t.TempDir()
	os.Mkdir(filepath.Join(clip, FramesDir), 0o755)
	writeFrame(t, filepath.Join(clip, FramesDir, "000000.png"), 1, 4, 3)
	if err := WriteMeta(filepath.Join(clip, MetaFile), Meta{FPS: 30, Split: "test"}); err != nil {
		t.Fatal(err)
	}
	if frames, fps, err = ReadFrameFolder(clip); err != nil || len(frames) != 1 || fps != 30 {
		t.Fatalf("clip folder: %d frames at %v fps, %v", len(frames), fps, err)
	}
	// Errors name the folder or file.
	os.WriteFile(filepath.Join(clip, MetaFile), []byte(`{"fps": "x"}`), 0o644)
	if _, _, err := ReadFrameFolder(clip); err == nil || !strings.Contains(err.Error(), MetaFile) {
		t.Errorf("bad meta.json: %v", err)
	}
	empty := t.TempDir()
	if _, _, err := ReadFrameFolder(empty); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty folder: %v", err)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "000000.png"), []byte("not a png"), 0o644)
	if _, _, err := ReadFrameFolder(bad); err == nil || !strings.Contains(err.Error(), "000000.png") {
		t.Errorf("corrupt frame: %v", err)
	}
}
