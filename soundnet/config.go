package soundnet

import (
	"fmt"
	"math"
)

// Rate is SoundNet's sample rate in Hz: every waveform is read (and
// resampled if needed) at this rate.
const Rate = 22050

// InputScale multiplies waveforms in [-1, 1] before the first layer, as the
// original SoundNet does (it feeds samples scaled to [-256, 256]).
const InputScale = 256

// layerSpec is one row of SoundNet-8's table (Aytar, Vondrick and Torralba,
// "SoundNet", NIPS 2016, table 1): a 1-D convolution with BatchNorm and
// ReLU, followed by max pooling when pool > 0.
type layerSpec struct {
	out, kernel, stride, pad, pool int
}

// table is SoundNet-8 conv1–conv7 at width 1; conv8 (both heads) is kernel
// 8, stride 2, no padding, no BatchNorm.
var table = [7]layerSpec{
	{16, 64, 2, 32, 8},
	{32, 32, 2, 16, 8},
	{64, 16, 2, 8, 0},
	{128, 8, 2, 4, 0},
	{256, 4, 2, 2, 4},
	{512, 4, 2, 2, 0},
	{1024, 4, 2, 2, 0},
}

const conv8Kernel, conv8Stride = 8, 2

// Layers lists the names Features accepts, from the input upwards. "pool5"
// is the max-pooled conv5 output the paper transfers; "conv8" is both heads'
// outputs stacked (objects first).
var Layers = []string{"conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5",
	"conv6", "conv7", "conv8_objs", "conv8_scns", "conv8"}

// Config is every size of a SoundNet-8 model. It is saved beside the
// weights, so a model file describes itself.
type Config struct {
	// Width multiplies the channel count of conv1–conv7 (16 … 1024 at 1,
	// the paper's size); 0.25 gives 4 … 256 channels and trains on a CPU
	// in minutes. Each layer keeps at least one channel.
	Width float64 `json:"width"`
	// Objects and Scenes are the sizes of the two conv8 heads (1000 and
	// 401 in the paper: ImageNet objects and Places scenes); they must
	// equal the teacher's class counts.
	Objects int `json:"objects"`
	Scenes  int `json:"scenes"`
	// ObjectNames and ScenesNames optionally name the head outputs (the
	// teacher's classes), in order.
	ObjectNames []string `json:"object_names,omitempty"`
	SceneNames  []string `json:"scene_names,omitempty"`
	// Window is the length in seconds of the training excerpts; clips
	// shorter than that are zero-padded at the end. It must give at least
	// one conv8 step: MinSamples() samples, 9.50 s.
	Window float64 `json:"window"`
	// Seed draws the initial weights.
	Seed int64 `json:"seed"`
	// Shift is the largest random shift, in seconds, of a training
	// excerpt (a circular shift, drawn afresh at every step); 0 turns it
	// off. Shifts up to half a conv8 step (1.49 s) keep each step next to
	// the frame that teaches it.
	Shift float64 `json:"shift,omitempty"`
	// Gain is the largest random level change, in dB, of a training
	// excerpt (uniform in ±Gain, drawn at every step); 0 turns it off.
	Gain float64 `json:"gain_db,omitempty"`
}

// DefaultConfig is the recipe "avl soundnet distill" uses without tuning
// flags: width 0.25 (4 … 256 channels), 10 s excerpts (one conv8 step),
// shifted by up to 1.4 s and scaled by up to ±6 dB at random, with the
// 6 object and 6 scene heads of a teacher trained on a default
// synth.Scenes corpus (the command takes the head sizes from its teacher).
func DefaultConfig() Config {
	return Config{Width: 0.25, Objects: 6, Scenes: 6, Window: 10, Seed: 1, Shift: 1.4, Gain: 6}
}

// PaperConfig is the paper's full-size SoundNet-8: width 1, 1000 object
// and 401 scene outputs (ImageNet and Places), 20 s excerpts (4 conv8
// steps), no augmentation.
func PaperConfig() Config {
	return Config{Width: 1, Objects: 1000, Scenes: 401, Window: 20, Seed: 1}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case !(c.Width > 0) || c.Width > 16 || math.IsInf(c.Width, 0):
		return fmt.Errorf("soundnet: width = %v, want in (0, 16]", c.Width)
	case c.Objects < 1 || c.Objects > 100000:
		return fmt.Errorf("soundnet: objects = %d, want 1–100000", c.Objects)
	case c.Scenes < 1 || c.Scenes > 100000:
		return fmt.Errorf("soundnet: scenes = %d, want 1–100000", c.Scenes)
	case len(c.ObjectNames) != 0 && len(c.ObjectNames) != c.Objects:
		return fmt.Errorf("soundnet: object_names has %d names for %d objects", len(c.ObjectNames), c.Objects)
	case len(c.SceneNames) != 0 && len(c.SceneNames) != c.Scenes:
		return fmt.Errorf("soundnet: scene_names has %d names for %d scenes", len(c.SceneNames), c.Scenes)
	case !(c.Window > 0) || c.Window > 600:
		return fmt.Errorf("soundnet: window = %v s, want in (0, 600]", c.Window)
	case !(c.Shift >= 0) || c.Shift > c.Window/2:
		return fmt.Errorf("soundnet: shift = %v s, want in [0, window/2 = %v]", c.Shift, c.Window/2)
	case !(c.Gain >= 0) || c.Gain > 40:
		return fmt.Errorf("soundnet: gain_db = %v, want in [0, 40]", c.Gain)
	case c.WindowSamples() < MinSamples():
		return fmt.Errorf("soundnet: window = %v s is %d samples, shorter than SoundNet-8's receptive field of %d samples (%.2f s)",
			c.Window, c.WindowSamples(), MinSamples(), float64(MinSamples())/Rate)
	}
	return nil
}

// WindowSamples is Window in samples at Rate.
func (c Config) WindowSamples() int { return int(math.Round(c.Window * Rate)) }

// Channels returns the channel counts of conv1–conv7 at c.Width.
func (c Config) Channels() [7]int {
	var ch [7]int
	for i, s := range table {
		ch[i] = max(1, int(math.Round(float64(s.out)*c.Width)))
	}
	return ch
}

// convLen is PyTorch's output length of a convolution or pooling.
func convLen(n, k, s, p int) int {
	v := n + 2*p - k
	if v < 0 {
		return 0
	}
	return v/s + 1
}

// Lengths returns the time length of every layer in Layers order for an
// input of n samples; a 0 means the input is too short to reach that layer.
func Lengths(n int) map[string]int {
	out := map[string]int{}
	l := n
	for i, s := range table {
		name := fmt.Sprintf("conv%d", i+1)
		l = convLen(l, s.kernel, s.stride, s.pad)
		out[name] = l
		if s.pool > 0 {
			l = convLen(l, s.pool, s.pool, 0)
			out[fmt.Sprintf("pool%d", i+1)] = l
		}
	}
	l = convLen(l, conv8Kernel, conv8Stride, 0)
	out["conv8_objs"], out["conv8_scns"], out["conv8"] = l, l, l
	return out
}

// MinSamples is the shortest input that gives one conv8 step: 209,374
// samples (9.50 s at 22,050 Hz).
func MinSamples() int {
	lo, hi := 1, 1<<22
	for lo < hi { // output length is non-decreasing in n
		m := (lo + hi) / 2
		if Lengths(m)["conv8"] >= 1 {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// StepStride is the number of input samples between conv8 steps: 65,536
// (2.97 s).
const StepStride = 2 * 8 * 2 * 8 * 2 * 2 * 2 * 4 * 2 * 2 * 2

// StepSpan returns the input samples [first, last] that conv8 step j sees
// (its receptive field; first may be negative and last past the end,
// where the network sees zero padding).
func StepSpan(j int) (first, last int) { return layerSpan("conv8", j) }

// layerSpan returns the input samples [first, last] that step j of layer
// (one of Layers) sees.
func layerSpan(layer string, j int) (first, last int) {
	type kp struct{ k, s, p int }
	var ls []kp
	done := false
	for i, s := range table {
		ls = append(ls, kp{s.kernel, s.stride, s.pad})
		if done = layer == fmt.Sprintf("conv%d", i+1); done {
			break
		}
		if s.pool > 0 {
			ls = append(ls, kp{s.pool, s.pool, 0})
			if done = layer == fmt.Sprintf("pool%d", i+1); done {
				break
			}
		}
	}
	if !done {
		ls = append(ls, kp{conv8Kernel, conv8Stride, 0})
	}
	// Walk down: output i of a layer (k, s, p) sees inputs i·s − p …
	// i·s − p + k − 1.
	first, last = j, j
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		first = first*l.s - l.p
		last = last*l.s - l.p + l.k - 1
	}
	return first, last
}

// centredSteps returns the steps [j0, j1) of layer (of steps in all) whose
// receptive field is centred on input samples lo … hi−1; at least one.
func centredSteps(layer string, steps, lo, hi int) (j0, j1 int) {
	centre := func(j int) int { a, b := layerSpan(layer, j); return (a + b) / 2 }
	for j0 < steps-1 && centre(j0) < lo {
		j0++
	}
	j1 = j0 + 1
	for j1 < steps && centre(j1) < hi {
		j1++
	}
	return j0, j1
}

// StepTime is the time in seconds at the centre of conv8 step j's
// receptive field: the moment whose video frame teaches that step.
func StepTime(j int) float64 {
	a, b := StepSpan(j)
	return float64(a+b) / 2 / Rate
}
