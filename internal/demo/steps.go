package demo

import (
	"context"
	"fmt"
	"image"
	"image/gif"
	"io"
	"math"
	randv2 "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/eval"
	"github.com/avlearn/avlearn/fusion"
	"github.com/avlearn/avlearn/img2speech"
	"github.com/avlearn/avlearn/internal/progress"
	"github.com/avlearn/avlearn/lipsync"
	"github.com/avlearn/avlearn/separation"
	"github.com/avlearn/avlearn/soundnet"
	"github.com/avlearn/avlearn/spectrogram"
	"github.com/avlearn/avlearn/speech2face"
	"github.com/avlearn/avlearn/synth"
)

// ---- step 1: front-end ----

// frontEnd synthesises an utterance and runs it through every transform of
// dsp and spectrogram: linear, mel and MFCC spectrograms, Griffin-Lim
// inversion and a resampling round trip.
func (d *run) frontEnd(ctx context.Context, s *step) error {
	const rate = synth.SpeechRate
	r := randv2.New(randv2.NewPCG(uint64(d.o.Seed), 0x64656d6f))
	sp := synth.NewSpeaker(r, "demo")
	secs := 2.5
	if d.o.Quick {
		secs = 1.5
	}
	u, err := synth.Speak(sp.Voice, synth.RandomSyllables(r, sp.Voice, secs), r)
	if err != nil {
		return err
	}
	x := u.Audio
	if err := avio.WriteMonoWAV(d.path("audio.wav"), x, rate, avio.PCM16); err != nil {
		return err
	}
	if err := writePNGFile(d.path("speaker_face.png"), sp.Face.Render(128, synth.Neutral())); err != nil {
		return err
	}
	s.addf("utterance: %.2f s at %d Hz of synthetic speech %q (F0 %.0f Hz, formant scale %.2f); the speaker's face is speaker_face.png",
		float64(len(x))/rate, rate, u.Text, sp.Voice.F0, sp.Voice.FormantScale)

	lin := spectrogram.DefaultConfig(rate)
	mel := lin
	mel.NMels, mel.DB, mel.TopDB = 80, true, 80
	mfcc := lin
	mfcc.NMels, mfcc.NMFCC = 40, 20
	var linSG *spectrogram.Spectrogram
	for _, v := range []struct {
		name, title string
		c           spectrogram.Config
	}{
		{"linear", "power spectrogram", lin},
		{"mel", "log-mel spectrogram (80 HTK bands, dB)", mel},
		{"mfcc", "MFCC (20 of 40 log-mel bands)", mfcc},
	} {
		sg, err := spectrogram.Compute(x, v.c)
		if err != nil {
			return fmt.Errorf("%s spectrogram: %w", v.name, err)
		}
		title := fmt.Sprintf("%s: n_fft %d, %s %d, hop %d", v.title, v.c.NFFT, v.c.Window, v.c.WinLength, v.c.Hop)
		if err := sg.WritePNG(d.path(v.name+".png"), spectrogram.RenderOptions{Axes: true, Title: title}); err != nil {
			return err
		}
		if err := sg.WriteNPY(d.path(v.name + ".npy")); err != nil {
			return err
		}
		if err := sg.WriteMeta(d.path(v.name + ".json")); err != nil {
			return err
		}
		if v.c.Kind() == spectrogram.Linear {
			linSG = sg
		}
		s.addf("%s: %d × %d (bins × frames), n_fft %d, %s window %d, hop %d", v.name, sg.Bins, sg.Frames, v.c.NFFT, v.c.Window, v.c.WinLength, v.c.Hop)
	}

	// Griffin-Lim from the magnitude alone.
	magc := lin
	magc.Power = 1
	mag, err := spectrogram.Compute(x, magc)
	if err != nil {
		return err
	}
	iters := 32
	var conv []float64
	y, err := mag.Invert(spectrogram.InvertOptions{Iters: iters, Momentum: 0.99, Length: len(x),
		Observe: func(_ int, c float64) { conv = append(conv, c) }})
	if err != nil {
		return fmt.Errorf("Griffin-Lim: %w", err)
	}
	if err := avio.WriteMonoWAV(d.path("reconstructed.wav"), y, rate, avio.PCM16); err != nil {
		return err
	}
	rs, err := spectrogram.Compute(y, lin)
	if err != nil {
		return err
	}
	if err := rs.WritePNG(d.path("reconstructed.png"), spectrogram.RenderOptions{Axes: true,
		Title: fmt.Sprintf("power spectrogram of the Griffin-Lim reconstruction (%d iterations)", iters)}); err != nil {
		return err
	}
	s.addf("Griffin-Lim (%d iterations, momentum 0.99, zero initial phase) from the magnitude spectrogram: spectral convergence %.3f after 1 iteration, %.3f after %d",
		iters, conv[0], conv[len(conv)-1], len(conv))

	// Resampling round trip 16 kHz → 22.05 kHz → 16 kHz.
	up, err := dsp.Resample(x, rate, synth.SceneRate)
	if err != nil {
		return err
	}
	back, err := dsp.Resample(up, synth.SceneRate, rate)
	if err != nil {
		return err
	}
	if len(back) != len(x) {
		return fmt.Errorf("resampling round trip: %d samples back from %d", len(back), len(x))
	}
	snr, err := dsp.SNR(x, back)
	if err != nil {
		return err
	}
	if err := avio.WriteMonoWAV(d.path("audio_22050.wav"), up, synth.SceneRate, avio.PCM16); err != nil {
		return err
	}
	// The way back low-passes at Rolloff × 8 kHz: what the signal has above
	// that is lost, which bounds the SNR whatever the filter's quality.
	cut := dsp.HighQualityResampleOptions().Rolloff * rate / 2
	var above, all float64
	for b := 0; b < linSG.Bins; b++ {
		for t := 0; t < linSG.Frames; t++ {
			v := float64(linSG.At(b, t))
			all += v
			if linSG.BinFrequency(b) >= cut {
				above += v
			}
		}
	}
	bound := "no bound"
	if above > 0 {
		bound = fmt.Sprintf("a bound of %.1f dB", 10*math.Log10(all/above))
	}
	s.Cmds = []string{
		"avl spectrogram audio.wav -o mel.png --mel 80 --db",
		"avl spectrogram audio.wav -o mfcc.npy --mel 40 --mfcc 20",
		"avl griffinlim linear.npy -o rebuilt.wav",
		fmt.Sprintf("avl resample audio.wav -o audio_%d.wav --rate %d", synth.SceneRate, synth.SceneRate),
	}
	s.addf("resampling %d → %d → %d Hz (windowed sinc, Kaiser): %d → %d → %d samples, round-trip SNR %.1f dB; %.3f%% of the utterance's energy lies above the %.0f Hz cut-off of the way back (%s)",
		rate, synth.SceneRate, rate, len(x), len(up), len(back), snr, 100*above/all, cut, bound)
	return nil
}

// ---- step 2: corpora ----

func (d *run) corpora(ctx context.Context, s *step) error {
	root := filepath.Join(d.o.Dir, "corpora")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	d.files = append(d.files, "corpora")
	kinds := []struct {
		name, sheet string
		n           int
		gen         func(dir string, prog synth.Progress) error
		ds          **avio.Dataset
		what        string
	}{
		{"scenes", "scenes.png", d.o.Scenes, func(dir string, p synth.Progress) error {
			return synth.Scenes(dir, synth.ScenesOptions{N: d.o.Scenes, Seed: d.o.Seed, Scenes: 4, Objects: 4,
				Duration: 3, ValFrac: 0.2, TestFrac: 0.2, Progress: p})
		}, &d.scenes, "4 scene × 4 object classes, 3 s at 22,050 Hz, 2 fps"},
		{"speakers", "faces.png", d.o.Speakers, func(dir string, p synth.Progress) error {
			// Two clips per identity, as many identities as that allows;
			// a quarter of them each for val and test, so that both hold
			// the two speakers a mixture needs.
			return synth.Speakers(dir, synth.SpeakersOptions{N: d.o.Speakers, Seed: d.o.Seed, Speakers: max(8, d.o.Speakers/2),
				Duration: 2, ValFrac: 0.25, TestFrac: 0.25, Progress: p})
		}, &d.speakers, "talking faces, 2 s at 16 kHz, 25 fps, split by identity"},
		{"captions", "captions.png", d.o.Captions, func(dir string, p synth.Progress) error {
			return synth.Captions(dir, synth.CaptionsOptions{N: d.o.Captions, Seed: d.o.Seed, Progress: p})
		}, &d.captions, "pictures of shapes with spoken captions, 16 kHz"},
	}
	for _, k := range kinds {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(root, k.name)
		bar := progress.New(d.o.Progress, "   synth "+k.name, k.n)
		if err := k.gen(dir, func(done, _ int) { bar.Set(done, "") }); err != nil {
			return fmt.Errorf("synth %s: %w", k.name, err)
		}
		bar.Done()
		rep, err := avio.Check(dir, avio.CheckOptions{Decode: true})
		if err != nil {
			return err
		}
		if len(rep.Problems) > 0 {
			return fmt.Errorf("avio.Check %s: %d problems, first: %v", dir, len(rep.Problems), rep.Problems[0])
		}
		ds, err := avio.Open(dir)
		if err != nil {
			return err
		}
		*k.ds = ds
		if err := copyFile(d.path(k.sheet), filepath.Join(dir, "contact.png")); err != nil {
			return err
		}
		var splits []string
		for _, sp := range []string{"train", "val", "test"} {
			splits = append(splits, fmt.Sprintf("%d %s", rep.Splits[sp], sp))
		}
		s.addf("%s: %d clips (%s; %s), %d frames, %.0f s of audio; avio.Check (frames decoded): %d problems; contact sheet %s",
			k.name, rep.Clips, k.what, strings.Join(splits, ", "), rep.Frames, rep.Audio, len(rep.Problems), k.sheet)
	}
	s.Files = append(s.Files, "corpora/")
	s.Cmds = []string{
		fmt.Sprintf("avl synth scenes -o scenes --n %d --scenes 4 --objects 4 --duration 3 --seed %d", d.o.Scenes, d.o.Seed),
		fmt.Sprintf("avl synth speakers -o speakers --n %d --speakers %d --duration 2 --seed %d", d.o.Speakers, max(8, d.o.Speakers/2), d.o.Seed),
		"avl dataset check corpora/speakers",
	}
	return nil
}

// ---- step 3: nets ----

// netsSanity trains a small MLP (eval.TrainMLP, built on nets) on MFCC
// statistics of the scenes corpus: the smallest complete use of nets.
func (d *run) netsSanity(ctx context.Context, s *step) error {
	if d.scenes == nil {
		return skipError{"no scenes corpus (step 2 did not finish)"}
	}
	const label = "scene"
	train, val, test := d.scenes.Split("train"), d.scenes.Split("val"), d.scenes.Split("test")
	if len(train) == 0 || len(val) == 0 || len(test) == 0 {
		return fmt.Errorf("scenes corpus has %d train, %d val, %d test clips; every split needs one", len(train), len(val), len(test))
	}
	classes := d.scenes.Labels(label)
	mc := eval.MFCCConfig(synth.SceneRate)
	sp := eval.Splits{Classes: len(classes)}
	for _, p := range []struct {
		clips []*avio.Clip
		x     *[][]float64
		y     *[]int
	}{{train, &sp.Train, &sp.YTrain}, {val, &sp.Val, &sp.YVal}, {test, &sp.Test, &sp.YTest}} {
		var err error
		if *p.x, err = eval.ClipStats(ctx, p.clips, mc, nil); err != nil {
			return err
		}
		if *p.y, err = eval.LabelIndices(p.clips, label, classes); err != nil {
			return err
		}
	}
	o := eval.DefaultMLPOptions()
	o.Seed = d.o.Seed
	o.CurvePrefix = strings.TrimSuffix(d.path("nets_loss.png"), ".png")
	mlp, h, err := eval.TrainMLP(ctx, sp, o)
	d.path("nets_loss.csv")
	if err != nil {
		return err
	}
	defer mlp.Close()
	trainAcc, err := mlp.Accuracy(sp.Train, sp.YTrain)
	if err != nil {
		return err
	}
	testAcc, err := mlp.Accuracy(sp.Test, sp.YTest)
	if err != nil {
		return err
	}
	dim, last := len(sp.Train[0]), h.Epochs[len(h.Epochs)-1]
	s.addf("task: %q of the scenes corpus (%s) from the mean and std over time of %d MFCCs (%d log-mel bands, n_fft %d, %s %d, hop %d): %d features, standardised with the train statistics",
		label, strings.Join(classes, ", "), mc.NMFCC, mc.NMels, mc.NFFT, mc.Window, mc.WinLength, mc.Hop, dim)
	s.addf("model: Linear(%d, %d) → ReLU → Linear(%d, %d), cross-entropy, Adam %g, batch %d; %d train, %d val, %d test clips",
		dim, o.Hidden, o.Hidden, len(classes), o.LR, o.BatchSize, len(sp.YTrain), len(sp.YVal), len(sp.YTest))
	stop := ""
	if h.StoppedEarly {
		stop = ", stopped early"
	}
	s.addf("nets.Fit: %d epochs%s; train loss %.3f → %.3f; best val loss %.3f at epoch %d (weights restored)",
		len(h.Epochs), stop, h.Epochs[0].TrainLoss, last.TrainLoss, h.BestLoss, h.BestEpoch)
	// The majority class of train, always answered, is the floor to beat.
	s.addf("accuracy: train %.0f%%, held-out test %.0f%% (%d clips) — chance %.0f%%, always-the-majority-class %.0f%%",
		100*trainAcc, 100*testAcc, len(sp.YTest), 100/float64(len(classes)), 100*eval.MajorityAccuracy(sp.YTrain, sp.YTest))
	return nil
}

// ---- step 4: SoundNet ----

// soundnetTrainSeeds are the seeds of the corpora the shipped SoundNet
// model was taught on (soundnet/pretrained/README.md).
var soundnetTrainSeeds = []int64{201, 202}

func (d *run) soundnetStep(ctx context.Context, s *step) error {
	if err := d.soundnetShipped(ctx, s); err != nil {
		return err
	}
	if d.scenes == nil {
		return skipError{"no scenes corpus (step 2 did not finish)"}
	}
	// The demo's own distillation is small: it shows the pipeline training
	// end to end, not what distillation can learn (the shipped model above).
	teacherEpochs, epochs := 8, 6
	if d.o.Quick {
		teacherEpochs, epochs = 2, 2
		s.addf("quick run: %d epochs on %d clips only exercise the pipeline; run without --quick for numbers that mean something", epochs, len(d.scenes.Split("train")))
	}
	train, val, test := d.scenes.Split("train"), d.scenes.Split("val"), d.scenes.Split("test")
	seed := d.o.Seed
	tcfg := soundnet.DefaultImageTeacherConfig()
	tcfg.Seed = seed
	teacher, trep, err := soundnet.TrainTeacher(ctx, train, val, tcfg,
		soundnet.TrainOptions{Epochs: teacherEpochs, BatchSize: 32, LR: 2e-3, Seed: seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("image teacher: %w", err)
	}
	defer teacher.Close()
	on, sn := teacher.Classes()
	s.addf("image teacher (soundnet.TrainTeacher, %d×%d frames, %d channels): %d train frames; on %d val frames, object accuracy %.0f%%, scene accuracy %.0f%% (chance %.0f%% and %.0f%%)",
		tcfg.Size, tcfg.Size, tcfg.Width, trep.TrainFrames, trep.ValFrames, 100*trep.ValObjectAcc, 100*trep.ValSceneAcc, 100/float64(len(on)), 100/float64(len(sn)))

	cfg := soundnet.Config{Width: 0.125, Objects: len(on), Scenes: len(sn), ObjectNames: on, SceneNames: sn,
		Window: float64(soundnet.MinSamples())/soundnet.Rate + 0.01, Seed: seed}
	m, err := soundnet.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	before, err := soundnet.Evaluate(m, test, teacher)
	if err != nil {
		return err
	}
	rep, err := soundnet.Train(ctx, m, soundnet.Data{Train: train, Val: val, Teacher: teacher},
		soundnet.TrainOptions{Epochs: epochs, BatchSize: 8, LR: 3e-3, Seed: seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("distillation: %w", err)
	}
	if err := m.Save(d.path("soundnet.safetensors")); err != nil {
		return err
	}
	if err := rep.History.PlotPNG(d.path("soundnet_loss.png")); err != nil {
		return err
	}
	ch := cfg.Channels()
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	s.addf("a demo-sized distillation (minutes, not the shipped model's hours): student SoundNet-8 at width %g (conv1 %d … conv7 %d channels) distilled from the teacher on the sound of %d train excerpts of %.2f s (labels never read): %d epochs, train KL %.3f → %.3f, best val KL %.3f",
		cfg.Width, ch[0], ch[6], rep.TrainWindows, cfg.Window, len(rep.History.Epochs), rep.History.Epochs[0].TrainLoss, last.TrainLoss, rep.History.BestLoss)
	after, err := soundnet.Evaluate(m, test, teacher)
	if err != nil {
		return err
	}
	s.addf("agreement with the teacher on %d test clips — untrained student: scene top-1 %.0f%%, KL %.3f; distilled: scene top-1 %.0f%%, KL %.3f; constant prior: top-1 %.0f%%, KL %.3f",
		len(test), 100*before.SceneTop1, before.SceneKL, 100*after.SceneTop1, after.SceneKL, 100*after.PriorSceneTop1, after.PriorSceneKL)
	rs, err := soundnet.ProbeTable(ctx, m, train, val, test, soundnet.ProbeOptions{
		Label: "scene", Layers: []string{"pool5", "conv7"}, RandomSeed: seed + 1000, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("probes: %w", err)
	}
	s.Lines = append(s.Lines, "the demo-sized student's linear probes for \"scene\" on the demo's scenes (λ chosen on val, accuracy on test):\n\n"+indent(rs.Table("%.0f").Markdown()))
	s.Cmds = append(s.Cmds, "avl soundnet probe --model soundnet.safetensors --data corpora/scenes")
	return nil
}

// soundnetShipped probes the shipped model's pool5 on a fresh scene corpus
// it never heard, beside MFCC and log-mel statistics (README: SoundNet).
func (d *run) soundnetShipped(ctx context.Context, s *step) error {
	seed := d.o.Seed + 300
	for slices.Contains(soundnetTrainSeeds, seed) {
		seed++
	}
	n := 240
	if d.o.Quick {
		n = 30
	}
	dir := filepath.Join(d.o.Dir, "corpora", "soundnet")
	bar := progress.New(d.o.Progress, "   synth scenes", n)
	if err := synth.Scenes(dir, synth.ScenesOptions{N: n, Seed: seed, Duration: 5,
		Context: ctx, Progress: func(done, _ int) { bar.Set(done, "") }}); err != nil {
		return fmt.Errorf("synth scenes: %w", err)
	}
	bar.Done()
	ds, err := avio.Open(dir)
	if err != nil {
		return err
	}
	m, err := soundnet.Pretrained()
	if err != nil {
		return err
	}
	defer m.Close()
	rs, err := soundnet.ProbeTable(ctx, m, ds.Clips, nil, nil, soundnet.ProbeOptions{
		Layers: []string{"pool5"}, Folds: 5, RandomSeed: d.o.Seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("probes: %w", err)
	}
	s.Lines = append(s.Lines, fmt.Sprintf("the shipped model (soundnet.Pretrained; its card: soundnet/pretrained/README.md) on a fresh corpus it never heard (synth.Scenes, %d clips of 5 s, seed %d): linear probes for \"scene\", 5-fold cross-validated, beside hand-made features and random weights (README: SoundNet):\n\n", n, seed)+
		indent(rs.Table("%.1f").Markdown()))
	s.Cmds = append(s.Cmds, "avl soundnet probe --data corpora/soundnet --layers pool5 --folds 5")
	return nil
}

// ---- step 5: separation ----

func (d *run) separationStep(ctx context.Context, s *step) error {
	if d.speakers == nil {
		return skipError{"no speakers corpus (step 2 did not finish)"}
	}
	train, val, test := d.speakers.Split("train"), d.speakers.Split("val"), d.speakers.Split("test")
	seed := d.o.Seed
	cfg := separation.DefaultConfig()
	// A real mask starts near a scaled mixture (SI-SDRi ≈ 0) and improves
	// from there; a complex mask needs far more steps than a demo has
	// before it beats the mixture.
	cfg.Mask, cfg.Seed = separation.MaskReal, seed
	epochs, steps, batch, mixtures := 8, 25, 8, 40
	if d.o.Quick {
		cfg.AudioChannels, cfg.LSTMHidden, cfg.FCHidden, cfg.VisualDim = 16, 16, 32, 8
		epochs, steps, batch, mixtures = 1, 3, 2, 4
		s.addf("quick run: a narrow model trained for %d steps only exercises the pipeline; run without --quick for numbers that mean something", epochs*steps)
	}
	m, err := separation.New(cfg)
	if err != nil {
		return err
	}
	defer m.Close()
	rep, err := separation.Train(ctx, m, separation.Data{Train: train, Val: val}, separation.TrainOptions{
		Epochs: epochs, StepsPerEpoch: steps, BatchSize: batch, LR: 3e-3, Seed: seed, ValExamples: 16,
		CurvePrefix: strings.TrimSuffix(d.path("separation_loss.png"), ".png"), Progress: d.o.Progress})
	d.path("separation_loss.csv")
	if err != nil {
		return fmt.Errorf("training: %w", err)
	}
	if err := m.Save(d.path("separation.safetensors")); err != nil {
		return err
	}
	last := rep.History.Epochs[len(rep.History.Epochs)-1]
	s.addf("model: %s masks from the compressed STFT (n_fft %d, Hann %d, hop %d, p %g) and the mouth crops of each face, audio stream %d channels, BiLSTM %d; %s",
		cfg.Mask, cfg.NFFT, cfg.WinLength, cfg.Hop, cfg.Power, cfg.AudioChannels, cfg.LSTMHidden, cfg.Condition())
	s.addf("separation.Train: %d steps of %d fresh %g s mixtures from %d clips of %d train speakers (a demo-sized run to show training; the package's default is 6,000 steps, see avl separation train -h); train loss %.4f → %.4f, best val loss %.4f (%d val mixtures)",
		rep.Steps, batch, cfg.Segment, rep.TrainClips, rep.TrainSpeakers, rep.History.Epochs[0].TrainLoss, last.TrainLoss, rep.History.BestLoss, rep.ValMixtures)
	met, err := separation.Evaluate(m, test, separation.EvalOptions{Mixtures: mixtures, Seed: seed + 1, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	s.Lines = append(s.Lines, fmt.Sprintf("the demo-sized model, separation.Evaluate on %d mixtures of held-out test speakers (dB, mean over voices):\n\n", mixtures)+indent(met.Table().Markdown()))
	shipped, err := separation.Pretrained()
	if err != nil {
		return err
	}
	defer shipped.Close()
	if met, err = separation.Evaluate(shipped, test, separation.EvalOptions{Mixtures: mixtures, Seed: seed + 1, Progress: d.o.Progress}); err != nil {
		return fmt.Errorf("evaluation of the shipped model: %w", err)
	}
	s.Lines = append(s.Lines, fmt.Sprintf("the shipped model (separation.Pretrained, 8,000 steps; its card: separation/pretrained/README.md), the same %d mixtures:\n\n", mixtures)+indent(met.Table().Markdown()))
	return d.separateOne(shipped, test, s)
}

// separateOne mixes two held-out clips of different speakers, separates the
// mixture with their faces and writes the audio and spectrograms.
func (d *run) separateOne(m *separation.Model, clips []*avio.Clip, s *step) error {
	pair, err := separation.DistinctSpeakers(clips, 2)
	if err != nil {
		return fmt.Errorf("test split: %w", err)
	}
	x, err := separation.MixClips(pair, m.Config.Rate)
	if err != nil {
		return err
	}
	ys, err := m.Separate(x.Mix, x.Faces)
	if err != nil {
		return err
	}
	scores, err := x.Score(ys)
	if err != nil {
		return err
	}
	rate := x.Rate
	if err := avio.WriteMonoWAV(d.path("mix.wav"), x.Mix, rate, avio.PCM16); err != nil {
		return err
	}
	var parts []string
	sgc := spectrogram.DefaultConfig(rate)
	mixSG, err := spectrogram.Compute(x.Mix, sgc)
	if err != nil {
		return err
	}
	imgs := []image.Image{}
	im, err := mixSG.Image(spectrogram.RenderOptions{Axes: true, Width: 600, Height: 160, Title: "mixture of two held-out speakers (mix.wav)"})
	if err != nil {
		return err
	}
	imgs = append(imgs, im)
	for i, c := range pair {
		sc := scores[i]
		name := fmt.Sprintf("speaker_%d", i+1)
		if err := avio.WriteMonoWAV(d.path(name+".wav"), ys[i], rate, avio.PCM16); err != nil {
			return err
		}
		if err := avio.WriteMonoWAV(d.path(fmt.Sprintf("source_%d.wav", i+1)), x.Sources[i], rate, avio.PCM16); err != nil {
			return err
		}
		if err := copyFile(d.path(fmt.Sprintf("face_%d.png", i+1)), filepath.Join(c.Dir, "face.png")); err != nil {
			return err
		}
		sg, err := spectrogram.Compute(ys[i], sgc)
		if err != nil {
			return err
		}
		im, err := sg.Image(spectrogram.RenderOptions{Axes: true, Width: 600, Height: 160,
			Title: fmt.Sprintf("%s.wav: the voice of face_%d.png (%s), SI-SDR %s dB", name, i+1, c.Meta.Labels["speaker"], dB1(sc.SISDR))})
		if err != nil {
			return err
		}
		imgs = append(imgs, im)
		parts = append(parts, fmt.Sprintf("%s (%s, clip %s): SI-SDR %s dB vs %s dB for the mixture, SI-SDRi %s dB", name, c.Meta.Labels["speaker"], c.Name, dB1(sc.SISDR), dB1(sc.MixSISDR), dB1(sc.Improvement())))
	}
	if err := spectrogram.WriteSheetPNG(d.path("separation.png"), imgs...); err != nil {
		return err
	}
	s.addf("one held-out mixture (%.2f s, equal levels) separated by the shipped model: %s; references are source_1.wav and source_2.wav",
		float64(len(x.Mix))/float64(rate), strings.Join(parts, "; "))
	s.Cmds = []string{
		fmt.Sprintf("avl separate --mix mix.wav --face %s --face %s -o separated", d.rel(pair[0].Dir), d.rel(pair[1].Dir)),
		"avl separation eval --data corpora/speakers",
	}
	return nil
}

// indent puts two spaces before every line of a table, so that it renders
// inside a list item.
func indent(table string) string {
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	return "  " + strings.Join(lines, "\n  ")
}

// dB1 formats decibels with one decimal, without the "-0.0" of a value
// that rounds to zero from below.
func dB1(x float64) string {
	v := fmt.Sprintf("%.1f", x)
	if v == "-0.0" {
		return "0.0"
	}
	return v
}

// ---- step 6: sensor fusion ----

// fusionStep makes a small synth.Sensors corpus and scores the shipped
// fusion model on its test split, with all streams and with each stream
// zeroed, missing or noisy.
func (d *run) fusionStep(ctx context.Context, s *step) error {
	n := 120
	if d.o.Quick {
		n = 60
	}
	dir := filepath.Join(d.o.Dir, "corpora", "sensors")
	bar := progress.New(d.o.Progress, "   synth sensors", n)
	err := synth.Sensors(dir, synth.SensorsOptions{N: n, Seed: d.o.Seed, TestFrac: 0.5, Context: ctx,
		Progress: func(done, _ int) { bar.Set(done, "") }})
	bar.Done()
	if err != nil {
		return fmt.Errorf("synth sensors: %w", err)
	}
	ds, err := avio.Open(dir)
	if err != nil {
		return err
	}
	if err := copyFile(d.path("sensors.png"), filepath.Join(dir, "contact.png")); err != nil {
		return err
	}
	m, err := fusion.Pretrained()
	if err != nil {
		return err
	}
	test := ds.Split("test")
	met, err := fusion.Evaluate(m, test, fusion.EvalOptions{Seed: d.o.Seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	s.addf("synth.Sensors: %d clips of audio, frames and a 100 Hz motion track, %d events, of which a single stream tells at most three groups apart (contact sheet sensors.png)", n, len(synth.SensorEvents))
	s.Lines = append(s.Lines, fmt.Sprintf("the shipped model (fusion.Pretrained, attention fusion; its card: fusion/pretrained/README.md), accuracy %% on %d held-out clips:\n\n", len(test))+indent(met.Table().Markdown()))
	s.Cmds = []string{"avl fusion eval --data corpora/sensors"}
	return nil
}

// ---- step 7: Speech2Face ----

// speech2faceTrainSeed is the seed of the corpus the shipped Speech2Face
// model was trained on (speech2face/pretrained/README.md); synth draws a
// corpus's identities from its seed, so other seeds hold strangers.
const speech2faceTrainSeed = 16

// speech2faceStep scores the shipped Speech2Face model on a fresh corpus
// of speakers it never met, the README's protocol at a third of its size:
// 100 held-out speakers' voices rank their true faces, and the other
// speakers' true faces fit the attribute estimator.
func (d *run) speech2faceStep(ctx context.Context, s *step) error {
	seed := d.o.Seed + 1600
	if seed == speech2faceTrainSeed {
		seed++
	}
	n := 300
	if d.o.Quick {
		n = 30
	}
	dir := filepath.Join(d.o.Dir, "corpora", "speech2face")
	bar := progress.New(d.o.Progress, "   synth speakers", n)
	if err := synth.Speakers(dir, synth.SpeakersOptions{N: n, Speakers: n, Seed: seed, Duration: 2, ValFrac: 0.01, TestFrac: 1.0 / 3,
		Context: ctx, Progress: func(done, _ int) { bar.Set(done, "") }}); err != nil {
		return fmt.Errorf("synth speakers: %w", err)
	}
	bar.Done()
	ds, err := avio.Open(dir)
	if err != nil {
		return err
	}
	m, err := speech2face.Pretrained()
	if err != nil {
		return err
	}
	defer m.Close()
	held := append(ds.Split("test"), ds.Split("val")...)
	met, err := speech2face.Evaluate(m, held, speech2face.EvalOptions{Train: ds.Split("train"), Seed: d.o.Seed, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	sheet, err := speech2face.ContactSheet(m, held, 8)
	if err != nil {
		return err
	}
	if err := writePNGFile(d.path("speech2face.png"), sheet); err != nil {
		return err
	}
	voice := held[0]
	x, rate, err := voice.AudioNative()
	if err != nil {
		return err
	}
	if err := avio.WriteMonoWAV(d.path("voice.wav"), x, rate, avio.PCM16); err != nil {
		return err
	}
	s.addf("the shipped model (speech2face.Pretrained; its card: speech2face/pretrained/README.md) on a fresh corpus of %d speakers it never met (synth.Speakers, seed %d): each of %d held-out speakers' voices draws a face, ranked among their true faces; the other %d speakers' true faces fit the attribute estimator; speech2face.png shows, per speaker, the face drawn from the voice (top), the face drawn from the true face's embedding (middle) and the true face (bottom)",
		n, seed, met.Speakers, len(ds.Split("train")))
	s.Lines = append(s.Lines, "retrieval (the true face among the held-out faces), attributes read off the drawn faces against the true ones, and picture quality, beside the baselines (README: Speech2Face):\n\n"+indent(met.Table().Markdown()))
	s.Cmds = []string{"avl speech2face voice.wav -o face_from_voice.png"}
	return nil
}

// lipsyncStep scores the shipped lip-sync model on a fresh corpus of
// speakers it never saw and draws one of their clips, real frames above
// the frames the model makes from its first frame and its speech.
func (d *run) lipsyncStep(ctx context.Context, s *step) error {
	// synth draws identity i from the corpus seed alone, and the shipped
	// model was trained on seed 1's identities: another seed keeps these
	// speakers unseen
	seed := d.o.Seed + 4241
	if seed == lipsyncTrainSeed {
		seed++
	}
	n := 12
	if d.o.Quick {
		n = 4
	}
	dir := filepath.Join(d.o.Dir, "corpora", "lipsync")
	if err := synth.Speakers(dir, synth.SpeakersOptions{N: n, Speakers: n, Seed: seed, Duration: 2, Context: ctx}); err != nil {
		return fmt.Errorf("synth speakers: %w", err)
	}
	ds, err := avio.Open(dir)
	if err != nil {
		return err
	}
	test := ds.Clips
	m, err := lipsync.Pretrained()
	if err != nil {
		return err
	}
	defer m.Close()
	rec, err := speech2face.Pretrained()
	if err != nil {
		return err
	}
	defer rec.Close()
	met, err := lipsync.Evaluate(m, test, lipsync.EvalOptions{FaceEmbedding: rec.FaceEmbedding, Progress: d.o.Progress})
	if err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	clip := test[0]
	real, err := clip.Frames()
	if err != nil {
		return err
	}
	x, err := clip.Audio(m.Config.Rate)
	if err != nil {
		return err
	}
	gen, err := m.LipFrames(real, x, m.Config.Rate)
	if err != nil {
		return err
	}
	var top, bottom []image.Image
	for i := 0; i < min(len(real), len(gen)); i += 4 {
		top, bottom = append(top, real[i]), append(bottom, gen[i])
	}
	if err := writePNGFile(d.path("lipsync.png"), lipsync.Sheet(top, bottom)); err != nil {
		return err
	}
	// the clip played: real frames beside generated ones, and its speech
	pairs := make([]image.Image, min(len(real), len(gen)))
	for i := range pairs {
		pairs[i] = lipsync.Sheet([]image.Image{real[i], gen[i]})
	}
	if err := avio.WriteFileAtomic(d.path("lipsync.gif"), func(w io.Writer) error {
		return gif.EncodeAll(w, lipsync.Animation(pairs, clip.Meta.FPS))
	}); err != nil {
		return err
	}
	if err := avio.WriteMonoWAV(d.path("lipsync_speech.wav"), x, m.Config.Rate, avio.PCM16); err != nil {
		return err
	}
	s.Lines = append(s.Lines, fmt.Sprintf("the shipped model (lipsync.Pretrained; its card: lipsync/pretrained/README.md) on %d clips of %d speakers it never saw (synth.Speakers, seed %d); mouth r: the mouth opening measured on the pixels against the real frames'; LSE-D/LSE-C and offsets by the model's sync expert; identity dist: the Speech2Face face recogniser's cosine distance from each frame to the clip's first:\n\n", len(test), len(test), seed)+indent(met.Table().Markdown()))
	s.addf("lipsync.png: clip %s (speaker %s), every 4th frame: real above generated from its first frame, head motion and speech; lipsync.gif plays the clip, real frames left, generated right (its speech: lipsync_speech.wav)", clip.Name, clip.Meta.Labels["speaker"])
	s.Cmds = []string{"avl lipsync --face speaker_face.png --audio audio.wav -o lipsync_out"}
	return nil
}

// lipsyncTrainSeed is the seed of the corpus the shipped lip-sync model
// was trained on (lipsync/pretrained/README.md).
const lipsyncTrainSeed = 1

// ---- step 9: image-to-speech ----

// img2speechTrainSeed is the seed of the captions corpus the shipped
// image-to-speech model was trained on (img2speech/pretrained/README.md).
const img2speechTrainSeed = 1

// img2speechStep has the shipped model speak pictures of a fresh captions
// corpus (pictures and voices it never saw) and the shipped judge say
// which words it hears in that speech, beside each picture's caption.
func (d *run) img2speechStep(ctx context.Context, s *step) error {
	seed := d.o.Seed + 1700
	if seed == img2speechTrainSeed {
		seed++
	}
	n := 8
	if d.o.Quick {
		n = 2
	}
	dir := filepath.Join(d.o.Dir, "corpora", "img2speech")
	if err := synth.Captions(dir, synth.CaptionsOptions{N: n, Seed: seed, Speakers: 4, Ordered: true, Context: ctx}); err != nil {
		return fmt.Errorf("synth captions: %w", err)
	}
	ds, err := avio.Open(dir)
	if err != nil {
		return err
	}
	m, err := img2speech.Pretrained()
	if err != nil {
		return err
	}
	defer m.Close()
	judge, err := img2speech.PretrainedRecogniser()
	if err != nil {
		return err
	}
	defer judge.Close()
	var rows strings.Builder
	rows.WriteString("| picture | its caption (what the corpus says) | words the judge hears in the speech made from the picture | units |\n|---|---|---|---:|\n")
	for i, clip := range ds.Clips {
		if err := ctx.Err(); err != nil {
			return err
		}
		pic, err := clip.Frame(0)
		if err != nil {
			return err
		}
		y, units, err := m.SpeakImage(pic)
		if err != nil {
			return fmt.Errorf("clip %s: %w", clip.Name, err)
		}
		heard, err := judge.Words(y)
		if err != nil {
			return fmt.Errorf("clip %s: %w", clip.Name, err)
		}
		base := fmt.Sprintf("img2speech_%d", i+1)
		if err := writePNGFile(d.path(base+".png"), pic); err != nil {
			return err
		}
		if err := avio.WriteMonoWAV(d.path(base+".wav"), y, m.Config.Rate, avio.PCM16); err != nil {
			return err
		}
		fmt.Fprintf(&rows, "| %s.png (%s.wav) | %s | %s | %d |\n", base, base, clip.Meta.Labels["caption"], strings.Join(heard, " "), len(units))
	}
	s.Lines = append(s.Lines, fmt.Sprintf("the shipped model (img2speech.Pretrained; its card: img2speech/pretrained/README.md) speaks %d pictures of a fresh captions corpus (synth.Captions, seed %d) with no text in between: picture → discrete units (beam search) → speech; the shipped judge (img2speech.PretrainedRecogniser, trained on clean speech only) says what it hears. The held-out figures (content words, beside shuffled pictures) are in README: Image to speech.\n\n", n, seed)+indent(rows.String()))
	s.Cmds = []string{"avl img2speech img2speech_1.png -o speech.wav --words"}
	return nil
}
