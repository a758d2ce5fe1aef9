package spectrogram

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/avlearn/avlearn/dsp"
)

// configJSON is Config with the dsp enums spelled as their names.
type configJSON struct {
	SampleRate           int
	NFFT, Hop, WinLength int
	Window               string
	Periodic, Center     bool
	Pad                  string
	Power                float64
	NMels                int
	MelScale, MelNorm    string
	FMin, FMax           float64
	DB                   bool
	TopDB                float64
	NMFCC                int
}

// MarshalJSON writes c with its field names and the pad mode, mel scale
// and mel norm as names ("reflect", "htk", "none"), so a spectrogram saved
// as .npy can carry the configuration that made it in a JSON file beside it.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(configJSON{
		SampleRate: c.SampleRate, NFFT: c.NFFT, Hop: c.Hop, WinLength: c.WinLength,
		Window: c.Window, Periodic: c.Periodic, Center: c.Center, Pad: c.Pad.String(),
		Power: c.Power, NMels: c.NMels, MelScale: c.MelScale.String(), MelNorm: c.MelNorm.String(),
		FMin: c.FMin, FMax: c.FMax, DB: c.DB, TopDB: c.TopDB, NMFCC: c.NMFCC,
	})
}

// UnmarshalJSON reads what MarshalJSON writes. Missing fields keep the
// values c had, so unmarshalling into DefaultConfig(rate) fills gaps with
// defaults. It does not validate; call Validate.
func (c *Config) UnmarshalJSON(b []byte) error {
	j := configJSON{
		SampleRate: c.SampleRate, NFFT: c.NFFT, Hop: c.Hop, WinLength: c.WinLength,
		Window: c.Window, Periodic: c.Periodic, Center: c.Center, Pad: c.Pad.String(),
		Power: c.Power, NMels: c.NMels, MelScale: c.MelScale.String(), MelNorm: c.MelNorm.String(),
		FMin: c.FMin, FMax: c.FMax, DB: c.DB, TopDB: c.TopDB, NMFCC: c.NMFCC,
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("spectrogram: config: %w", err)
	}
	pad, err := dsp.ParsePadMode(j.Pad)
	if err != nil {
		return fmt.Errorf("spectrogram: config Pad: %w", err)
	}
	ms, err := dsp.ParseMelScale(j.MelScale)
	if err != nil {
		return fmt.Errorf("spectrogram: config MelScale: %w", err)
	}
	mn, err := dsp.ParseMelNorm(j.MelNorm)
	if err != nil {
		return fmt.Errorf("spectrogram: config MelNorm: %w", err)
	}
	*c = Config{
		SampleRate: j.SampleRate, NFFT: j.NFFT, Hop: j.Hop, WinLength: j.WinLength,
		Window: j.Window, Periodic: j.Periodic, Center: j.Center, Pad: pad,
		Power: j.Power, NMels: j.NMels, MelScale: ms, MelNorm: mn,
		FMin: j.FMin, FMax: j.FMax, DB: j.DB, TopDB: j.TopDB, NMFCC: j.NMFCC,
	}
	return nil
}

// meta is the JSON file WriteMeta writes.
type meta struct {
	Kind   string `json:"kind"`
	Scale  string `json:"scale"`
	Shape  [2]int `json:"shape"` // (bins, frames)
	Config Config `json:"config"`
}

// WriteMeta writes what s is — kind, scale, (bins, frames) and the Config
// that made it — as JSON to path (atomically), to keep beside the .npy of
// WriteNPY, whose format has no room for it. ReadMeta reads it back.
func (s *Spectrogram) WriteMeta(path string) error {
	if err := s.check(); err != nil {
		return err
	}
	return writeMeta(path, meta{s.Kind.String(), s.Scale.String(), [2]int{s.Bins, s.Frames}, s.Config})
}

// writeMeta writes m as indented JSON to path, atomically.
func writeMeta(path string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("spectrogram: %w", err)
	}
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// ReadMeta reads the Config from a file WriteMeta wrote and validates it.
func ReadMeta(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := m.Config.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return m.Config, nil
}
