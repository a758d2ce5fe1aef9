package img2speech

import (
	"fmt"
	"math"

	"github.com/avlearn/avlearn/avio"
)

// Config holds every size and hyper-parameter of an img2speech model. It
// is saved beside the weights, so a model file describes itself.
type Config struct {
	// Front-end: log-mel frames (dB) of pre-emphasised speech, a 25 ms
	// Hamming window every 10 ms, as ResDAVEnet-VQ.
	Rate        int     `json:"rate"`         // sample rate the audio is read at (16000)
	NMels       int     `json:"n_mels"`       // mel bands (40)
	PreEmphasis float64 `json:"pre_emphasis"` // coefficient (0.97)

	// Speech → units.
	Stride  int `json:"stride"`   // mel frames per unit: 4 (40 ms)
	Codes   int `json:"codes"`    // codebook size (64)
	CodeDim int `json:"code_dim"` // code dimension (32)
	Hidden  int `json:"hidden"`   // channels of the encoder's and decoder's convolutions (128)
	// DecoderKernel is the span, in units, of the decoder's convolutions:
	// 1 makes each unit alone give back its frames.
	DecoderKernel int     `json:"decoder_kernel"`
	Beta          float64 `json:"beta"` // VQ commitment-loss weight (0.25)
	// Image → units.
	ImageSize int `json:"image_size"` // pictures are scaled to ImageSize² (32)
	CapEmbed  int `json:"cap_embed"`  // unit embedding size of the captioner (32)
	CapHidden int `json:"cap_hidden"` // LSTM and attention size of the captioner (128)
	MaxUnits  int `json:"max_units"`  // longest unit sequence given or learnt (192; three-item captions pass 128)
	// ImageState centres the pixels (mean 0.5, std 0.25) and starts the
	// LSTM from a state computed from the whole picture (linear maps of
	// the flattened feature map, cap_init_h and cap_init_c, as Show,
	// Attend and Tell) instead of zeros: without it the captioner learnt
	// to ignore the picture (docs/runs/img2speech.md). Files written
	// before it existed load with it off.
	ImageState bool `json:"image_state"`
	// ImageStem starts the CNN with a stride-1 convolution (16 channels,
	// 3×3) at the picture's full resolution, before the three stride-2
	// ones: a shape is 3–4 pixels across at 32², and a first layer that
	// already halves the picture loses which shape it is. Files written
	// before it existed load with it off.
	ImageStem bool `json:"image_stem"`
	// ImagePretrain is the number of labelled object pictures the
	// captioner's CNN learnt to name before it learnt captions
	// (PretrainImage; 0: none). It records what was done: New and Load
	// do nothing with it. Files written before it existed load with it 0.
	ImagePretrain int `json:"image_pretrain"`
	// CapCoords appends each cell's coordinates (x and y in [−1, 1]) to
	// its annotation, so that what the captioner attends to says where it
	// is (the position words). Files written before it existed load with
	// it off.
	CapCoords bool `json:"cap_coords"`
	// CapVoices is the number of voices the captioner can be told to say
	// its units in (0: it is told none). Units depend on the voice that
	// said them, so a picture has as many right unit sequences as there
	// are voices; told the voice of each caption it learns one sequence
	// per picture and voice. TrainImage numbers the training speakers,
	// at most CapVoices of them, and the model speaks in one of them
	// (Model.SetVoice); rows of no training speaker stay as drawn and
	// change nothing. Files written before it existed load with it 0.
	CapVoices int `json:"cap_voices"`

	// Segment is the length in mel frames of the stretches the networks
	// run on (a multiple of Stride); longer speech is cut into segments.
	Segment int   `json:"segment"`
	Seed    int64 `json:"seed"` // weight initialisation
}

// DefaultConfig returns the recipe of the speech ↔ unit autoencoder:
// 40 log-mel bands, one unit every 4 frames (40 ms) from a codebook of 64,
// 128-channel convolutions, a decoder that gives back each unit's frames
// from that unit alone (its units are purer than with a decoder that sees
// neighbouring units; docs/runs/img2speech.md), segments of 1.28 s; a
// captioner that reads pictures of 32² pixels with a full-resolution
// first convolution (ImageStem) and starts from their state.
func DefaultConfig() Config {
	return Config{Rate: 16000, NMels: 40, PreEmphasis: 0.97, Stride: 4, Codes: 64, CodeDim: 32,
		Hidden: 128, DecoderKernel: 1, Beta: 0.25, Segment: 128, ImageSize: 32, CapEmbed: 32, CapHidden: 128, MaxUnits: 192, ImageState: true, ImageStem: true, CapVoices: 16, Seed: 1}
}

// Validate reports the first problem with c, naming its JSON key.
func (c Config) Validate() error {
	switch {
	case c.Rate < 8000 || c.Rate > 48000:
		return fmt.Errorf("img2speech: config: rate %d Hz; want 8000–48000", c.Rate)
	case c.NMels < 8 || c.NMels > 128:
		return fmt.Errorf("img2speech: config: n_mels %d; want 8–128", c.NMels)
	case !(c.PreEmphasis >= 0 && c.PreEmphasis < 1) || math.IsNaN(c.PreEmphasis):
		return fmt.Errorf("img2speech: config: pre_emphasis %v; want 0 ≤ p < 1", c.PreEmphasis)
	case c.Stride != 4:
		// the encoder downsamples with two stride-2 convolutions
		return fmt.Errorf("img2speech: config: stride %d; want 4 (40 ms units)", c.Stride)
	case c.Codes < 2 || c.Codes > 4096:
		return fmt.Errorf("img2speech: config: codes %d; want 2–4096", c.Codes)
	case c.CodeDim < 1 || c.CodeDim > 1024:
		return fmt.Errorf("img2speech: config: code_dim %d; want 1–1024", c.CodeDim)
	case c.Hidden < 1 || c.Hidden > 1024:
		return fmt.Errorf("img2speech: config: hidden %d; want 1–1024", c.Hidden)
	case c.DecoderKernel < 1 || c.DecoderKernel > 9 || c.DecoderKernel%2 == 0:
		return fmt.Errorf("img2speech: config: decoder_kernel %d; want an odd number 1–9", c.DecoderKernel)
	case !(c.Beta >= 0 && c.Beta <= 10):
		return fmt.Errorf("img2speech: config: beta %v; want 0–10", c.Beta)
	case c.ImageSize < 8 || c.ImageSize > 256 || c.ImageSize%8 != 0:
		return fmt.Errorf("img2speech: config: image_size %d; want a multiple of 8 in 8–256", c.ImageSize)
	case c.CapEmbed < 1 || c.CapEmbed > 1024:
		return fmt.Errorf("img2speech: config: cap_embed %d; want 1–1024", c.CapEmbed)
	case c.CapHidden < 1 || c.CapHidden > 1024:
		return fmt.Errorf("img2speech: config: cap_hidden %d; want 1–1024", c.CapHidden)
	case c.CapVoices < 0 || c.CapVoices > 1024:
		return fmt.Errorf("img2speech: config: cap_voices %d; want 0–1024", c.CapVoices)
	case c.ImagePretrain < 0 || c.ImagePretrain > MaxObjectPictures:
		return fmt.Errorf("img2speech: config: image_pretrain %d; want 0–%d", c.ImagePretrain, MaxObjectPictures)
	case c.MaxUnits < 1 || c.MaxUnits > 1024:
		return fmt.Errorf("img2speech: config: max_units %d; want 1–1024", c.MaxUnits)
	case c.Segment < c.Stride || c.Segment > 4096 || c.Segment%c.Stride != 0:
		return fmt.Errorf("img2speech: config: segment %d frames; want a multiple of stride %d, at most 4096", c.Segment, c.Stride)
	}
	return nil
}

// annotationExtra is the number of channels the captioner adds to each
// cell's features (its coordinates).
func (c Config) annotationExtra() int {
	if c.CapCoords {
		return 2
	}
	return 0
}

// imageOptions is how the captioner reads a picture.
func (c Config) imageOptions() avio.FrameOptions {
	o := avio.FrameOptions{Width: c.ImageSize, Height: c.ImageSize}
	if c.ImageState {
		o.Mean, o.Std = []float64{0.5, 0.5, 0.5}, []float64{0.25, 0.25, 0.25}
	}
	return o
}
