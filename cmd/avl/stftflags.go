package main

import (
	"flag"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/internal/cli"
	"github.com/avlearn/avlearn/spectrogram"
)

// stftFlags are the front-end flags shared by spectrogram and griffinlim.
// Zero sizes mean the speech defaults of spectrogram.DefaultConfig for the
// signal's sample rate (25 ms window, 10 ms hop, next power of two n_fft).
type stftFlags struct {
	nFFT, hop, winLength int
	window               string
	periodic, center     bool
	padMode              string
	power                float64
}

func addSTFTFlags(fs *flag.FlagSet) *stftFlags {
	f := &stftFlags{}
	fs.IntVar(&f.nFFT, "n-fft", 0, "FFT size (0: next power of two ≥ the window)")
	fs.IntVar(&f.hop, "hop", 0, "hop in samples (0: 10 ms)")
	fs.IntVar(&f.winLength, "win-length", 0, "window length in samples (0: 25 ms, at most n-fft)")
	fs.StringVar(&f.window, "window", "hamming", "window: hamming, hann, blackman or rect")
	fs.BoolVar(&f.periodic, "periodic", true, "periodic window (torch's default); false for symmetric")
	fs.BoolVar(&f.center, "center", true, "centre frames by padding n-fft/2 on each side")
	fs.StringVar(&f.padMode, "pad-mode", "reflect", "centre padding: reflect or constant")
	fs.Float64Var(&f.power, "power", 2, "exponent of |X|: 2 power, 1 magnitude")
	return f
}

// config returns the STFT part of a spectrogram.Config for rate, filling
// unset sizes with speech defaults.
func (f *stftFlags) config(rate int) (spectrogram.Config, error) {
	c := spectrogram.DefaultConfig(rate)
	switch {
	case f.nFFT < 0:
		return c, cli.Usagef("--n-fft %d: want > 0", f.nFFT)
	case f.hop < 0:
		return c, cli.Usagef("--hop %d: want > 0", f.hop)
	case f.winLength < 0:
		return c, cli.Usagef("--win-length %d: want > 0", f.winLength)
	case f.power != 1 && f.power != 2:
		return c, cli.Usagef("--power %g: want 1 or 2", f.power)
	}
	if f.winLength > 0 {
		c.WinLength = f.winLength
	}
	if f.nFFT > 0 {
		c.NFFT = f.nFFT
		if f.winLength == 0 && c.WinLength > c.NFFT {
			c.WinLength = c.NFFT // torch's default win_length is n_fft
		}
	} else {
		c.NFFT = 1
		for c.NFFT < c.WinLength {
			c.NFFT <<= 1
		}
	}
	if c.WinLength > c.NFFT {
		return c, cli.Usagef("--win-length %d is longer than --n-fft %d", c.WinLength, c.NFFT)
	}
	if f.hop > 0 {
		c.Hop = f.hop
	}
	// the sizes are set above; the other flags always apply
	return c, f.override(&c, func(name string) bool { return name != "n-fft" && name != "hop" && name != "win-length" })
}

// override sets the fields of c whose flags pass given (for commands that
// start from a saved configuration: the flags given explicitly) and
// validates the result.
func (f *stftFlags) override(c *spectrogram.Config, given func(name string) bool) error {
	if given("n-fft") {
		c.NFFT = f.nFFT
	}
	if given("hop") {
		c.Hop = f.hop
	}
	if given("win-length") {
		c.WinLength = f.winLength
	}
	if given("window") {
		if _, err := dsp.WindowByName(f.window, 1, true); err != nil {
			return cli.Usagef("--window %q: want hamming, hann, blackman or rect", f.window)
		}
		c.Window = f.window
	}
	if given("pad-mode") {
		pad, err := dsp.ParsePadMode(f.padMode)
		if err != nil {
			return cli.Usagef("--pad-mode %q: want reflect or constant", f.padMode)
		}
		c.Pad = pad
	}
	if given("periodic") {
		c.Periodic = f.periodic
	}
	if given("center") {
		c.Center = f.center
	}
	if given("power") {
		c.Power = f.power
	}
	if err := c.Validate(); err != nil {
		return cli.Usagef("%v", err)
	}
	return nil
}

// checkRate rejects a --sr value before any work.
func checkRate(name string, rate int) error {
	if rate < 0 || rate > 1_000_000 {
		return cli.Usagef("--%s %d: want a sample rate in Hz (1..1000000)", name, rate)
	}
	return nil
}
