package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/img2speech"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/lipsync"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/soundnet"
	"github.com/avlearn/avlearn/speech2face"
)

// nanAt is the sample that the NaN fixtures spoil.
const nanAt = 1234

// cliFixture holds the inputs the conformance test feeds every command.
type cliFixture struct {
	dir               string
	wav, nanWAV       string // 1 s at 16 kHz; the same with a NaN at nanAt
	spec, nanSpec     string // linear spectrogram .npy (with its .json), and one holding a NaN
	data, nanData     string // clip datasets; every clip of nanData has a NaN at nanAt
	snModel, sepModel string // untrained SoundNet and separation models
	s2fModel          string // an untrained speech2face model of the train split's speakers
	lipModel          string // an untrained lip-sync model
	i2sModel          string // an untrained img2speech model
	faceA, faceB      string // clip folders, used as face videos
	notDir            string // a file, so that "notDir/x" cannot be created
	readOnly          string // a folder without write permission ("" when running as root)
	missing           string // a path that does not exist
}

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	d := t.TempDir()
	f := &cliFixture{dir: d,
		wav: filepath.Join(d, "in.wav"), nanWAV: filepath.Join(d, "nan.wav"),
		spec: filepath.Join(d, "spec.npy"), nanSpec: filepath.Join(d, "nanspec.npy"),
		data: filepath.Join(d, "ds"), nanData: filepath.Join(d, "nands"),
		snModel: filepath.Join(d, "sn.safetensors"), sepModel: filepath.Join(d, "sep.safetensors"), s2fModel: filepath.Join(d, "s2f.safetensors"),
		lipModel: filepath.Join(d, "lip.safetensors"),
		i2sModel: filepath.Join(d, "i2s.safetensors"),
		notDir:   filepath.Join(d, "plain-file"), missing: filepath.Join(d, "missing"),
	}
	x := make([]float64, 16000)
	for i := range x {
		x[i] = 0.3 * math.Sin(2*math.Pi*440*float64(i)/16000)
	}
	must(t, avio.WriteMonoWAV(f.wav, x, 16000, avio.Float32))
	y := append([]float64(nil), x...)
	y[nanAt] = math.NaN()
	must(t, avio.WriteMonoWAV(f.nanWAV, y, 16000, avio.Float32))
	if code := run([]string{"spectrogram", f.wav, "-o", f.spec, "--n-fft", "256", "-q"}, ioDiscard{}, ioDiscard{}); code != 0 {
		t.Fatal("spectrogram fixture failed")
	}
	bad := make([]float32, 129*10)
	bad[5*10+3] = float32(math.NaN())
	must(t, avio.WriteNPY(f.nanSpec, bad, 129, 10))
	writeClips(t, f.data, x)
	writeClips(t, f.nanData, y)
	f.faceA, f.faceB = filepath.Join(f.data, "c0"), filepath.Join(f.data, "c1")
	must(t, os.WriteFile(f.notDir, []byte("x"), 0o644))
	if os.Geteuid() != 0 {
		f.readOnly = filepath.Join(d, "read-only")
		must(t, os.Mkdir(f.readOnly, 0o555))
		t.Cleanup(func() { os.Chmod(f.readOnly, 0o755) })
	}

	sn, err := soundnet.New(soundnet.Config{Width: 0.125, Objects: 2, Scenes: 2, ObjectNames: []string{"a", "b"},
		SceneNames: []string{"x", "y"}, Window: 9.5, Seed: 1})
	must(t, err)
	must(t, sn.Save(f.snModel))
	sn.Close()
	cfg := separation.DefaultConfig()
	cfg.AudioChannels, cfg.LSTMHidden, cfg.FCHidden = 4, 4, 8
	sep, err := separation.New(cfg)
	must(t, err)
	must(t, sep.Save(f.sepModel))
	sep.Close()
	s2c := speech2face.DefaultConfig()
	s2c.Identities = []string{"s0", "s1", "s2", "s3"}
	s2c.FaceSize, s2c.Embed, s2c.Width, s2c.Voice = 16, 8, 4, 8
	s2f, err := speech2face.New(s2c)
	must(t, err)
	must(t, s2f.Save(f.s2fModel))
	s2f.Close()
	lcfg := lipsync.DefaultConfig()
	lcfg.Width, lcfg.Expert, lcfg.Embed = 4, 4, 8
	lip, err := lipsync.New(lcfg)
	must(t, err)
	must(t, lip.Save(f.lipModel))
	lip.Close()
	i2c := img2speech.DefaultConfig()
	i2c.Codes, i2c.CodeDim, i2c.Hidden, i2c.Segment = 4, 4, 4, 32
	i2s, err := img2speech.New(i2c)
	must(t, err)
	must(t, i2s.Save(f.i2sModel))
	return f
}

// writeClips writes a clip dataset of six one-second clips whose audio is
// x: 25 fps frames, two speakers per split, scene and object labels, and
// the per-frame .npy files of an "npy" SoundNet teacher.
func writeClips(t *testing.T, root string, x []float64) {
	t.Helper()
	splits := []string{"train", "train", "train", "train", "val", "test", "test"}
	for i, split := range splits {
		dir := filepath.Join(root, fmt.Sprintf("c%d", i))
		must(t, os.MkdirAll(filepath.Join(dir, "frames"), 0o755))
		must(t, avio.WriteMonoWAV(filepath.Join(dir, "audio.wav"), x, 16000, avio.Float32))
		for k := 0; k < 25; k++ {
			img := image.NewRGBA(image.Rect(0, 0, 32, 32))
			for p := range img.Pix {
				img.Pix[p] = uint8(17*i + 5*k + p)
			}
			img.Set(k, i, color.White)
			fh, err := os.Create(filepath.Join(dir, "frames", fmt.Sprintf("%06d.png", k)))
			must(t, err)
			must(t, png.Encode(fh, img))
			must(t, fh.Close())
		}
		meta, _ := json.Marshal(map[string]any{"fps": 25, "split": split, "labels": map[string]string{
			"speaker": fmt.Sprintf("s%d", i), "scene": []string{"x", "y"}[i%2], "object": []string{"a", "b"}[i/2%2]}})
		must(t, os.WriteFile(filepath.Join(dir, "meta.json"), meta, 0o644))
		p := make([]float32, 25*2)
		for k := 0; k < 25; k++ {
			p[2*k], p[2*k+1] = 0.75, 0.25
		}
		must(t, avio.WriteNPY(filepath.Join(dir, soundnet.TeacherObjectsFile), p, 25, 2))
		must(t, avio.WriteNPY(filepath.Join(dir, soundnet.TeacherScenesFile), p, 25, 2))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

// goIdent matches a Go identifier leaking into a message (TrainOptions.LR,
// Config.Mask).
var goIdent = regexp.MustCompile(`\b(Config|Options|TrainOptions|EvalOptions|ImageTeacherConfig)\.[A-Z]\w*`)

// TestCLIConformance runs every command and verb against the command-line
// convention: a bad flag value exits 2, a missing input 1, an output that
// cannot be written fails at once and before any work, NaN audio exits 1
// naming the sample, messages carry no Go identifiers or stacked prefixes,
// and a failure leaves no output, whole or partial, behind.
func TestCLIConformance(t *testing.T) {
	f := newCLIFixture(t)
	// outArgs returns the arguments of a call that writes to out.
	type outArgs func(out string) []string
	cases := []struct {
		name    string
		ext     string   // output: file extension, "/" for a folder, "" for none
		bad     []string // a bad flag value (exit 2)
		missing []string // a missing input (exit 1)
		write   outArgs  // a complete call writing to out
		nan     []string // NaN input (exit 1, naming nanWant)
		nanOut  outArgs  // or a NaN call that writes to out
		nanWant string
	}{
		{name: "spectrogram", ext: ".npy",
			bad:     []string{"spectrogram", f.wav, "-o", "x.npy", "--hop", "-1"},
			missing: []string{"spectrogram", f.missing + ".wav", "-o", filepath.Join(f.dir, "x.npy")},
			write:   func(o string) []string { return []string{"spectrogram", f.wav, "-o", o} },
			nanOut:  func(o string) []string { return []string{"spectrogram", f.nanWAV, "-o", o} },
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "spectrogram png", ext: ".png",
			bad:     []string{"spectrogram", f.wav, "-o", "x.png", "--range", "0"},
			write:   func(o string) []string { return []string{"spectrogram", f.wav, "-o", o} },
			nanOut:  func(o string) []string { return []string{"spectrogram", f.nanWAV, "-o", o} },
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "info",
			bad:     []string{"info", "-q=maybe", f.wav},
			missing: []string{"info", f.missing + ".wav"}},
		{name: "resample", ext: ".wav",
			bad:     []string{"resample", f.wav, "-o", "x.wav", "--rate", "-8000"},
			missing: []string{"resample", f.missing + ".wav", "-o", filepath.Join(f.dir, "x.wav"), "--rate", "8000"},
			write:   func(o string) []string { return []string{"resample", f.wav, "-o", o, "--rate", "8000"} },
			nanOut:  func(o string) []string { return []string{"resample", f.nanWAV, "-o", o, "--rate", "8000"} },
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "griffinlim", ext: ".wav",
			bad:     []string{"griffinlim", f.spec, "-o", "x.wav", "--iters", "0"},
			missing: []string{"griffinlim", f.missing + ".npy", "-o", filepath.Join(f.dir, "x.wav")},
			write:   func(o string) []string { return []string{"griffinlim", f.spec, "-o", o, "--iters", "2"} },
			nanOut: func(o string) []string {
				return []string{"griffinlim", f.nanSpec, "-o", o, "--iters", "2", "--sr", "16000"}
			},
			nanWant: "bin 5, frame 3"},
		{name: "synth", ext: "/",
			bad:   []string{"synth", "speakers", "-o", "x", "--n", "0"},
			write: func(o string) []string { return []string{"synth", "speakers", "-o", o, "--n", "1", "--size", "16"} }},
		{name: "dataset check",
			bad:     []string{"dataset", "check", f.data, "-decode=maybe"},
			missing: []string{"dataset", "check", f.missing},
			nan:     []string{"dataset", "check", f.nanData},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "soundnet teacher", ext: ".safetensors",
			bad:     []string{"soundnet", "teacher", "--data", f.data, "-o", "t.safetensors", "--epochs", "0"},
			missing: []string{"soundnet", "teacher", "--data", f.missing, "-o", filepath.Join(f.dir, "t.safetensors")},
			write:   func(o string) []string { return []string{"soundnet", "teacher", "--data", f.data, "-o", o} }},
		{name: "soundnet distill", ext: ".safetensors",
			bad:     []string{"soundnet", "distill", "--data", f.data, "--teacher", "npy", "-o", "m.safetensors", "--lr", "0"},
			missing: []string{"soundnet", "distill", "--data", f.data, "--teacher", f.missing + ".safetensors", "-o", filepath.Join(f.dir, "m.safetensors")},
			write: func(o string) []string {
				return []string{"soundnet", "distill", "--data", f.data, "--teacher", "npy", "-o", o}
			},
			nanOut: func(o string) []string {
				return []string{"soundnet", "distill", "--data", f.nanData, "--teacher", "npy", "-o", o, "--width", "0.125", "--window", "9.5", "--epochs", "1"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "soundnet features", ext: ".npy",
			bad:     []string{"soundnet", "features", "--model", f.snModel, f.wav, "-o", "f.npy", "--layer", "nope"},
			missing: []string{"soundnet", "features", "--model", f.missing + ".safetensors", f.wav, "-o", filepath.Join(f.dir, "f.npy")},
			write:   func(o string) []string { return []string{"soundnet", "features", "--model", f.snModel, f.wav, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"soundnet", "features", "--model", f.snModel, f.nanWAV, "-o", o}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "soundnet probe",
			bad:     []string{"soundnet", "probe", "--model", f.snModel, "--data", f.data, "--label", ""},
			missing: []string{"soundnet", "probe", "--model", f.missing + ".safetensors", "--data", f.data},
			nan:     []string{"soundnet", "probe", "--model", f.snModel, "--data", f.nanData, "--layers", "pool5", "--no-mfcc"},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "separation train", ext: ".safetensors",
			bad:     []string{"separation", "train", "--data", f.data, "-o", "m.safetensors", "--mask", "nope"},
			missing: []string{"separation", "train", "--data", f.missing, "-o", filepath.Join(f.dir, "m.safetensors")},
			write:   func(o string) []string { return []string{"separation", "train", "--data", f.data, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"separation", "train", "--data", f.nanData, "-o", o, "--channels", "4", "--hidden", "4", "--fc", "8",
					"--epochs", "1", "--steps", "1", "--batch", "2", "--segment", "0.4"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "separation eval",
			bad:     []string{"separation", "eval", "--model", f.sepModel, "--data", f.data, "--n", "0"},
			missing: []string{"separation", "eval", "--model", f.missing + ".safetensors", "--data", f.data},
			nan:     []string{"separation", "eval", "--model", f.sepModel, "--data", f.nanData, "--n", "1"},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "separate", ext: "/",
			bad:     []string{"separate", "--model", f.sepModel, "--mix", f.wav, "--face", f.faceA, "--face", f.faceB, "-o", "x", "--fps", "-1"},
			missing: []string{"separate", "--model", f.sepModel, "--mix", f.missing + ".wav", "--face", f.faceA, "--face", f.faceB, "-o", filepath.Join(f.dir, "sepout")},
			write: func(o string) []string {
				return []string{"separate", "--model", f.sepModel, "--mix", f.wav, "--face", f.faceA, "--face", f.faceB, "-o", o}
			},
			nanOut: func(o string) []string {
				return []string{"separate", "--model", f.sepModel, "--mix", f.nanWAV, "--face", f.faceA, "--face", f.faceB, "-o", o}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "fusion train", ext: ".safetensors",
			bad:     []string{"fusion", "train", "--data", f.data, "-o", "m.safetensors", "--fusion", "nope"},
			missing: []string{"fusion", "train", "--data", f.missing, "-o", filepath.Join(f.dir, "m.safetensors")},
			write:   func(o string) []string { return []string{"fusion", "train", "--data", f.data, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"fusion", "train", "--data", f.nanData, "-o", o, "--streams", "audio", "--epochs", "1"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "fusion eval",
			bad:     []string{"fusion", "eval", "--model", f.missing + ".safetensors"},
			missing: []string{"fusion", "eval", "--model", f.missing + ".safetensors", "--data", f.data}},
		{name: "speech2face", ext: ".png",
			bad:     []string{"speech2face", f.wav, "-o", "x.png", "--nope"},
			missing: []string{"speech2face", "--model", f.s2fModel, f.missing + ".wav", "-o", filepath.Join(f.dir, "x.png")},
			write:   func(o string) []string { return []string{"speech2face", "--model", f.s2fModel, f.wav, "-o", o} },
			nanOut:  func(o string) []string { return []string{"speech2face", "--model", f.s2fModel, f.nanWAV, "-o", o} },
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "speech2face train", ext: ".safetensors",
			bad:     []string{"speech2face", "train", "--data", f.data, "-o", "m.safetensors", "--stage", "nope"},
			missing: []string{"speech2face", "train", "--data", f.missing, "-o", filepath.Join(f.dir, "m.safetensors")},
			write:   func(o string) []string { return []string{"speech2face", "train", "--data", f.data, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"speech2face", "train", "--data", f.nanData, "-o", o, "--stage", "voice", "--model", f.s2fModel, "--epochs", "1"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "speech2face eval",
			bad:     []string{"speech2face", "eval", "--data", f.data, "--speakers", "0"},
			missing: []string{"speech2face", "eval", "--model", f.s2fModel, "--data", f.missing},
			nan:     []string{"speech2face", "eval", "--model", f.s2fModel, "--data", f.nanData},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "lipsync train", ext: ".safetensors",
			bad:     []string{"lipsync", "train", "--data", f.data, "-o", "m.safetensors", "--sync-weight", "1"},
			missing: []string{"lipsync", "train", "--data", f.missing, "-o", filepath.Join(f.dir, "m.safetensors")},
			write:   func(o string) []string { return []string{"lipsync", "train", "--data", f.data, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"lipsync", "train", "--data", f.nanData, "-o", o, "--width", "4", "--expert-epochs", "1",
					"--epochs", "1", "--steps", "1", "--batch", "2"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "lipsync eval",
			bad:     []string{"lipsync", "eval", "--model", f.lipModel, "--data", f.data, "-markdown=maybe"},
			missing: []string{"lipsync", "eval", "--model", f.missing + ".safetensors", "--data", f.data},
			nan:     []string{"lipsync", "eval", "--model", f.lipModel, "--data", f.nanData},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "lipsync", ext: "/",
			bad:     []string{"lipsync", "--model", f.lipModel, "--face", f.faceA, "--audio", f.wav, "-o", "x", "-q=maybe"},
			missing: []string{"lipsync", "--model", f.lipModel, "--face", f.missing + ".png", "--audio", f.wav, "-o", filepath.Join(f.dir, "lipout")},
			write: func(o string) []string {
				return []string{"lipsync", "--model", f.lipModel, "--face", f.faceA, "--audio", f.wav, "-o", o}
			},
			nanOut: func(o string) []string {
				return []string{"lipsync", "--model", f.lipModel, "--face", f.faceA, "--audio", f.nanWAV, "-o", o}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "img2speech train", ext: ".safetensors",
			bad:     []string{"img2speech", "train", "--data", f.data, "-o", "m.safetensors", "--codes", "1"},
			missing: []string{"img2speech", "train", "--data", f.missing, "-o", filepath.Join(f.dir, "m.safetensors")},
			write:   func(o string) []string { return []string{"img2speech", "train", "--data", f.data, "-o", o} },
			nanOut: func(o string) []string {
				return []string{"img2speech", "train", "--data", f.nanData, "-o", o, "--hidden", "4", "--codes", "4", "--epochs", "1"}
			},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "img2speech", ext: ".wav",
			bad:     []string{"img2speech", filepath.Join(f.faceA, "frames", "000000.png"), "-o", "x.wav", "--words=maybe"},
			missing: []string{"img2speech", "--model", f.i2sModel, f.missing + ".png", "-o", filepath.Join(f.dir, "x.wav")},
			write: func(o string) []string {
				return []string{"img2speech", "--model", f.i2sModel, filepath.Join(f.faceA, "frames", "000000.png"), "-o", o}
			}},
		{name: "img2speech eval",
			bad:     []string{"img2speech", "eval", "--model", f.i2sModel, "--data", f.data, "--resynth", "-1"},
			missing: []string{"img2speech", "eval", "--model", f.missing + ".safetensors", "--data", f.data},
			nan:     []string{"img2speech", "eval", "--model", f.i2sModel, "--data", f.nanData},
			nanWant: fmt.Sprintf("sample %d is NaN", nanAt)},
		{name: "demo", ext: "/",
			bad:   []string{"demo", "--quick", "--scenes", "3"},
			write: func(o string) []string { return []string{"demo", "--quick", "-o", o} }},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[strings.Fields(c.name)[0]] = true
	}
	for name := range commands {
		if !seen[name] {
			t.Errorf("command %q has no conformance case", name)
		}
	}

	// call runs args and checks the message of a failure.
	call := func(t *testing.T, args []string) (int, string, time.Duration) {
		t.Helper()
		var stdout, stderr strings.Builder
		start := time.Now()
		code := run(append(args, "-q"), &stdout, &stderr)
		took := time.Since(start)
		msg := stderr.String()
		if m := goIdent.FindString(msg); m != "" {
			t.Errorf("avl %s: message names the Go identifier %s:\n%s", strings.Join(args, " "), m, msg)
		}
		for _, p := range []string{": avl", ": separation:", ": soundnet:", ": fusion:", ": img2speech:", ": speech2face:", ": lipsync:", ": nets:", ": avio:", ": dsp:", ": spectrogram:", ": synth:", ": task:", ": eval:", "context canceled", ".tmp"} {
			if strings.Contains(msg, p) {
				t.Errorf("avl %s: stacked prefix or internal name %q in:\n%s", strings.Join(args, " "), p, msg)
			}
		}
		return code, stdout.String() + msg, took // dataset check reports problems on stdout
	}
	// noOutput checks that nothing was left at out or beside it.
	noOutput := func(t *testing.T, out string) {
		t.Helper()
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s was written by a failed command", out)
		}
		ents, _ := os.ReadDir(filepath.Dir(out))
		for _, e := range ents {
			if strings.Contains(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".avl-check") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	}
	outPath := func(t *testing.T, ext string) string {
		if ext == "/" {
			return filepath.Join(t.TempDir(), "out")
		}
		return filepath.Join(t.TempDir(), "out"+ext)
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code, msg, _ := call(t, c.bad); code != 2 {
				t.Errorf("bad flag value %v: exit %d, want 2\n%s", c.bad, code, msg)
			}
			if c.missing != nil {
				if code, msg, _ := call(t, c.missing); code != 1 || !strings.Contains(msg, "missing") {
					t.Errorf("missing input: exit %d, want 1 and a message naming the file\n%s", code, msg)
				}
			}
			if c.write != nil {
				outs := []string{
					filepath.Join(f.missing, "sub", "out"+strings.TrimSuffix(c.ext, "/")), // folder does not exist
					filepath.Join(f.notDir, "out"+strings.TrimSuffix(c.ext, "/")),         // "folder" is a file
				}
				if f.readOnly != "" { // root writes anywhere
					outs = append(outs, filepath.Join(f.readOnly, "out"+strings.TrimSuffix(c.ext, "/")))
				}
				for _, o := range outs {
					code, msg, took := call(t, c.write(o))
					if code != 1 || took > 5*time.Second || !strings.Contains(msg, "-o") {
						t.Errorf("unwritable -o %s: exit %d after %v, want 1 within 5 s naming -o\n%s", o, code, took, msg)
					}
					if _, err := os.Stat(f.missing); err == nil {
						t.Fatalf("a failed command created %s", f.missing)
					}
				}
				if c.ext != "" && c.ext != "/" {
					wrong := outPath(t, ".txt")
					if code, msg, _ := call(t, c.write(wrong)); code != 2 {
						t.Errorf("-o with extension .txt: exit %d, want 2\n%s", code, msg)
					}
				}
			}
			if c.nan != nil {
				if code, msg, _ := call(t, c.nan); code != 1 || !strings.Contains(msg, c.nanWant) {
					t.Errorf("NaN input: exit %d, want 1 and %q\n%s", code, c.nanWant, msg)
				}
			}
			if c.nanOut != nil {
				out := outPath(t, c.ext)
				if code, msg, _ := call(t, c.nanOut(out)); code != 1 || !strings.Contains(msg, c.nanWant) {
					t.Errorf("NaN input: exit %d, want 1 and %q\n%s", code, c.nanWant, msg)
				}
				noOutput(t, out)
			}
		})
	}
}

// TestNoOverwriteInput checks that an output naming an input is refused
// before the input is read, and the input kept.
func TestNoOverwriteInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	must(t, avio.WriteMonoWAV(in, make([]float64, 800), 8000, avio.PCM16))
	before, _ := os.ReadFile(in)
	if code := run([]string{"resample", in, "-o", in, "--rate", "16000"}, ioDiscard{}, ioDiscard{}); code != 2 {
		t.Errorf("resample -o IN: exit %d, want 2", code)
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Error("the input was changed")
	}
}

// TestInterrupt runs commands under a cancelled context, as Ctrl-C leaves
// it: they stop with status 130 and a plain "interrupted", training says
// what was kept, and no partial output stays behind.
func TestInterrupt(t *testing.T) {
	f := newCLIFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		out  string
		want string
	}{
		{[]string{"synth", "speakers", "-o", filepath.Join(dir, "corpus"), "--n", "3", "--size", "16"}, filepath.Join(dir, "corpus"), "avl synth: interrupted\n"},
		{[]string{"separation", "train", "--data", f.data, "-o", filepath.Join(dir, "sep.safetensors"), "--channels", "4", "--hidden", "4", "--fc", "8", "--segment", "0.4"},
			filepath.Join(dir, "sep.safetensors"), "avl separation train: interrupted; no checkpoint was written"},
		{[]string{"soundnet", "distill", "--data", f.data, "--teacher", "npy", "-o", filepath.Join(dir, "sn.safetensors"), "--width", "0.125", "--window", "9.5"},
			filepath.Join(dir, "sn.safetensors"), "avl soundnet distill: interrupted; no checkpoint was written"},
	} {
		var stderr strings.Builder
		code := runContext(ctx, append(c.args, "-q"), ioDiscard{}, &stderr)
		if code != 130 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("avl %v interrupted: exit %d, stderr %q; want 130 and %q", c.args[:2], code, stderr.String(), c.want)
		}
		if _, err := os.Stat(c.out); err == nil {
			t.Errorf("avl %v interrupted: %s was left behind", c.args[:2], c.out)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "version"} {
		var out strings.Builder
		if code := run([]string{arg}, &out, ioDiscard{}); code != 0 || !strings.HasPrefix(out.String(), "avl ") {
			t.Errorf("avl %s: exit %d, %q", arg, code, out.String())
		}
	}
}

// TestTrainErr checks what an interrupted training says it kept.
func TestTrainErr(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	start := time.Now().Add(-time.Second)
	if err := cli.TrainErr(context.Canceled, path, start); !strings.Contains(err.Error(), "no checkpoint was written") {
		t.Errorf("no file: %v", err)
	}
	must(t, nets.SaveSafetensors(path, []*nets.Param{nets.NewParam("w", 2)}, map[string]string{"epoch": "3"}))
	err := cli.TrainErr(context.Canceled, path, start)
	if want := "kept the best checkpoint so far in " + path + " (epoch 3)"; !strings.Contains(err.Error(), want) || !errors.Is(err, context.Canceled) {
		t.Errorf("checkpoint: %v, want %q", err, want)
	}
	if err := cli.TrainErr(context.Canceled, path, time.Now().Add(time.Hour)); !strings.Contains(err.Error(), "no checkpoint was written") {
		t.Errorf("older file: %v", err)
	}
	other := errors.New("disk full")
	if cli.TrainErr(other, path, start) != other {
		t.Error("another error was changed")
	}
}

// TestWarnings checks the warnings that do not stop a command: a truncated
// WAV file and more mel bands than FFT bins.
func TestWarnings(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	must(t, avio.WriteMonoWAV(in, make([]float64, 4000), 16000, avio.PCM16))
	b, err := os.ReadFile(in)
	must(t, err)
	cut := filepath.Join(dir, "cut.wav")
	must(t, os.WriteFile(cut, b[:len(b)-1000], 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"spectrogram", cut, "-o", filepath.Join(dir, "a.npy")}, "warning: " + cut + " is truncated"},
		{[]string{"resample", cut, "-o", filepath.Join(dir, "b.wav"), "--rate", "8000"}, "warning: " + cut + " is truncated"},
		{[]string{"spectrogram", in, "-o", filepath.Join(dir, "c.npy"), "--n-fft", "256", "--mel", "200"}, "warning: --mel 200 is more mel bands than the 129 FFT bins"},
	} {
		var stderr strings.Builder
		if code := run(append(c.args, "-q"), ioDiscard{}, &stderr); code != 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("avl %v: exit %d, stderr %q; want 0 and %q", c.args[:1], code, stderr.String(), c.want)
		}
	}
}
