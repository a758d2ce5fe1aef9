package img2speech

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"slices"
	"strings"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/nets"
	"github.com/avlearn/avlearn/spectrogram"
	"github.com/avlearn/avlearn/synth"
	"github.com/avlearn/avlearn/task"
)

// RecogniserKind names recogniser files (nets.SaveModel).
const RecogniserKind = "img2speech-recogniser"

// RecogniserConfig holds the sizes of a Recogniser; it is saved beside the
// weights.
type RecogniserConfig struct {
	Rate        int     `json:"rate"`         // sample rate the audio is read at (16000)
	NMels       int     `json:"n_mels"`       // log-mel bands of the front-end (40)
	PreEmphasis float64 `json:"pre_emphasis"` // coefficient (0.97)
	Hidden      int     `json:"hidden"`       // channels of the convolutions (96)
	// Words is the vocabulary: class 0 is silence, class i+1 is Words[i].
	Words   []string `json:"words"`
	Segment int      `json:"segment"` // training segment length in 10 ms frames (256)
	Seed    int64    `json:"seed"`
}

// DefaultRecogniserConfig is the recogniser's recipe for the vocabulary
// words (CaptionWords of the training clips).
func DefaultRecogniserConfig(words []string) RecogniserConfig {
	return RecogniserConfig{Rate: 16000, NMels: 40, PreEmphasis: 0.97, Hidden: 96, Words: words, Segment: 256, Seed: 1}
}

// Validate reports the first problem with c, naming its JSON key.
func (c RecogniserConfig) Validate() error {
	switch {
	case c.Rate < 8000 || c.Rate > 48000:
		return fmt.Errorf("img2speech: recogniser config: rate %d Hz; want 8000–48000", c.Rate)
	case c.NMels < 8 || c.NMels > 128:
		return fmt.Errorf("img2speech: recogniser config: n_mels %d; want 8–128", c.NMels)
	case !(c.PreEmphasis >= 0 && c.PreEmphasis < 1):
		return fmt.Errorf("img2speech: recogniser config: pre_emphasis %v; want 0 ≤ p < 1", c.PreEmphasis)
	case c.Hidden < 1 || c.Hidden > 1024:
		return fmt.Errorf("img2speech: recogniser config: hidden %d; want 1–1024", c.Hidden)
	case len(c.Words) == 0 || len(c.Words) > 10000:
		return fmt.Errorf("img2speech: recogniser config: words: %d; want 1–10000", len(c.Words))
	case c.Segment < 16 || c.Segment > 4096 || c.Segment%recStride != 0:
		return fmt.Errorf("img2speech: recogniser config: segment %d; want an even number 16–4096", c.Segment)
	}
	for _, w := range c.Words {
		if w == "" || strings.ContainsAny(w, " \t\n") {
			return fmt.Errorf("img2speech: recogniser config: word %q; want one word without spaces", w)
		}
	}
	return nil
}

// front is the front-end of the recogniser as a Config (only Rate, NMels
// and PreEmphasis matter to it).
func (c RecogniserConfig) front() Config {
	return Config{Rate: c.Rate, NMels: c.NMels, PreEmphasis: c.PreEmphasis}
}

// recStride is the recogniser's frame step in 10 ms frames: it labels
// every 20 ms.
const recStride = 2

// minWordFrames is the shortest run of recogniser frames (20 ms each) that
// counts as a word: the caption words last two syllables or more.
const minWordFrames = 4

// Recogniser is the judge of generated speech: a small network trained
// only on clean corpus speech that labels every 20 ms of speech with a
// word of its vocabulary or silence (dilated 1-D convolutions over the
// log-mel frames, about 1.3 s of context). Words turns the labels into
// the words said.
type Recogniser struct {
	Config RecogniserConfig

	mean, std *nets.Param
	net       nets.Sequential
	params    []*nets.Param
	infer     *nets.Program
}

// NewRecogniser builds a recogniser with PyTorch's default initialisation
// drawn from cfg.Seed.
func NewRecogniser(cfg RecogniserConfig) (*Recogniser, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Recogniser{Config: cfg}
	rng := rand.New(rand.NewSource(cfg.Seed))
	r.mean = nets.NewBuffer("mel_norm.mean", cfg.NMels)
	r.std = nets.NewBuffer("mel_norm.std", cfg.NMels)
	r.params = []*nets.Param{r.mean, r.std}
	h := cfg.Hidden
	layers := []struct {
		in, out, k int
		o          nets.Conv1dOptions
	}{
		{cfg.NMels, h, 5, nets.Conv1dOptions{Padding: 2}},
		{h, h, 5, nets.Conv1dOptions{Stride: recStride, Padding: 2}},
		{h, h, 5, nets.Conv1dOptions{Padding: 4, Dilation: 2}},
		{h, h, 5, nets.Conv1dOptions{Padding: 8, Dilation: 4}},
		{h, h, 5, nets.Conv1dOptions{Padding: 16, Dilation: 8}},
		{h, len(cfg.Words) + 1, 1, nets.Conv1dOptions{}},
	}
	for i, l := range layers {
		c, err := nets.NewConv1d(fmt.Sprintf("conv.%d", 2*i), l.in, l.out, l.k, l.o, rng)
		if err != nil {
			return nil, fmt.Errorf("img2speech: recogniser: %w", err)
		}
		r.params = append(r.params, c.Params()...)
		r.net = append(r.net, c)
		if i < len(layers)-1 {
			r.net = append(r.net, nets.NewReLU())
		}
	}
	return r, nil
}

// Params lists every tensor of the recogniser in state_dict order.
func (r *Recogniser) Params() []*nets.Param { return r.params }

// Save writes the recogniser as safetensors with its config (atomically).
func (r *Recogniser) Save(path string) error {
	if err := nets.SaveModel(path, RecogniserKind, r, r.Config, nil); err != nil {
		return fmt.Errorf("img2speech: %w", err)
	}
	return nil
}

// LoadRecogniser reads a recogniser written by Save.
func LoadRecogniser(path string) (*Recogniser, error) {
	var cfg RecogniserConfig
	r, _, err := nets.LoadModel(path, RecogniserKind, &cfg, func() (*Recogniser, error) { return NewRecogniser(cfg) })
	if err != nil {
		return nil, fmt.Errorf("img2speech: %w", err)
	}
	return r, nil
}

// Close releases the recogniser's compiled graphs; it stays usable.
func (r *Recogniser) Close() {
	if r.infer != nil {
		r.infer.Close()
		r.infer = nil
	}
}

// define declares the pass: input "mel" [N, NMels, T] standardised (T
// even); output "logits" [N·T/2, classes], utterance-major; with "labels"
// [N·T/2] fed, the mean cross-entropy.
func (r *Recogniser) define() func(p *nets.Pass) error {
	return func(p *nets.Pass) error {
		x, err := p.Input("mel")
		if err != nil {
			return err
		}
		y, err := r.net.Forward(p.Graph(), x)
		if err != nil {
			return err
		}
		s := y.Shape()
		if y, err = G.Transpose(y, 0, 2, 1); err != nil {
			return err
		}
		logits, err := nets.Reshape(y, tensor.Shape{s[0] * s[2], s[1]})
		if err != nil {
			return err
		}
		if err := p.Output("logits", logits); err != nil {
			return err
		}
		if !p.Has("labels") {
			return nil
		}
		lab, err := p.Input("labels")
		if err != nil {
			return err
		}
		loss, err := nets.CrossEntropyLoss(logits, lab)
		if err != nil {
			return err
		}
		return p.Minimize(loss)
	}
}

// CaptionWords returns the sorted distinct words of the clips' "caption"
// labels: a recogniser's vocabulary.
func CaptionWords(clips []*avio.Clip) []string {
	var out []string
	for _, c := range clips {
		for _, w := range strings.Fields(c.Meta.Labels["caption"]) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

// wordSpans splits a clip's phones label into its words: the runs of
// phones between pauses ("sil"), which must be as many as the caption's
// words; it returns each word's start and end (seconds).
func wordSpans(phones, caption string) ([][2]float64, error) {
	spans, err := synth.ParsePhones(phones)
	if err != nil {
		return nil, err
	}
	var out [][2]float64
	in := false
	for _, s := range spans {
		switch {
		case s.Phone == "sil":
			in = false
		case in:
			out[len(out)-1][1] = s.End
		default:
			out = append(out, [2]float64{s.Start, s.End})
			in = true
		}
	}
	if n := len(strings.Fields(caption)); n != len(out) {
		return nil, fmt.Errorf("%d words between pauses, caption %q has %d", len(out), caption, n)
	}
	return out, nil
}

// recExample is one clip's standardised frames and its class at every
// recogniser frame.
type recExample struct {
	mel    []float32 // [NMels][frames]
	frames int
	labels []int // one per recStride frames; 0 is silence
}

// recExamples reads clips with "caption" and "phones" labels.
func (r *Recogniser) recExamples(ctx context.Context, clips []*avio.Clip, w io.Writer, what string, fit bool) ([]recExample, error) {
	us, err := r.Config.front().loadUtterances(ctx, clips, false, w, what)
	if err != nil {
		return nil, err
	}
	if fit {
		fitNormTo(us, r.mean, r.std)
	}
	out := make([]recExample, len(us))
	for i, u := range us {
		cl := clips[i]
		caption := cl.Meta.Labels["caption"]
		ws, err := wordSpans(cl.Meta.Labels[PhonesLabel], caption)
		if err != nil {
			return nil, fmt.Errorf("img2speech: clip %s: labels %q and caption: %w", cl.Dir, PhonesLabel, err)
		}
		words := strings.Fields(caption)
		n := (u.mel.Frames + recStride - 1) / recStride
		lab := make([]int, n)
		for j := range lab {
			t := u.mel.FrameTime(j * recStride)
			for k, s := range ws {
				if t >= s[0] && t < s[1] {
					c := slices.Index(r.Config.Words, words[k])
					if c < 0 {
						return nil, fmt.Errorf("img2speech: clip %s: caption word %q is not in the recogniser's vocabulary", cl.Dir, words[k])
					}
					lab[j] = c + 1
				}
			}
		}
		out[i] = recExample{mel: standardiseWith(u.mel.Data, u.mel.Frames, r.mean, r.std), frames: u.mel.Frames, labels: lab}
	}
	return out, nil
}

// fitNormTo sets band-wise standardisation buffers from utterances.
func fitNormTo(us []*utterance, mean, std *nets.Param) {
	nb := len(mean.Data)
	s, ss := make([]float64, nb), make([]float64, nb)
	n := 0.0
	for _, u := range us {
		for b := 0; b < nb; b++ {
			for _, v := range u.mel.Data[b*u.mel.Frames : (b+1)*u.mel.Frames] {
				s[b] += float64(v)
				ss[b] += float64(v) * float64(v)
			}
		}
		n += float64(u.mel.Frames)
	}
	for b := range s {
		mu := s[b] / n
		mean.Data[b] = float32(mu)
		std.Data[b] = float32(max(1e-3, math.Sqrt(max(0, ss[b]/n-mu*mu))))
	}
}

// standardiseWith standardises frames [bands][frames] band by band.
func standardiseWith(mel []float32, frames int, mean, std *nets.Param) []float32 {
	out := make([]float32, len(mel))
	for b := range mean.Data {
		mu, sd := mean.Data[b], std.Data[b]
		for t := 0; t < frames; t++ {
			out[b*frames+t] = (mel[b*frames+t] - mu) / sd
		}
	}
	return out
}

// padFrames returns x [bands][frames] extended to n frames by repeating
// its last frame (the clips end in silence).
func padFrames(x []float32, bands, frames, n int) []float32 {
	out := make([]float32, bands*n)
	for b := 0; b < bands; b++ {
		row := out[b*n : (b+1)*n]
		copy(row, x[b*frames:(b+1)*frames])
		for t := frames; t < n; t++ {
			row[t] = x[b*frames+frames-1]
		}
	}
	return out
}

type recTask struct {
	r          *Recogniser
	train, val []recSegment
	prog, eval *nets.Program
	steps      int
}

// recSegment is a training segment: Segment frames and their labels.
type recSegment struct {
	mel    []float32
	labels []int
}

// segmentsOf cuts examples into segments of Segment frames every hop
// frames (the last one padded with the clip's last frame).
func (r *Recogniser) segmentsOf(exs []recExample, hop int) []recSegment {
	nb, seg := r.Config.NMels, r.Config.Segment
	var out []recSegment
	for _, ex := range exs {
		full := max(ex.frames, seg)
		full = seg + (full-seg+hop-1)/hop*hop
		x := padFrames(ex.mel, nb, ex.frames, full)
		lab := make([]int, full/recStride)
		copy(lab, ex.labels)
		for start := 0; start+seg <= full; start += hop {
			s := recSegment{mel: make([]float32, nb*seg), labels: lab[start/recStride : (start+seg)/recStride]}
			for b := 0; b < nb; b++ {
				copy(s.mel[b*seg:(b+1)*seg], x[b*full+start:b*full+start+seg])
			}
			out = append(out, s)
		}
	}
	return out
}

func (t *recTask) Params() []*nets.Param { return t.r.params }

// LossName names the loss on plots.
func (t *recTask) LossName() string { return "frame cross-entropy (nats)" }

func (t *recTask) batch(prog *nets.Program, set []recSegment, idx []int) (float64, error) {
	c := t.r.Config
	x := make([]float32, 0, len(idx)*c.NMels*c.Segment)
	var y []float32
	for _, j := range idx {
		x = append(x, set[j].mel...)
		for _, l := range set[j].labels {
			y = append(y, float32(l))
		}
	}
	pass, err := prog.Run(nets.Feed{Name: "mel", Shape: []int{len(idx), c.NMels, c.Segment}, Data: x},
		nets.Feed{Name: "labels", Shape: []int{len(y)}, Data: y})
	if err != nil {
		return 0, err
	}
	return pass.Loss()
}

func (t *recTask) TrainBatch(idx []int) (float64, error) {
	t.steps++
	return t.batch(t.prog, t.train, idx)
}

func (t *recTask) EvalBatch(idx []int) (float64, error) { return t.batch(t.eval, t.val, idx) }

// DefaultRecogniserTrainOptions are the settings TrainRecogniser uses for
// the fields left at zero: 20 epochs of batches of 16 segments, Adam at
// 2e-3, gradient norm clipped at 5, patience 5 epochs.
func DefaultRecogniserTrainOptions() TrainOptions {
	return TrainOptions{Epochs: 20, BatchSize: 16, LR: 2e-3, ClipNorm: 5, Patience: 5}
}

// TrainRecogniser teaches r to label every 20 ms of data.Train's clean
// speech with the caption word said then (the "phones" label gives the
// words' times: the runs of phones between pauses) or silence:
// cross-entropy over segments of Config.Segment frames cut every half
// segment. The first training sets the feature standardisation; data.Val
// picks the best epoch.
func TrainRecogniser(ctx context.Context, r *Recogniser, data Data, o TrainOptions) (Report, error) {
	start := time.Now()
	var rep Report
	o, err := o.WithDefaults(DefaultRecogniserTrainOptions())
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	if len(data.Train) == 0 {
		return rep, fmt.Errorf("img2speech: no training clips")
	}
	fit := !(r.std.Data[0] > 0)
	tr, err := r.recExamples(ctx, data.Train, o.Progress, "loading train clips", fit)
	if err != nil {
		return rep, err
	}
	va, err := r.recExamples(ctx, data.Val, o.Progress, "loading val clips", false)
	if err != nil {
		return rep, err
	}
	t := &recTask{r: r, train: r.segmentsOf(tr, r.Config.Segment/2), val: r.segmentsOf(va, r.Config.Segment)}
	rep.TrainClips, rep.ValClips = len(tr), len(va)
	rep.TrainSegments, rep.ValSegments = len(t.train), len(t.val)
	r.Close()
	t.prog = nets.NewProgram(r.define(), nets.ProgramOptions{Mode: nets.Train, Seed: o.Seed})
	t.eval = nets.NewProgram(r.define(), nets.ProgramOptions{Mode: nets.Eval})
	defer t.prog.Close()
	defer t.eval.Close()
	rep.History, err = task.Fit(ctx, t, len(t.train), len(t.val), RecogniserKind, r.Config, o, false)
	rep.Steps = t.steps
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, fmt.Errorf("img2speech: %w", err)
	}
	return rep, nil
}

// Words recognises the words said in x, mono speech at Config.Rate: the
// most likely class of every 20 ms, runs of a word shorter than 80 ms
// dropped, consecutive repeats of a word merged, silence dropped.
func (r *Recogniser) Words(x []float64) ([]string, error) {
	if !(r.std.Data[0] > 0) {
		return nil, fmt.Errorf("img2speech: the recogniser is untrained (no feature standardisation)")
	}
	c := r.Config.front()
	s, err := c.frames(x, c.melConfig())
	if err != nil {
		return nil, fmt.Errorf("img2speech: speech: %w", err)
	}
	return r.wordsOfMel(s)
}

// wordsOfMel recognises the words of a log-mel spectrogram of the
// recogniser's front-end.
func (r *Recogniser) wordsOfMel(s *spectrogram.Spectrogram) ([]string, error) {
	nb := r.Config.NMels
	if s.Bins != nb {
		return nil, fmt.Errorf("img2speech: recogniser: %d mel bands; want %d", s.Bins, nb)
	}
	if r.infer == nil {
		r.infer = nets.NewProgram(r.define(), nets.ProgramOptions{Mode: nets.Eval})
	}
	// pad to a multiple of 64 frames, so few shapes are compiled
	n := (s.Frames + 63) / 64 * 64
	x := padFrames(standardiseWith(s.Data, s.Frames, r.mean, r.std), nb, s.Frames, n)
	pass, err := r.infer.Run(nets.Feed{Name: "mel", Shape: []int{1, nb, n}, Data: x})
	if err != nil {
		return nil, fmt.Errorf("img2speech: recogniser: %w", err)
	}
	logits, _, err := pass.Value("logits")
	if err != nil {
		return nil, fmt.Errorf("img2speech: recogniser: %w", err)
	}
	v := len(r.Config.Words) + 1
	keep := (s.Frames + recStride - 1) / recStride
	classes := make([]int, keep)
	for t := range classes {
		row := logits[t*v : (t+1)*v]
		for k, a := range row {
			if a > row[classes[t]] {
				classes[t] = k
			}
		}
	}
	return r.decode(classes), nil
}

// decode turns frame classes into words.
func (r *Recogniser) decode(classes []int) []string {
	var out []string
	for i := 0; i < len(classes); {
		j := i
		for j < len(classes) && classes[j] == classes[i] {
			j++
		}
		if c := classes[i]; c > 0 && j-i >= minWordFrames {
			if w := r.Config.Words[c-1]; len(out) == 0 || out[len(out)-1] != w {
				out = append(out, w)
			}
		}
		i = j
	}
	return out
}
