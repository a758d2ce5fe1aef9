package avio

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFolderFrames bounds the frames ReadFrameFolder decodes (ten minutes
// at 25 fps), so a folder of many images cannot exhaust memory.
const MaxFolderFrames = 15000

// ReadFrameFolder reads a face video: a clip folder (the images of its
// frames/ folder and the fps of its meta.json) or a folder of .png and
// .jpg frames in name order, whose fps is 0 (unknown). Every frame is
// decoded, each checked against MaxFramePixels before it is.
func ReadFrameFolder(dir string) (frames []image.Image, fps float64, err error) {
	src := dir
	if st, err := os.Stat(filepath.Join(dir, FramesDir)); err == nil && st.IsDir() {
		src = filepath.Join(dir, FramesDir)
		if _, err := os.Stat(filepath.Join(dir, MetaFile)); err == nil {
			m, err := ReadMeta(filepath.Join(dir, MetaFile))
			if err != nil {
				return nil, 0, err
			}
			fps = m.FPS
		}
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return nil, 0, err
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && frameExts[strings.ToLower(filepath.Ext(e.Name()))] {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	switch {
	case len(names) == 0:
		return nil, 0, fmt.Errorf("%s: no .png or .jpg frames", src)
	case len(names) > MaxFolderFrames:
		return nil, 0, fmt.Errorf("%s: %d frames, at most %d are read", src, len(names), MaxFolderFrames)
	}
	for _, n := range names {
		img, err := decodeImage(filepath.Join(src, n))
		if err != nil {
			return nil, 0, err
		}
		frames = append(frames, img)
	}
	return frames, fps, nil
}
