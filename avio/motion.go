package avio

import (
	"fmt"
	"path/filepath"
)

// MotionFile is the name of a clip's optional motion-sensor track: a mono
// WAV file at the sensor's own rate (100 Hz for synth's sensor clips),
// Float32-encoded so that values beyond ±1 survive (an accelerometer's
// acceleration in g, say). A WAV carries its rate in its header, and any
// audio tool opens it.
const MotionFile = "motion.wav"

// MotionPath returns the path of the clip's motion track (which need not
// exist).
func (c *Clip) MotionPath() string { return filepath.Join(c.Dir, MotionFile) }

// Motion reads the clip's motion track (the channel average if it has
// several) and its sample rate. Non-finite samples are refused with the
// index of the first one.
func (c *Clip) Motion() ([]float64, int, error) {
	a, _, err := ReadWAV(c.MotionPath())
	if err != nil {
		return nil, 0, fmt.Errorf("clip %s: %w", c.Name, err)
	}
	for ch, s := range a.Channels {
		if i := NonFinite(s); i >= 0 {
			return nil, 0, fmt.Errorf("clip %s: %s: channel %d, sample %d is %v; motion must hold finite numbers", c.Name, MotionFile, ch+1, i, s[i])
		}
	}
	return a.Mono(), a.SampleRate, nil
}
