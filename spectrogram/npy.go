package spectrogram

import (
	"fmt"

	"github.com/avlearn/avlearn/avio"
)

// WriteNPY writes s.Data to path as a float32 .npy array of shape
// (Bins, Frames), the layout of torch and librosa; the file is written
// atomically. The .npy format has no room for the Config: keep it beside
// the file if the values must be interpreted later.
func (s *Spectrogram) WriteNPY(path string) error {
	if err := s.check(); err != nil {
		return err
	}
	return avio.WriteNPY(path, s.Data, s.Bins, s.Frames)
}

// ReadNPY reads a (bins, frames) .npy array, such as WriteNPY or
// numpy.save of a torchaudio spectrogram writes, and attaches c as the
// configuration that made it. The number of rows must be c.Bins().
func ReadNPY(path string, c Config) (*Spectrogram, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	a, err := avio.ReadNPY(path)
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("%s: shape %v, want (bins, frames)", path, a.Shape)
	}
	if a.Shape[0] != c.Bins() {
		return nil, fmt.Errorf("%s: %d rows, want %d for a %s spectrogram with n_fft %d, %d mel bands, %d MFCCs", path, a.Shape[0], c.Bins(), c.Kind(), c.NFFT, c.NMels, c.NMFCC)
	}
	if a.Shape[1] == 0 {
		return nil, fmt.Errorf("%s: no frames", path)
	}
	return &Spectrogram{Data: a.Float32(), Bins: a.Shape[0], Frames: a.Shape[1], Config: c, Kind: c.Kind(), Scale: c.Scale()}, nil
}
