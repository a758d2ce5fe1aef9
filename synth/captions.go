package synth

import (
	"context"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Caption vocabulary: every picture is described with these words.
var (
	CaptionColours   = []string{"red", "green", "blue", "yellow", "purple"}
	CaptionShapes    = []string{"circle", "square", "triangle", "star"}
	CaptionPositions = []string{"left", "right", "top", "bottom", "centre"}
)

// Words maps every caption word to the fixed syllables that say it, so the
// spoken units of a word are the same in every clip and every voice.
var Words = map[string][]string{
	"red": {"le", "da"}, "green": {"ki", "ni"}, "blue": {"bu", "lu"}, "yellow": {"lo", "fe"}, "purple": {"pu", "po"},
	"circle": {"si", "ku", "lo"}, "square": {"su", "ke"}, "triangle": {"ta", "ni", "ka"}, "star": {"sa", "ta"},
	"left": {"le", "fu"}, "right": {"la", "ti"}, "top": {"to", "pa"}, "bottom": {"bo", "ta", "mu"}, "centre": {"se", "ne", "te"},
	"and": {"a", "ne"},
}

var captionRGB = map[string]RGB{
	"red": {0.85, 0.15, 0.15}, "green": {0.15, 0.7, 0.2}, "blue": {0.15, 0.3, 0.9},
	"yellow": {0.95, 0.85, 0.1}, "purple": {0.6, 0.2, 0.7},
}

var captionPos = map[string][2]float64{
	"left": {0.2, 0.5}, "right": {0.8, 0.5}, "top": {0.5, 0.2}, "bottom": {0.5, 0.8}, "centre": {0.5, 0.5},
}

// CaptionItem is one shape of a caption picture.
type CaptionItem struct{ Colour, Shape, Position string }

// CaptionText is the caption of items: "red circle left and blue square right".
func CaptionText(items []CaptionItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Colour + " " + it.Shape + " " + it.Position
	}
	return strings.Join(parts, " and ")
}

// CaptionTokens turns caption text into syllable tokens for Speak: each
// word's syllables at the voice's rate, with a short pause after each word.
// Unknown words are an error.
func CaptionTokens(r *rand.Rand, v Voice, text string) ([]Token, error) {
	var toks []Token
	for _, w := range strings.Fields(text) {
		syl, ok := Words[w]
		if !ok {
			return nil, fmt.Errorf("synth: caption word %q is not in the vocabulary", w)
		}
		for k, s := range syl {
			// words are stressed on their first syllable
			toks = append(toks, Token{Syl: s, Dur: uniform(r, 0.9, 1.1) / v.Rate, Weak: k > 0})
		}
		toks = append(toks, Token{Dur: uniform(r, 0.04, 0.1)})
	}
	return toks, nil
}

// RenderCaption draws items on a size×size picture with a light
// background. Colours, shapes and positions must come from the caption
// vocabulary.
func RenderCaption(r *rand.Rand, items []CaptionItem, size int) (*image.RGBA, error) {
	if size < 1 {
		return nil, fmt.Errorf("synth: caption picture size %d, want >= 1", size)
	}
	for _, it := range items {
		if !slices.Contains(CaptionColours, it.Colour) || !slices.Contains(CaptionShapes, it.Shape) || !slices.Contains(CaptionPositions, it.Position) {
			return nil, fmt.Errorf("synth: caption item %+v is not in the vocabulary", it)
		}
	}
	bg := RGB{uniform(r, 0.8, 0.95), uniform(r, 0.8, 0.95), uniform(r, 0.8, 0.95)}
	cv := newCanvas(size, size, bg)
	cv.setTransform(0, 0, float64(size), 0)
	for _, it := range items {
		p := captionPos[it.Position]
		x, y := p[0]+0.04*r.NormFloat64(), p[1]+0.04*r.NormFloat64()
		sz := uniform(r, 0.1, 0.14)
		col := jitterRGB(r, captionRGB[it.Colour], 0.05)
		op := objProto{col: col}
		switch it.Shape {
		case "circle":
			op.shape = 3
		case "square":
			op.shape = 1
			sz *= 0.85
		case "triangle":
			op.shape = 0
		case "star":
			op.shape = 6
			sz *= 1.1
		}
		drawObject(cv, op, x, y, sz, 0.15*r.NormFloat64())
	}
	return cv.image(), nil
}

// CaptionsOptions configures Captions.
type CaptionsOptions struct {
	N        int   // number of clips (required)
	Seed     int64 // corpus seed
	Speakers int   // number of voices; 0 means 4
	MaxItems int   // shapes per picture are 1…MaxItems; 0 means 3 (at most 5)
	// Ordered names a picture's items in the order of CaptionPositions
	// (left, right, top, bottom, centre) instead of a random one.
	Ordered  bool
	FPS      float64 // frame rate of the (still) frames; 0 means 2
	Size     int     // picture size in pixels; 0 means 64
	Workers  int     // parallel goroutines; 0 means GOMAXPROCS
	Progress Progress
	// Context, if not nil, stops the generation when it is cancelled,
	// with its error; the clips written so far stay.
	Context  context.Context
	ValFrac  float64 // fraction of clips in val; 0 means 0.1
	TestFrac float64 // fraction of clips in test; 0 means 0.1
}

func (o *CaptionsOptions) defaults() error {
	if o.Speakers == 0 {
		o.Speakers = 4
	}
	if o.MaxItems == 0 {
		o.MaxItems = 3
	}
	if o.FPS == 0 {
		o.FPS = 2
	}
	if o.Size == 0 {
		o.Size = 64
	}
	if o.ValFrac == 0 {
		o.ValFrac = 0.1
	}
	if o.TestFrac == 0 {
		o.TestFrac = 0.1
	}
	switch {
	case o.Speakers < 1:
		return fmt.Errorf("synth: captions: number of voices must be >= 1, got %d", o.Speakers)
	case o.MaxItems < 1 || o.MaxItems > len(CaptionPositions):
		return fmt.Errorf("synth: captions: items per picture must be 1–%d, got %d", len(CaptionPositions), o.MaxItems)
	}
	return checkFramesAndSplits("captions", o.FPS, 60, o.Size, o.ValFrac, o.TestFrac)
}

// Captions writes a spoken-caption corpus to dir: each clip is a still
// picture of 1–MaxItems coloured shapes (repeated at o.FPS for the clip's
// length) and one of o.Speakers voices saying its caption, at SpeechRate.
// Labels: "caption" (the text), "speaker", "syllables" (what was said),
// "phones" (each phone's and pause's times, FormatPhones).
func Captions(dir string, o CaptionsOptions) error {
	if err := (common{N: o.N, Workers: o.Workers}).check("captions"); err != nil {
		return err
	}
	if err := o.defaults(); err != nil {
		return err
	}
	sps, _ := SpeakerSet(o.Seed, o.Speakers, 0, 0)
	gen := func(i int) (*clip, error) {
		r := rngFor(o.Seed, "captions-clip", i)
		sp := sps[r.IntN(len(sps))]
		k := 1 + r.IntN(o.MaxItems)
		pos := r.Perm(len(CaptionPositions))[:k]
		items := make([]CaptionItem, k)
		for j := range items {
			items[j] = CaptionItem{
				Colour:   CaptionColours[r.IntN(len(CaptionColours))],
				Shape:    CaptionShapes[r.IntN(len(CaptionShapes))],
				Position: CaptionPositions[pos[j]],
			}
		}
		if o.Ordered {
			slices.SortFunc(items, func(a, b CaptionItem) int {
				return slices.Index(CaptionPositions, a.Position) - slices.Index(CaptionPositions, b.Position)
			})
		}
		text := CaptionText(items)
		toks, err := CaptionTokens(r, sp.Voice, text)
		if err != nil {
			return nil, err
		}
		// silence around the words, then pad so the audio ends with the last frame
		lead := uniform(r, 0.1, 0.25)
		toks = append([]Token{{Dur: lead}}, toks...)
		total := 0.0
		for _, t := range toks {
			total += t.Dur
		}
		nframes := int(math.Ceil((total + 0.1) * o.FPS))
		toks = append(toks, Token{Dur: float64(nframes)/o.FPS - total})
		u, err := Speak(sp.Voice, toks, r)
		if err != nil {
			return nil, err
		}
		img, err := RenderCaption(r, items, o.Size)
		if err != nil {
			return nil, err
		}
		return &clip{
			name:    fmt.Sprintf("%06d", i),
			audio:   u.Audio,
			rate:    SpeechRate,
			nframes: nframes,
			frame:   func(int) image.Image { return img },
			fps:     o.FPS,
			split:   splitOf(o.Seed, i, o.ValFrac, o.TestFrac),
			labels:  map[string]string{"caption": text, "speaker": sp.ID, "syllables": u.Text, "phones": FormatPhones(u.Phones)},
		}, nil
	}
	sample := func(c *clip) image.Image { return c.frame(0) }
	return generate(dir, common{N: o.N, Seed: o.Seed, Workers: o.Workers, Progress: o.Progress, Context: o.Context}, gen, sample)
}
