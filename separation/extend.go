package separation

import "fmt"

// Changes is what a continued training run may change in a trained model
// (see Extend). Zero values keep the model's setting.
type Changes struct {
	Combs          int   // harmonic combs (0: keep)
	SalienceWindow int   // window of the salience STFT in samples (0: keep)
	TrackPitch     bool  // add pitch tracking
	MultiPitch     bool  // add pitch pairs
	Consistency    *bool // switch the mask rescaling on or off (nil: keep)
	Loss           Loss  // switch the loss ("": keep)
}

// Extend returns a model with the changes applied to m. Added comb,
// tracking and pitch-pair parts start where they change nothing (see
// WarmStart), so the extended model begins with m's masks; the rescaling
// and the loss have no weights and switch in place. m itself is returned
// when only those change, and is left as it is otherwise.
func Extend(m *Model, c Changes) (*Model, error) {
	cfg := m.Config
	if (c.TrackPitch || c.MultiPitch) && c.Combs == 0 && cfg.Combs == 0 {
		return nil, fmt.Errorf("separation: pitch tracking and pitch pairs need harmonic combs, and the model has none: give combs")
	}
	grow := (c.Combs != 0 && c.Combs != cfg.Combs) || (c.SalienceWindow != 0 && c.SalienceWindow != cfg.SalienceWindow) ||
		(c.TrackPitch && !cfg.TrackPitch) || (c.MultiPitch && !cfg.MultiPitch)
	if grow {
		if c.Combs != 0 {
			cfg.Combs = c.Combs
		}
		if c.SalienceWindow != 0 {
			cfg.SalienceWindow = c.SalienceWindow
		}
		cfg.TrackPitch = cfg.TrackPitch || c.TrackPitch
		cfg.MultiPitch = cfg.MultiPitch || c.MultiPitch
		if cfg.CombF0 == ([2]float64{}) { // a model saved before combs existed
			cfg.CombF0 = DefaultConfig().CombF0
		}
		var err error
		if m, err = WarmStart(cfg, m); err != nil {
			return nil, err
		}
	}
	if c.Consistency != nil {
		cfg.Consistency = *c.Consistency
	}
	if c.Loss != "" {
		cfg.Loss = c.Loss
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Consistency != m.Config.Consistency {
		m.Close() // compiled for the old setting
	}
	m.Config = cfg
	return m, nil
}
