package synth

// Small, independent measurements used by the tests to check that the
// corpora's stated ties hold in the written files (not in the generator's
// parameters).

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/avlearn/avlearn/avio"
	"github.com/avlearn/avlearn/dsp"
)

type testClip struct {
	dir    string
	meta   avio.Meta
	audio  []float64
	rate   int
	frames []image.Image
}

// readCorpus reads every clip folder of dir with plain decoders.
func readCorpus(t *testing.T, dir string) []testClip {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []testClip
	for _, e := range ents {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		c := testClip{dir: filepath.Join(dir, e.Name())}
		if c.meta, err = avio.ReadMeta(filepath.Join(c.dir, "meta.json")); err != nil {
			t.Fatal(err)
		}
		a, _, err := avio.ReadWAV(filepath.Join(c.dir, "audio.wav"))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Channels) != 1 {
			t.Fatalf("%s: %d channels", c.dir, len(a.Channels))
		}
		c.audio, c.rate = a.Channels[0], a.SampleRate
		fr, err := os.ReadDir(filepath.Join(c.dir, "frames"))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range fr {
			want := filepath.Base(avFrameName(i))
			if f.Name() != want {
				t.Fatalf("%s: frame %d is named %s, want %s", c.dir, i, f.Name(), want)
			}
			c.frames = append(c.frames, readPNG(t, filepath.Join(c.dir, "frames", f.Name())))
		}
		out = append(out, c)
	}
	return out
}

func avFrameName(i int) string { return filepath.Join("frames", sprintf06(i)+".png") }

func sprintf06(i int) string {
	b := []byte("000000")
	for k := 5; k >= 0 && i > 0; k-- {
		b[k] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// luma returns the Rec. 601 luma of pixel (x, y) in [0, 1].
func luma(img image.Image, x, y int) float64 {
	r, g, b, _ := img.At(x, y).RGBA()
	return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 65535
}

// mouthArea counts dark pixels in the lower-middle box where the mouth is.
func mouthArea(img image.Image) float64 {
	bd := img.Bounds()
	w, h := float64(bd.Dx()), float64(bd.Dy())
	n := 0.0
	for y := int(0.55 * h); y < int(0.85*h); y++ {
		for x := int(0.3 * w); x < int(0.7*w); x++ {
			if luma(img, bd.Min.X+x, bd.Min.Y+y) < 0.12 {
				n++
			}
		}
	}
	return n
}

// pitch estimates F0 (Hz) as the median over 40 ms frames of the lag that
// maximises the normalised autocorrelation, using only clearly periodic
// frames within 20 dB of the loudest (not only the loudest, which favour
// accented syllables and so sit above the speaker's mean). It returns 0 if
// there are none.
func pitch(x []float64, rate int) float64 {
	fl := rate * 40 / 1000
	lo, hi := rate/400, rate/60
	peak := 0.0
	for s := 0; s+fl <= len(x); s += fl / 2 {
		peak = math.Max(peak, rms(x[s:s+fl]))
	}
	var est []float64
	for s := 0; s+fl+hi < len(x); s += fl {
		if rms(x[s:s+fl]) < 0.1*peak {
			continue
		}
		best, bestLag := 0.0, 0
		e0 := energy(x[s : s+fl])
		for lag := lo; lag <= hi; lag++ {
			c := 0.0
			for i := 0; i < fl; i++ {
				c += x[s+i] * x[s+i+lag]
			}
			c /= math.Sqrt(e0*energy(x[s+lag:s+lag+fl])) + 1e-12
			if c > best {
				best, bestLag = c, lag
			}
		}
		if best > 0.6 {
			est = append(est, float64(rate)/float64(bestLag))
		}
	}
	if len(est) == 0 {
		return 0
	}
	sort.Float64s(est)
	return est[len(est)/2]
}

func energy(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// spectralCentroid is the power-weighted mean frequency between lo and hi Hz
// of the long-term spectrum of the loud 32 ms frames of x.
func spectralCentroid(x []float64, rate int, lo, hi float64) float64 {
	const n = 512
	peak := 0.0
	for s := 0; s+n <= len(x); s += n / 2 {
		peak = math.Max(peak, rms(x[s:s+n]))
	}
	pow, frames := longTermPower(x, n, n/2)
	ltas := make([]float64, n/2+1)
	for t := 0; t < frames; t++ {
		if rms(x[t*n/2:t*n/2+n]) < 0.3*peak {
			continue
		}
		for k := range ltas {
			ltas[k] += pow[t*(n/2+1)+k]
		}
	}
	num, den := 0.0, 0.0
	for k, p := range ltas {
		f := float64(k) * float64(rate) / n
		if f >= lo && f <= hi {
			num += f * p
			den += p
		}
	}
	return num / (den + 1e-30)
}

// longTermPower returns the power spectrogram of x (periodic Hann frames of
// n samples every hop, not centred) frame-major, and the number of frames.
func longTermPower(x []float64, n, hop int) ([]float64, int) {
	if len(x) < n {
		return nil, 0
	}
	pow, frames, err := dsp.PowerSpectrogram(x, dsp.STFTConfig{NFFT: n, Hop: hop, Window: dsp.Hann(n, true)}, 2, nil)
	if err != nil {
		panic(err) // test helper: n and hop are constants
	}
	return pow, frames
}

// pearson is the correlation coefficient of x and y.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	mx, my := 0.0, 0.0
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy+1e-300)
}
