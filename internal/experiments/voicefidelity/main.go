// Command voicefidelity writes the fidelity report of synth's voices: a
// spectrogram sheet (synth speech beside the bundled testdata/speech.wav
// and, if given, a clip of another synthesiser's corpus) and a Markdown
// table of statistics measured with internal/speechstats next to
// published values for human speech.
//
//	go run ./internal/experiments/voicefidelity -out docs/voices [-other DIR] [-n 60] [-seed 7]
//
// DIR is a clip corpus such as one made by testdata/otherspeech/make.sh.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/internal/speechstats"
	"github.com/avlearn/avlearn/spectrogram"
	"github.com/avlearn/avlearn/synth"
)

const rate = synth.SpeechRate

// Peterson & Barney (1952), mean F1 and F2 in Hz of men and women, for the
// vowels nearest synth's a (ɑ), e (ɛ), i, o (ɔ), u.
var pb = map[string][2][2]float64{
	"a": {{730, 1090}, {850, 1220}},
	"e": {{530, 1840}, {610, 2330}},
	"i": {{270, 2290}, {310, 2790}},
	"o": {{570, 840}, {590, 920}},
	"u": {{300, 870}, {370, 950}},
}

// corpusStats are the statistics of one set of clips.
type corpusStats struct {
	name             string
	f0Men, f0Women   []float64 // per speaker (synth) or per clip
	f0Children       []float64
	rates, slopes    []float64
	modC, modP       []float64
	clips            int
	sexKnown, hasMod bool
}

func (c *corpusStats) add(x []float64, female, sexKnown, child bool) {
	f0 := speechstats.Median(speechstats.F0Track(x, rate))
	if child && f0 > 0 {
		c.f0Children = append(c.f0Children, f0)
	} else if sexKnown && f0 > 0 {
		if female {
			c.f0Women = append(c.f0Women, f0)
		} else {
			c.f0Men = append(c.f0Men, f0)
		}
		c.sexKnown = true
	}
	c.rates = append(c.rates, speechstats.SpeakingRate(x, rate))
	c.slopes = append(c.slopes, speechstats.LTASSlope(x, rate, 500, 4000))
	cen, p := speechstats.ModulationBands(x, rate)
	if p != nil {
		if c.modP == nil {
			c.modC, c.modP = cen, make([]float64, len(p))
		}
		for i := range p {
			c.modP[i] += p[i]
		}
		c.hasMod = true
	}
	c.clips++
}

func main() {
	out := flag.String("out", "docs/voices", "output folder")
	other := flag.String("other", "", "clip corpus of another speech source (optional)")
	n := flag.Int("n", 60, "synth speakers")
	seed := flag.Int64("seed", 7, "synth seed")
	flag.Parse()
	if err := run(*out, *other, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "voicefidelity:", err)
		os.Exit(1)
	}
}

func run(out, other string, n int, seed int64) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	ref, _, err := avio.ReadWAV("testdata/speech.wav")
	if err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	refX := ref.Mono()
	sps, _ := synth.SpeakerSet(seed, n, 0, 0)

	// running speech, 4 s per speaker
	syn := &corpusStats{name: fmt.Sprintf("synth (%d speakers × 4 s)", n)}
	var male, female []float64
	for i, sp := range sps {
		r := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
		u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, 4), r)
		if err != nil {
			return err
		}
		syn.add(u.Audio, sp.SexLike < 0.5, true, sp.Age < 18)
		if sp.Age < 18 {
			continue
		}
		if sp.SexLike < 0.5 && female == nil {
			female = u.Audio
		} else if sp.SexLike >= 0.5 && male == nil {
			male = u.Audio
		}
	}
	refStats := &corpusStats{name: "testdata/speech.wav"}
	refStats.add(refX, false, true, false)

	var oth *corpusStats
	var othX []float64
	if other != "" {
		oth = &corpusStats{name: "other: " + filepath.Base(other)}
		ds, err := avio.Open(other)
		if err != nil {
			return err
		}
		for _, cl := range ds.Clips {
			a, err := cl.Audio(rate)
			if err != nil {
				return err
			}
			sex := cl.Meta.Labels["sex"]
			oth.add(a, sex == "f", sex != "", false)
			if othX == nil {
				othX = a
			}
		}
	}

	// vowels: "h" + vowel, measured 40 ms around the vowel's middle
	type acc struct{ f1, f2, n float64 }
	vow := map[string]*[2]acc{}
	for _, v := range synth.Vowels {
		vow[v] = &[2]acc{}
		for i, sp := range sps {
			r := rand.New(rand.NewPCG(uint64(seed)+1, uint64(i)))
			toks := []synth.Token{{Dur: 0.15}, {Syl: "h" + v, Dur: 0.35}, {Dur: 0.15}}
			u, err := synth.Speak(sp.Voice, toks, r)
			if err != nil {
				return err
			}
			mid := int(0.37 * rate)
			f, ok := speechstats.Formants(u.Audio[mid-rate/50:mid+rate/50], rate)
			if !ok {
				continue
			}
			if sp.Age < 18 {
				continue
			}
			k := 0
			if sp.SexLike < 0.5 {
				k = 1
			}
			vow[v][k].f1 += f[0]
			vow[v][k].f2 += f[1]
			vow[v][k].n++
		}
	}

	// the sheet
	panels := []struct {
		title string
		x     []float64
	}{{"testdata/speech.wav (espeak-ng, en-us)", refX}, {"synth, male-like speaker", male}, {"synth, female-like speaker", female}}
	if othX != nil {
		panels = append(panels, struct {
			title string
			x     []float64
		}{"other source: " + filepath.Base(other) + ", first clip", othX})
	}
	var imgs []image.Image
	for _, p := range panels {
		x := p.x
		if len(x) > 3*rate {
			x = x[:3*rate]
		}
		c := spectrogram.DefaultConfig(rate)
		c.DB = true
		s, err := spectrogram.Compute(x, c)
		if err != nil {
			return err
		}
		img, err := s.Image(spectrogram.RenderOptions{Axes: true, Title: p.title, Range: 70, Width: 220 * len(x) / rate, Height: 128})
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
	}
	if err := writeSheet(filepath.Join(out, "fidelity.png"), imgs); err != nil {
		return err
	}

	// the table
	var b strings.Builder
	cols := []*corpusStats{syn, refStats}
	if oth != nil {
		cols = append(cols, oth)
	}
	fmt.Fprintf(&b, "<!-- written by go run ./internal/experiments/voicefidelity -out %s -n %d -seed %d", out, n, seed)
	if other != "" {
		fmt.Fprintf(&b, " -other %s", other)
	}
	fmt.Fprintf(&b, " -->\n\n# How human do synth's voices sound?\n\n")
	fmt.Fprintf(&b, "![spectrograms](fidelity.png)\n\n")
	fmt.Fprintf(&b, "Spectrograms (25 ms Hamming, 10 ms hop, 70 dB range) of synth speech beside testdata/speech.wav. ")
	fmt.Fprintf(&b, "Note that speech.wav is itself espeak-ng output, not a recording: no recorded speech is bundled, so the human column below is the published literature. ")
	fmt.Fprintf(&b, "Statistics are measured from the audio with internal/speechstats (autocorrelation F0, syllable nuclei of the 0.3–2.5 kHz level, ")
	fmt.Fprintf(&b, "LTAS regression on log frequency, half-octave modulation bands of the 0.1–4 kHz envelope, LPC formants); F0 for synth is one median per speaker, for the other corpus one per clip.\n\n")
	fmt.Fprintf(&b, "| statistic |")
	for _, c := range cols {
		fmt.Fprintf(&b, " %s |", c.name)
	}
	fmt.Fprintf(&b, " human speech (published) |\n|---|")
	for range cols {
		fmt.Fprintf(&b, "---|")
	}
	fmt.Fprintf(&b, "---|\n")
	row := func(name string, f func(c *corpusStats) string, human string) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, c := range cols {
			fmt.Fprintf(&b, " %s |", f(c))
		}
		fmt.Fprintf(&b, " %s |\n", human)
	}
	row("F0 men, Hz: mean (5–95 %)", func(c *corpusStats) string { return dist(c.f0Men) }, "≈ 85–180 (mean ≈ 120)")
	row("F0 women, Hz: mean (5–95 %)", func(c *corpusStats) string { return dist(c.f0Women) }, "≈ 165–255 (mean ≈ 210)")
	row("F0 children (6–12), Hz: mean (5–95 %)", func(c *corpusStats) string { return dist(c.f0Children) }, "≈ 230–300")
	row("speaking rate, syllable nuclei/s: median (5–95 %)", func(c *corpusStats) string { return dist(c.rates) }, "≈ 3–6 with pauses; articulation ≈ 4–6")
	row("LTAS slope 0.5–4 kHz, dB/octave: mean (5–95 %)", func(c *corpusStats) string { return dist(c.slopes) }, "≈ −8 (the long-term speech spectrum falls ≈ 5 dB/octave in ⅓-octave bands, Byrne et al. 1994; ≈ −8 per Hz)")
	row("modulation spectrum peak (½-octave band of the mean spectrum), Hz", func(c *corpusStats) string {
		if !c.hasMod {
			return "–"
		}
		return fmt.Sprintf("%.1f", speechstats.Peak(c.modC, c.modP))
	}, "≈ 4–5 (Ding et al. 2017); 2–8")
	fmt.Fprintf(&b, "\nVowel formants of synth (\"h\" + vowel, LPC at the vowel's middle, mean over adult speakers) beside Peterson & Barney (1952):\n\n")
	fmt.Fprintf(&b, "| vowel | synth men F1/F2 | P&B men F1/F2 | synth women F1/F2 | P&B women F1/F2 |\n|---|---|---|---|---|\n")
	for _, v := range synth.Vowels {
		a := vow[v]
		ms := func(x acc) string {
			if x.n == 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f / %.0f", x.f1/x.n, x.f2/x.n)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f / %.0f | %s | %.0f / %.0f |\n", v, ms(a[0]), pb[v][0][0], pb[v][0][1], ms(a[1]), pb[v][1][0], pb[v][1][1])
	}
	return os.WriteFile(filepath.Join(out, "fidelity.md"), []byte(b.String()), 0o644)
}

// dist formats the mean and the 5th–95th percentiles of v.
func dist(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := 0.0
	for _, x := range s {
		m += x / float64(len(s))
	}
	if len(s) == 1 {
		return fmt.Sprintf("%.1f", m)
	}
	p := func(q float64) float64 { return s[int(math.Round(q*float64(len(s)-1)))] }
	return fmt.Sprintf("%.1f (%.1f–%.1f)", m, p(0.05), p(0.95))
}

// writeSheet stacks images vertically on white.
func writeSheet(path string, imgs []image.Image) error {
	w, h := 0, 0
	for _, im := range imgs {
		w = max(w, im.Bounds().Dx())
		h += im.Bounds().Dy()
	}
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	y := 0
	for _, im := range imgs {
		draw.Draw(sheet, image.Rect(0, y, im.Bounds().Dx(), y+im.Bounds().Dy()), im, im.Bounds().Min, draw.Src)
		y += im.Bounds().Dy()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, sheet); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
