package separation

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/cmplx"
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// voice returns a harmonic test signal with a wandering pitch.
func voice(n int, f0 float64, seed int64) []float64 {
	r := rand.New(rand.NewSource(seed))
	x := make([]float64, n)
	ph := 0.0
	for i := range x {
		f := f0 * (1 + 0.05*math.Sin(2*math.Pi*3*float64(i)/16000))
		ph += 2 * math.Pi * f / 16000
		for h := 1; h <= 8; h++ {
			x[i] += 0.1 / float64(h) * math.Sin(float64(h)*ph)
		}
		x[i] += 0.001 * r.NormFloat64()
	}
	return x
}

func snr(t *testing.T, ref, est []float64) float64 {
	t.Helper()
	v, err := dsp.SNR(ref, est)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The power law acts on the bins: |Analyse(x)| = |STFT(x)|^p with the
// phase kept, which compressing the waveform does not give.
func TestCompressionIsOnTheSpectrogram(t *testing.T) {
	c := PlainConfig()
	x := voice(8000, 150, 1)
	X, err := dsp.STFT(x, c.STFT())
	if err != nil {
		t.Fatal(err)
	}
	Y, err := c.Analyse(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range X.Data {
		y := Y.Data[i]
		if math.Abs(cmplx.Abs(y)-math.Pow(cmplx.Abs(v), c.Power)) > 1e-9*(1+cmplx.Abs(y)) {
			t.Fatalf("bin %d: |Y| = %g, |X|^p = %g", i, cmplx.Abs(y), math.Pow(cmplx.Abs(v), c.Power))
		}
		if cmplx.Abs(v) > 1e-6 && math.Abs(cmplx.Phase(y*cmplx.Conj(v))) > 1e-9 {
			t.Fatalf("bin %d: phase changed", i)
		}
	}
	// The public-reimplementation mistake: compress the samples, then
	// take the STFT. Its magnitudes are far from |X|^p.
	w := make([]float64, len(x))
	for i, v := range x {
		w[i] = math.Copysign(math.Pow(math.Abs(v), c.Power), v)
	}
	W, err := dsp.STFT(w, c.STFT())
	if err != nil {
		t.Fatal(err)
	}
	var d, s float64
	for i := range W.Data {
		d += math.Abs(cmplx.Abs(W.Data[i]) - cmplx.Abs(Y.Data[i]))
		s += cmplx.Abs(Y.Data[i])
	}
	if d/s < 0.1 {
		t.Fatalf("waveform compression is indistinguishable from spectrogram compression (rel. diff %g): the test does not discriminate", d/s)
	}
}

// Analyse then Synthesise returns the waveform: the inverse is the
// one-sided ISTFT (a full complex inverse FFT of the Bins values would lose
// the negative frequencies: half the amplitude and an imaginary part).
func TestAnalyseSynthesiseRoundTrip(t *testing.T) {
	c := PlainConfig()
	for _, n := range []int{16000, 16123, 401} {
		x := voice(n, 120, 2)
		Y, err := c.Analyse(x)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 + n/c.Hop; Y.Frames != want || Y.Bins != 257 {
			t.Fatalf("n=%d: %d×%d spectrogram, want %d frames × 257 bins", n, Y.Frames, Y.Bins, want)
		}
		y, err := c.Synthesise(Y, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(y) != n {
			t.Fatalf("length %d, want %d", len(y), n)
		}
		if v := snr(t, x, y); v < 200 {
			t.Fatalf("n=%d: round trip SNR %.1f dB", n, v)
		}
	}
	// The mistake, done on purpose: inverse FFT of the one-sided frame
	// zero-filled to NFFT. Frame 10's real part then has about half the
	// energy of the windowed frame.
	X, _ := dsp.STFT(voice(16000, 120, 2), c.STFT())
	f := dsp.NewFFT(c.NFFT)
	frame := X.Data[10*X.Bins : 11*X.Bins]
	var e float64 // naive complex inverse DFT, bins ≥ Bins taken as zero
	for n := 0; n < c.NFFT; n++ {
		var v complex128
		for k, x := range frame {
			v += x * cmplx.Exp(complex(0, 2*math.Pi*float64(k*n)/float64(c.NFFT)))
		}
		v /= complex(float64(c.NFFT), 0)
		e += real(v) * real(v)
	}
	var ok float64
	ref := make([]float64, c.NFFT)
	for _, v := range f.Inverse(ref, X.Data[10*X.Bins:11*X.Bins]) {
		ok += v * v
	}
	if r := e / ok; r > 0.4 || r < 0.1 {
		t.Fatalf("full inverse of a one-sided frame keeps %.2f of the energy; expected about 1/4", r)
	}
}

// Through the model's analysis and synthesis, an identity mask returns the
// mixture and oracle complex masks (S_c / X_c in the compressed domain)
// return every source.
func TestMasksExact(t *testing.T) {
	c := PlainConfig()
	n := 12000
	a, b := voice(n, 110, 3), voice(n, 210, 4)
	mix := make([]float64, n)
	for i := range mix {
		mix[i] = a[i] + 0.7*b[i]
		b[i] *= 0.7
	}
	X, err := c.Analyse(mix)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float32, len(X.Data))
	for i := range ones {
		ones[i] = 1
	}
	for _, im := range [][]float32{nil, make([]float32, len(X.Data))} {
		Y, err := dsp.ApplyMask(X, ones, im)
		if err != nil {
			t.Fatal(err)
		}
		y, err := c.Synthesise(Y, n)
		if err != nil {
			t.Fatal(err)
		}
		if v := snr(t, mix, y); v < 200 {
			t.Fatalf("identity mask: SNR %.1f dB against the mixture", v)
		}
	}
	for _, src := range [][]float64{a, b} {
		S, _ := c.Analyse(src)
		re, im := make([]float32, len(X.Data)), make([]float32, len(X.Data))
		for i, x := range X.Data {
			if x != 0 {
				m := S.Data[i] / x
				re[i], im[i] = float32(real(m)), float32(imag(m))
			}
		}
		Y, err := dsp.ApplyMask(X, re, im)
		if err != nil {
			t.Fatal(err)
		}
		y, err := c.Synthesise(Y, n)
		if err != nil {
			t.Fatal(err)
		}
		if v := snr(t, src, y); v < 100 { // float32 masks: ≈ 1e-7 relative per bin
			t.Fatalf("oracle complex mask: SNR %.1f dB against the source", v)
		}
	}
}

// tinyConfig is a model small enough for unit tests.
func tinyConfig() Config {
	c := PlainConfig()
	c.NFFT, c.WinLength, c.Hop = 128, 100, 40
	c.Rate = 4000
	c.AudioChannels, c.Dilations = 8, []int{1, 2}
	c.VisualDim, c.VisualDil = 4, []int{1}
	c.LSTMHidden, c.FCHidden = 8, 16
	c.MouthW, c.MouthH = 8, 8
	c.Segment = 0.4
	return c
}

func faces(n int, seed int64) FaceTrack {
	r := rand.New(rand.NewSource(seed))
	ft := FaceTrack{FPS: 25}
	for i := 0; i < n; i++ {
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		for p := range img.Pix {
			img.Pix[p] = uint8(r.Intn(256))
		}
		img.Set(0, 0, color.White)
		ft.Frames = append(ft.Frames, img)
	}
	return ft
}

// variants lists the tiny configuration with every mask kind and option.
func variants() []Config {
	var cs []Config
	for _, mask := range []Mask{MaskComplex, MaskReal} {
		c := tinyConfig()
		c.Mask = mask
		cs = append(cs, c)
	}
	c := tinyConfig()
	c.Mask, c.Combs = MaskReal, 12
	cs = append(cs, c)
	c.TrackPitch = true
	cs = append(cs, c)
	c.MultiPitch, c.SalienceWindow = true, 200
	cs = append(cs, c)
	c.TrackPitch = false
	cs = append(cs, c)
	c.Consistency = true
	return append(cs, c)
}

func TestSeparateShapesAndSaveLoad(t *testing.T) {
	for _, c := range variants() {
		mask := fmt.Sprintf("%s/combs=%d/track=%v/multi=%v/consistent=%v", c.Mask, c.Combs, c.TrackPitch, c.MultiPitch, c.Consistency)
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		mix := voice(4000, 200, 5)[:3990]
		fs := []FaceTrack{faces(25, 1), faces(25, 2)}
		out, err := m.Separate(mix, fs)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 2 || len(out[0]) != len(mix) || len(out[1]) != len(mix) {
			t.Fatalf("%s: got %d outputs", mask, len(out))
		}
		path := filepath.Join(t.TempDir(), "m.safetensors")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		m2, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		out2, err := m2.Separate(mix, fs)
		if err != nil {
			t.Fatal(err)
		}
		for s := range out {
			for i := range out[s] {
				if out[s][i] != out2[s][i] {
					t.Fatalf("%s: loaded model differs at speaker %d sample %d", mask, s, i)
				}
			}
		}
		// bad input: wrong face count, fps, duration
		if _, err := m.Separate(mix, fs[:1]); err == nil {
			t.Fatal("one face for a two-speaker model accepted")
		}
		bad := faces(25, 3)
		bad.FPS = 30
		if _, err := m.Separate(mix, []FaceTrack{fs[0], bad}); err == nil {
			t.Fatal("30 fps face accepted by a 25 fps model")
		}
		if _, err := m.Separate(mix, []FaceTrack{fs[0], faces(40, 4)}); err == nil {
			t.Fatal("face track of 1.6 s accepted for a 1 s mixture")
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := PlainConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []func(*Config){
		func(c *Config) { c.Power = 0 },
		func(c *Config) { c.Hop = 300 },
		func(c *Config) { c.Mask = "phase" },
		func(c *Config) { c.Speakers = 0 },
		func(c *Config) { c.MouthBox[2] = 0.1 },
		func(c *Config) { c.AudioOnly, c.Speakers = true, 3 },
		func(c *Config) { c.AudioStream = "2d" },
		func(c *Config) { c.AudioStream = "tf" }, // removed
		func(c *Config) { c.Dilations = []int{0} },
		func(c *Config) { c.Combs = -1 },
		func(c *Config) { c.Combs, c.CombF0 = 10, [2]float64{200, 100} },
		func(c *Config) { c.Consistency = true }, // complex masks
		func(c *Config) { c.Consistency, c.Mask, c.Speakers = true, MaskReal, 1 },
	} {
		c := PlainConfig()
		f(&c)
		if c.Validate() == nil {
			t.Errorf("bad config accepted: %+v", c)
		}
	}
}

// Files written before Config.AudioStream existed hold no such field, and
// files written with it say "frames": both load as the one audio stream.
func TestConfigStreamFrames(t *testing.T) {
	for _, stream := range []string{"", "frames"} {
		c := tinyConfig()
		c.AudioStream = stream
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		if m.audioIn == nil || len(m.heads) != c.Speakers {
			t.Fatalf("audio_stream %q did not build the frame-wise model", stream)
		}
		m.Close()
	}
}

// The estimates Separate inverts are the ones the loss sees: the L2 loss
// recomputed from them equals the graph's loss on the same mixture.
func TestEstimatesMatchLoss(t *testing.T) {
	for _, c := range variants() {
		mask := fmt.Sprintf("%s/combs=%d/track=%v/multi=%v/consistent=%v", c.Mask, c.Combs, c.TrackPitch, c.MultiPitch, c.Consistency)
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		ex := twoVoices(c)
		want, ft := graphLoss(t, m, ex)
		es, err := m.estimates(ex)
		if err != nil {
			t.Fatal(err)
		}
		var got float64
		for s, e := range es {
			for j, v := range e.Data {
				dr, di := real(v)-float64(ft.sr[s][j]), imag(v)-float64(ft.si[s][j])
				got += dr*dr + di*di
			}
		}
		got /= float64(2 * len(ft.xr))
		if math.Abs(got-float64(want)) > 1e-4*float64(want) {
			t.Fatalf("%s: loss from the estimates %g, graph loss %g", mask, got, want)
		}
	}
}

// With Consistency the separated spectrograms add up to the mixture, and
// they are the projection of the plain masks' estimates: each output's
// linear spectrogram plus its share, in proportion to its magnitude, of
// what the plain estimates leave of the mixture.
func TestConsistencyAddsUpToMixture(t *testing.T) {
	c := tinyConfig()
	c.Mask, c.Combs = MaskReal, 12
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ex := twoVoices(c)
	plain, err := m.estimates(ex)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetConsistency(true); err != nil {
		t.Fatal(err)
	}
	got, err := m.estimates(ex)
	if err != nil {
		t.Fatal(err)
	}
	X, err := dsp.STFT(ex.mix, c.STFT())
	if err != nil {
		t.Fatal(err)
	}
	var lin, linPlain []*dsp.ComplexSpectrogram
	for s := range got {
		lin = append(lin, dsp.DecompressSpectrogram(got[s], c.Power))
		linPlain = append(linPlain, dsp.DecompressSpectrogram(plain[s], c.Power))
	}
	var worstSum, worstProj, scale float64
	for i, x := range X.Data {
		scale = max(scale, cmplx.Abs(x))
		worstSum = max(worstSum, cmplx.Abs(lin[0].Data[i]+lin[1].Data[i]-x))
		a, b := cmplx.Abs(linPlain[0].Data[i]), cmplx.Abs(linPlain[1].Data[i])
		if a+b < 1e-3*cmplx.Abs(x) {
			continue // both masks near zero: the share is the logits' to decide
		}
		rest := x - linPlain[0].Data[i] - linPlain[1].Data[i]
		want := linPlain[0].Data[i] + complex(a/(a+b), 0)*rest
		worstProj = max(worstProj, cmplx.Abs(lin[0].Data[i]-want))
	}
	if worstSum > 1e-4*scale || worstProj > 1e-4*scale {
		t.Fatalf("outputs miss the mixture by up to %.3g, the projection by %.3g (largest bin %.3g)", worstSum, worstProj, scale)
	}
	if err := m.SetConsistency(false); err != nil {
		t.Fatal(err)
	}
	again, err := m.estimates(ex)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Data[5] != plain[0].Data[5] {
		t.Fatal("switching consistency off did not restore the plain masks")
	}
}

// The SI-SDR loss is what its name says: the graph's loss equals minus the
// mean SI-SDR of the waveforms that separate returns, with and without
// the consistency rescaling.
func TestSISDRLossMatchesSeparate(t *testing.T) {
	for _, consistent := range []bool{false, true} {
		c := tinyConfig()
		c.Mask, c.Combs, c.Loss, c.Consistency = MaskReal, 12, LossSISDR, consistent
		m, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		ex := twoVoices(c)
		loss, _ := graphLoss(t, m, ex)
		ys, err := m.separate(ex)
		if err != nil {
			t.Fatal(err)
		}
		var want float64
		for s, y := range ys {
			v, err := dsp.SISDR(ex.srcs[s], y)
			if err != nil {
				t.Fatal(err)
			}
			want -= v / 2
		}
		if math.Abs(want-float64(loss)) > 0.01 {
			t.Fatalf("consistent=%v: graph loss %.4f dB, −SI-SDR of the separated voices %.4f", consistent, loss, want)
		}
		t.Logf("consistent=%v: %.4f dB", consistent, loss)
	}
}

// The gradient of the SI-SDR loss flows through the inverse STFT by its
// adjoint: ⟨ISTFT(Y), g⟩ = ⟨Y, adjoint(g)⟩ for random Y and g.
func TestISTFTAdjoint(t *testing.T) {
	c := tinyConfig()
	samples := c.SegmentSamples()
	frames := c.STFT().NumFrames(samples)
	fwd, adj := c.istftMap(2, frames, samples)
	r := rand.New(rand.NewSource(3))
	Y := make([]float32, 2*2*frames*c.Bins())
	g := make([]float32, 2*samples)
	for i := range Y {
		Y[i] = float32(r.NormFloat64())
	}
	for i := range g {
		g[i] = float32(r.NormFloat64())
	}
	y, gy := make([]float32, len(g)), make([]float32, len(Y))
	if err := fwd(y, Y); err != nil {
		t.Fatal(err)
	}
	if err := adj(gy, g); err != nil {
		t.Fatal(err)
	}
	var a, b float64
	for i := range y {
		a += float64(y[i]) * float64(g[i])
	}
	for i := range Y {
		b += float64(Y[i]) * float64(gy[i])
	}
	if math.Abs(a-b) > 1e-4*math.Abs(a) {
		t.Fatalf("⟨ISTFT(Y), g⟩ = %.6g, ⟨Y, adjoint(g)⟩ = %.6g", a, b)
	}
}

// twoVoices returns a mixture of two test voices (100 and 180 Hz) of one
// training segment with random faces.
func twoVoices(c Config) *example {
	n := c.SegmentSamples()
	ex := &example{mix: make([]float64, n), vf: c.SegmentFrames()}
	for s := 0; s < 2; s++ {
		v := voice(n, 100+80*float64(s), int64(s))
		ex.srcs = append(ex.srcs, v)
		for i := range v {
			ex.mix[i] += v[i]
		}
		ex.mouths = append(ex.mouths, c.mouths(faces(ex.vf, int64(s)).Frames))
	}
	return ex
}

// graphLoss runs m's evaluation graph with its loss on ex and returns the
// loss and ex's features.
func graphLoss(t *testing.T, m *Model, ex *example) (float32, *features) {
	t.Helper()
	c := m.Config
	ft, err := c.features(ex, true)
	if err != nil {
		t.Fatal(err)
	}
	prog := nets.NewProgram(m.define(true), nets.ProgramOptions{Mode: nets.Eval})
	defer prog.Close()
	pass, err := prog.Run(c.feeds([]*features{ft}, []*example{ex}, true)...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := pass.Loss()
	if err != nil {
		t.Fatal(err)
	}
	return float32(l), ft
}
