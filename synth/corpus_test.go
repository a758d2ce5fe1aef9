package synth

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/avlearn/avlearn/avio"
)

// hashDir hashes every file under dir (relative path and bytes).
func hashDir(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// small corpora used by several tests
func genSmall(t *testing.T, kind string, seed int64, workers int) string {
	t.Helper()
	dir := t.TempDir()
	var err error
	switch kind {
	case "speakers":
		err = Speakers(dir, SpeakersOptions{N: 7, Seed: seed, Speakers: 7, Duration: 0.8, Size: 32, Workers: workers})
	case "scenes":
		err = Scenes(dir, ScenesOptions{N: 6, Seed: seed, Duration: 1, FPS: 3, Size: 32, Workers: workers})
	case "captions":
		err = Captions(dir, CaptionsOptions{N: 6, Seed: seed, Speakers: 2, Size: 32, Workers: workers})
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDeterministic(t *testing.T) {
	for _, kind := range []string{"speakers", "scenes", "captions"} {
		t.Run(kind, func(t *testing.T) {
			a := hashDir(t, genSmall(t, kind, 5, 1))
			b := hashDir(t, genSmall(t, kind, 5, 3)) // other worker count, same bytes
			c := hashDir(t, genSmall(t, kind, 6, 2))
			if a != b {
				t.Errorf("seed 5 gave different bytes with 1 and 3 workers")
			}
			if a == c {
				t.Errorf("seeds 5 and 6 gave identical corpora")
			}
		})
	}
}

// TestClipFormat checks what DESIGN.md promises about clip folders.
func TestClipFormat(t *testing.T) {
	wantRate := map[string]int{"speakers": SpeechRate, "scenes": SceneRate, "captions": SpeechRate}
	wantLabels := map[string][]string{
		"speakers": {"speaker", "sex_like", "face_height", "f0_hz", "formant_scale", "caption"},
		"scenes":   {"scene", "object", "caption", "visible"},
		"captions": {"caption", "speaker", "syllables", "phones"},
	}
	for _, kind := range []string{"speakers", "scenes", "captions"} {
		t.Run(kind, func(t *testing.T) {
			dir := genSmall(t, kind, 1, 0)
			if _, err := os.Stat(filepath.Join(dir, "contact.png")); err != nil {
				t.Errorf("no contact sheet: %v", err)
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.HasPrefix(e.Name(), ".") {
					t.Errorf("temporary %s left behind", e.Name())
				}
			}
			rep, err := avio.Check(dir, avio.CheckOptions{Decode: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) > 0 || rep.Clips == 0 {
				t.Errorf("avio.Check: %d clips, problems %v", rep.Clips, rep.Problems)
			}
			clips := readCorpus(t, dir)
			if len(clips) != 6 && len(clips) != 7 {
				t.Fatalf("%d clips", len(clips))
			}
			for _, c := range clips {
				m := c.meta
				if m.FPS <= 0 {
					t.Errorf("%s: fps %g", c.dir, m.FPS)
				}
				if m.Split != "train" && m.Split != "val" && m.Split != "test" {
					t.Errorf("%s: split %q", c.dir, m.Split)
				}
				for _, k := range wantLabels[kind] {
					if m.Labels[k] == "" {
						t.Errorf("%s: label %q missing", c.dir, k)
					}
				}
				if c.rate != wantRate[kind] {
					t.Errorf("%s: rate %d, want %d", c.dir, c.rate, wantRate[kind])
				}
				if len(c.frames) == 0 {
					t.Fatalf("%s: no frames", c.dir)
				}
				// audio lasts as long as the frames show, within one frame
				da := float64(len(c.audio)) / float64(c.rate)
				dv := float64(len(c.frames)) / m.FPS
				if math.Abs(da-dv) > 1/m.FPS {
					t.Errorf("%s: audio %.3f s, frames %.3f s", c.dir, da, dv)
				}
				if r := rms(c.audio); !(r > 0.005 && r < 0.5) {
					t.Errorf("%s: audio RMS %g", c.dir, r)
				}
			}
		})
	}
}

func TestSpeakerSplitsByIdentity(t *testing.T) {
	dir := t.TempDir()
	if err := Speakers(dir, SpeakersOptions{N: 40, Seed: 9, Speakers: 20, Duration: 0.4, Size: 16, FPS: 5}); err != nil {
		t.Fatal(err)
	}
	clips := readCorpus(t, dir)
	splitOfSpk := map[string]string{}
	count := map[string]int{}
	for _, c := range clips {
		s, sp := c.meta.Split, c.meta.Labels["speaker"]
		if prev, ok := splitOfSpk[sp]; ok && prev != s {
			t.Errorf("speaker %s is in %s and %s", sp, prev, s)
		}
		splitOfSpk[sp] = s
		count[s]++
	}
	if len(splitOfSpk) != 20 {
		t.Errorf("%d speakers, want 20", len(splitOfSpk))
	}
	ids := map[string]int{}
	for _, s := range splitOfSpk {
		ids[s]++
	}
	// 70/15/15 of 20 identities
	if ids["train"] != 14 || ids["val"] != 3 || ids["test"] != 3 {
		t.Errorf("identities per split %v, want train 14, val 3, test 3", ids)
	}
}

// TestSceneAmbience: the ambience differs by class (a nearest-class-mean
// classifier on coarse band energies beats chance by far) but overlaps
// (it is not perfect), and object sounds play while the object is visible.
func TestSceneAmbience(t *testing.T) {
	dir := t.TempDir()
	const n = 72
	if err := Scenes(dir, ScenesOptions{N: n, Seed: 4, Duration: 2.5, FPS: 8, Size: 16}); err != nil {
		t.Fatal(err)
	}
	clips := readCorpus(t, dir)
	edges := []float64{0, 100, 200, 400, 800, 1600, 3200, 6400, 11025}
	feat := make([][]float64, len(clips))
	class := make([]string, len(clips))
	louder := 0
	for i, c := range clips {
		feat[i] = bandFeatures(c.audio, c.rate, edges)
		class[i] = c.meta.Labels["scene"]
		// events: frames with the object on screen carry more sound energy
		vis := c.meta.Labels["visible"]
		var on, off []float64
		for k := range c.frames {
			// the sound around the instant frame k shows
			s0 := max(0, int((float64(k)-0.5)/c.meta.FPS*float64(c.rate)))
			s1 := min(len(c.audio), int((float64(k)+0.5)/c.meta.FPS*float64(c.rate)))
			if vis[k] == '1' {
				on = append(on, rms(c.audio[s0:s1]))
			} else {
				off = append(off, rms(c.audio[s0:s1]))
			}
		}
		if len(on) > 0 && len(off) > 0 && mean(on) > mean(off) {
			louder++
		} else if len(off) == 0 {
			louder++
		}
	}
	// leave-one-out nearest class mean
	correct := 0
	for i := range clips {
		means := map[string][]float64{}
		cnt := map[string]int{}
		for j := range clips {
			if j == i {
				continue
			}
			m := means[class[j]]
			if m == nil {
				m = make([]float64, len(feat[j]))
			}
			for d, v := range feat[j] {
				m[d] += v
			}
			means[class[j]] = m
			cnt[class[j]]++
		}
		best, bestD := "", math.Inf(1)
		for cl, m := range means {
			d := 0.0
			for k, v := range m {
				d += (v/float64(cnt[cl]) - feat[i][k]) * (v/float64(cnt[cl]) - feat[i][k])
			}
			if d < bestD {
				best, bestD = cl, d
			}
		}
		if best == class[i] {
			correct++
		}
	}
	acc := float64(correct) / float64(len(clips))
	t.Logf("scene from band energies, nearest class mean (leave one out): %.3f (chance %.3f)", acc, 1/6.0)
	t.Logf("clips whose visible frames are louder: %d/%d", louder, len(clips))
	if acc < 0.3 || acc > 0.95 {
		t.Errorf("accuracy %.3f: want clearly above chance but below 0.95", acc)
	}
	if float64(louder) < 0.75*float64(len(clips)) {
		t.Errorf("only %d/%d clips are louder while the object is visible", louder, len(clips))
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// bandFeatures returns log energies in the given bands, relative to the
// total (a spectral shape that ignores the level).
func bandFeatures(x []float64, rate int, edges []float64) []float64 {
	const n = 1024
	p := make([]float64, len(edges)-1)
	pow, frames := longTermPower(x, n, n)
	for t := 0; t < frames; t++ {
		for k := 0; k <= n/2; k++ {
			f := float64(k) * float64(rate) / n
			for b := range p {
				if f >= edges[b] && f < edges[b+1] {
					p[b] += pow[t*(n/2+1)+k]
				}
			}
		}
	}
	tot := 0.0
	for _, v := range p {
		tot += v
	}
	for b := range p {
		p[b] = math.Log10(p[b]/tot + 1e-9)
	}
	return p
}

func TestCaptionsSpeakTheirWords(t *testing.T) {
	dir := genSmall(t, "captions", 2, 0)
	for _, c := range readCorpus(t, dir) {
		words := strings.Fields(c.meta.Labels["caption"])
		var want []string
		for _, w := range words {
			want = append(want, strings.Join(Words[w], "-"))
		}
		if got := c.meta.Labels["syllables"]; got != strings.Join(want, " ") {
			t.Errorf("%s: said %q for caption %q", c.dir, got, c.meta.Labels["caption"])
		}
		spans, err := ParsePhones(c.meta.Labels["phones"])
		if err != nil {
			t.Fatalf("%s: %v", c.dir, err)
		}
		var said strings.Builder
		end := 0.0
		for _, sp := range spans {
			if math.Abs(sp.Start-end) > 1e-6 || sp.End <= sp.Start {
				t.Errorf("%s: phone %+v does not follow on from %.3f s", c.dir, sp, end)
			}
			end = sp.End
			if sp.Phone != Silence {
				said.WriteString(sp.Phone)
			}
		}
		if dur := float64(len(c.audio)) / float64(c.rate); math.Abs(end-dur) > TrackStep {
			t.Errorf("%s: phones end at %.3f s, audio at %.3f s", c.dir, end, dur)
		}
		if want := strings.NewReplacer("-", "", " ", "").Replace(c.meta.Labels["syllables"]); said.String() != want {
			t.Errorf("%s: phones say %q, syllables %q", c.dir, said.String(), want)
		}
		items := (len(words) + 1) / 4
		if items < 1 || items > 3 || len(words) != 4*items-1 {
			t.Errorf("%s: caption %q is not 1–3 items", c.dir, c.meta.Labels["caption"])
		}
	}
}

// TestCaptionsOrdered checks that Ordered names the items in the order of
// CaptionPositions and changes nothing else of what is said.
func TestCaptionsOrdered(t *testing.T) {
	root := t.TempDir()
	var caps [2][]string
	for k, ordered := range []bool{false, true} {
		dir := filepath.Join(root, fmt.Sprint(k))
		if err := Captions(dir, CaptionsOptions{N: 12, Seed: 3, Size: 16, Workers: 1, Ordered: ordered}); err != nil {
			t.Fatal(err)
		}
		for _, c := range readCorpus(t, dir) {
			caps[k] = append(caps[k], c.meta.Labels["caption"])
		}
	}
	reordered := 0
	for i, c := range caps[1] {
		items := strings.Split(c, " and ")
		last := -1
		for _, it := range items {
			p := slices.Index(CaptionPositions, strings.Fields(it)[2])
			if p <= last {
				t.Errorf("caption %q: items not in position order", c)
			}
			last = p
		}
		random := strings.Split(caps[0][i], " and ")
		slices.Sort(random)
		slices.Sort(items)
		if !slices.Equal(items, random) {
			t.Errorf("clip %d: ordered caption %q, random %q: not the same items", i, c, caps[0][i])
		}
		if c != caps[0][i] {
			reordered++
		}
	}
	if reordered == 0 {
		t.Error("no caption was reordered")
	}
}

func TestOptionErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"n", Speakers(dir, SpeakersOptions{N: 0}), "at least 1"},
		{"fps", Speakers(dir, SpeakersOptions{N: 1, FPS: -1}), "fps"},
		{"scenes", Scenes(dir, ScenesOptions{N: 1, Scenes: 99}), "scene classes"},
		{"dur", Scenes(dir, ScenesOptions{N: 1, Duration: 1000}), "duration"},
		{"items", Captions(dir, CaptionsOptions{N: 1, MaxItems: 9}), "items"},
		{"split", Captions(dir, CaptionsOptions{N: 1, ValFrac: 0.6, TestFrac: 0.6}), "fractions"},
		{"nan", Speakers(dir, SpeakersOptions{N: 1, ValFrac: math.NaN()}), "fractions"},
	}
	// a second corpus never goes into a used folder
	full := genSmall(t, "scenes", 1, 0)
	cases = append(cases, struct {
		name string
		err  error
		want string
	}{"not empty", Scenes(full, ScenesOptions{N: 1}), "not empty"})
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, c.err, c.want)
		}
	}
}

func TestSpeakErrorsAndLength(t *testing.T) {
	v := Voice{F0: 120, FormantScale: 1, Breathiness: 0.2, Jitter: 0.01, Shimmer: 0.03, Rate: 4}
	r := rngFor(1, "t", 0)
	u, err := Speak(v, []Token{{Dur: 0.1}, {Syl: "ba", Dur: 0.2}, {Syl: "o", Dur: 0.25}, {Dur: 0.05}}, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := int(math.Round(0.6 * SpeechRate)); len(u.Audio) != want {
		t.Errorf("%d samples, want %d", len(u.Audio), want)
	}
	if u.Text != "ba-o" {
		t.Errorf("text %q", u.Text)
	}
	// a bilabial closes the mouth; "a"/"o" open it
	if a := u.MouthAt(0.12, 0.135); a.Open > 0.2 {
		t.Errorf("mouth open %.2f during the b closure", a.Open)
	}
	if a := u.MouthAt(0.45, 0.5); a.Open < 0.4 || a.Round < 0.5 {
		t.Errorf("articulation %+v during o, want open and rounded", a)
	}
	for _, bad := range [][]Token{{{Syl: "xa", Dur: 0.2}}, {{Syl: "bz", Dur: 0.2}}, {{Syl: "baa", Dur: 0.2}}, {{Syl: "bast", Dur: 0.2}}, {{Syl: "ba", Dur: -1}}} {
		if _, err := Speak(v, bad, r); err == nil {
			t.Errorf("Speak(%v) gave no error", bad)
		}
	}
	if _, err := Speak(Voice{F0: 5, FormantScale: 1, Rate: 4}, nil, r); err == nil {
		t.Error("F0 5 Hz accepted")
	}
	if _, err := Speak(v, nil, r); err == nil {
		t.Error("empty token list accepted")
	}
	if _, err := RenderCaption(r, []CaptionItem{{"red", "left", "circle"}}, 32); err == nil {
		t.Error("caption item with swapped fields accepted")
	}
	if toks := RandomSyllables(r, Voice{Rate: -1}, 1); len(toks) != 1 {
		t.Errorf("negative rate: %v", toks)
	}
}

// TestFaceMouth: the dark mouth opening grows with Mouth.Open and narrows
// with Mouth.Round, and a closed mouth shows none.
func TestFaceMouth(t *testing.T) {
	sp := NewSpeaker(rngFor(1, "face", 0), "s")
	dark := func(a Articulation) (area, width float64) {
		p := Neutral()
		p.Mouth = a
		img := sp.Face.Render(96, p)
		minx, maxx := 96, -1
		for y := 50; y < 85; y++ {
			for x := 25; x < 71; x++ {
				if luma(img, x, y) < 0.12 {
					area++
					minx, maxx = min(minx, x), max(maxx, x)
				}
			}
		}
		return area, float64(maxx - minx + 1)
	}
	if a, _ := dark(Articulation{0, 0}); a != 0 {
		t.Errorf("closed mouth shows %v dark pixels", a)
	}
	prev := 0.0
	for _, o := range []float64{0.2, 0.5, 0.8, 1} {
		a, _ := dark(Articulation{o, 0})
		if a <= prev {
			t.Errorf("open %.1f: dark area %v, not above %v", o, a, prev)
		}
		prev = a
	}
	_, spread := dark(Articulation{0.7, -1})
	_, round := dark(Articulation{0.7, 1})
	if round >= spread {
		t.Errorf("rounded mouth %v px wide, spread %v px", round, spread)
	}
}

func TestWrapText(t *testing.T) {
	for _, c := range []struct {
		s     string
		width int
		max   int
		want  string
	}{
		{"red circle bottom", 9, 3, "red|circle|bottom"},
		{"red circle bottom", 10, 3, "red circle|bottom"},
		{"beach/car", 9, 3, "beach/car"},
		{"a long caption that does not fit", 8, 2, "a long|captio.."},
		{"abcdefghijkl", 5, 3, "abcde|fghij|kl"},
		{"", 5, 3, ""},
	} {
		if got := strings.Join(wrapText(c.s, c.width, c.max), "|"); got != c.want {
			t.Errorf("wrapText(%q, %d, %d) = %q, want %q", c.s, c.width, c.max, got, c.want)
		}
	}
}
