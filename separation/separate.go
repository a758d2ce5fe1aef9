package separation

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/avlearn/avlearn/dsp"
	"github.com/avlearn/avlearn/nets"
)

// example is one mixture with its face crops and (for training and
// evaluation) its sources in face order.
type example struct {
	mix    []float64
	srcs   [][]float64 // per face: the target voice
	noise  []float64   // the non-speech part of a speech + noise mixture, nil otherwise
	mouths [][]float32 // per face: [vf, MouthH·MouthW]
	vf     int
}

// features are the network inputs and targets of an example.
type features struct {
	t      int
	mixC   *dsp.ComplexSpectrogram
	audio  []float32   // [3F, t]
	xr, xi []float32   // [t, F]
	sal    []float32   // [t, Combs]
	pairA  []float32   // [t, F] comb of the first fundamental of the pitch pair (MultiPitch)
	pairD  []float32   // [t, F] that comb minus the second's
	pair   []float32   // [t, pairFeatures] the pitch pair's description (MultiPitch)
	sr, si [][]float32 // per face [t, F] compressed targets
	// LossSISDR targets only
	lr, li []float32   // [t, F] linear mixture
	wav    [][]float32 // per face: the target waveform
	act    [][]float32 // per face [t]: the speaker's standardised loudness (training with VisualAux)
}

// loudness returns the log energy of source x in each frame of the
// model's STFT (dsp.FrameEnergy, every sample of the frame's WinLength
// weighted alike), standardised to mean 0 and deviation 1 (all zeros for
// a silent source): the target of the VisualAux loss.
func (c Config) loudness(x []float64) ([]float32, error) {
	st := c.STFT()
	st.Window = nil
	e, err := dsp.FrameEnergy(x, st)
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	out := make([]float32, len(e))
	top := 0.0
	for _, v := range e {
		top = max(top, v)
	}
	if top == 0 {
		return out, nil
	}
	mean := 0.0
	for i, v := range e {
		e[i] = math.Log(v + 1e-6*top) // a floor 60 dB under the loudest frame
		mean += e[i]
	}
	mean /= float64(len(e))
	dev := 0.0
	for _, v := range e {
		dev += (v - mean) * (v - mean)
	}
	dev = math.Sqrt(dev / float64(len(e)))
	if dev < 1e-6 {
		return out, nil
	}
	for i, v := range e {
		out[i] = float32((v - mean) / dev)
	}
	return out, nil
}

func (c Config) features(ex *example, targets bool) (*features, error) {
	xc, err := c.Analyse(ex.mix)
	if err != nil {
		return nil, err
	}
	f, t := xc.Bins, xc.Frames
	ft := &features{t: t, mixC: xc, audio: make([]float32, 3*f*t)}
	ft.xr, ft.xi = splitComplex(xc)
	var sx *dsp.ComplexSpectrogram // the salience STFT, which the pitch pair may share
	if c.Combs > 0 {
		if ft.sal, sx, err = c.salienceOf(ex.mix, xc); err != nil {
			return nil, err
		}
		if len(ft.sal) != t*c.Combs {
			return nil, fmt.Errorf("separation: salience has %d frames, the STFT %d", len(ft.sal)/c.Combs, t)
		}
	}
	if c.MultiPitch {
		if ft.pairA, ft.pairD, ft.pair, err = c.pairInputs(ex.mix, xc, sx); err != nil {
			return nil, err
		}
	}
	for j, v := range xc.Data {
		tt, kk := j/f, j%f
		ft.audio[kk*t+tt] = float32(cmplx.Abs(v))
		ft.audio[(f+kk)*t+tt] = float32(real(v))
		ft.audio[(2*f+kk)*t+tt] = float32(imag(v))
	}
	if targets && c.Loss == LossSISDR {
		x, err := dsp.STFT(ex.mix, c.STFT())
		if err != nil {
			return nil, fmt.Errorf("separation: %w", err)
		}
		ft.lr, ft.li = splitComplex(x)
		for _, s := range ex.srcs {
			w := make([]float32, len(s))
			for i, v := range s {
				w[i] = float32(v)
			}
			ft.wav = append(ft.wav, w)
		}
	} else if targets {
		for _, s := range ex.srcs {
			sc, err := c.Analyse(s)
			if err != nil {
				return nil, err
			}
			r, i := splitComplex(sc)
			ft.sr, ft.si = append(ft.sr, r), append(ft.si, i)
		}
	}
	return ft, nil
}

func splitComplex(s *dsp.ComplexSpectrogram) (re, im []float32) {
	re, im = make([]float32, len(s.Data)), make([]float32, len(s.Data))
	for i, v := range s.Data {
		re[i], im[i] = float32(real(v)), float32(imag(v))
	}
	return re, im
}

// SetConsistency switches Config.Consistency of a loaded model. The
// rescaling has no weights, so any real-mask model of two or more speakers
// can run with or without it.
func (m *Model) SetConsistency(on bool) error {
	c := m.Config
	c.Consistency = on
	if err := c.Validate(); err != nil {
		return err
	}
	m.Close() // the compiled graphs were built for the old setting
	m.Config = c
	return nil
}

// Close releases the compiled inference graphs; the model stays usable.
func (m *Model) Close() {
	if m.infer != nil {
		m.infer.Close()
	}
}

// estimates runs the network on one example and returns per face the
// masked compressed mixture (mask × compressed mixture STFT).
func (m *Model) estimates(ex *example) ([]*dsp.ComplexSpectrogram, error) {
	ft, err := m.Config.features(ex, false)
	if err != nil {
		return nil, err
	}
	if m.infer == nil {
		m.infer = nets.NewProgram(m.define(false), nets.ProgramOptions{Mode: nets.Eval}) // keeps 8 lengths
	}
	pass, err := m.infer.Run(m.Config.feeds([]*features{ft}, []*example{ex}, false)...)
	if err != nil {
		return nil, fmt.Errorf("separation: %w", err)
	}
	out := make([]*dsp.ComplexSpectrogram, m.Config.Speakers)
	for s := range out {
		re, _, err1 := pass.Value(fmt.Sprintf("est%d_re", s+1))
		im, _, err2 := pass.Value(fmt.Sprintf("est%d_im", s+1))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("separation: %v %v", err1, err2)
		}
		e := &dsp.ComplexSpectrogram{Bins: ft.mixC.Bins, Frames: ft.mixC.Frames, Data: make([]complex128, len(re))}
		for i := range re {
			e.Data[i] = complex(float64(re[i]), float64(im[i]))
		}
		out[s] = e
	}
	return out, nil
}

// separate runs the model on one example and returns one waveform per face.
func (m *Model) separate(ex *example) ([][]float64, error) {
	es, err := m.estimates(ex)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(es))
	for s, e := range es {
		if out[s], err = m.Config.Synthesise(e, len(ex.mix)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Separate pulls the voice of each face out of mixture mix (mono, at
// Config.Rate): faces[s] is the video of speaker s, at Config.FPS and as
// long as the mixture (±1 frame). It returns one waveform per face, in face
// order, each len(mix) samples. The audio-only model takes no faces and
// returns its Speakers outputs in an arbitrary order.
func (m *Model) Separate(mix []float64, faces []FaceTrack) ([][]float64, error) {
	if len(mix) < m.Config.WinLength {
		return nil, fmt.Errorf("separation: mixture of %d samples is shorter than one %d-sample window", len(mix), m.Config.WinLength)
	}
	for i, v := range mix {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("separation: mixture sample %d is %v", i, v)
		}
	}
	vf, err := m.Config.checkTracks(faces, len(mix))
	if err != nil {
		return nil, err
	}
	ex := &example{mix: mix, vf: max(vf, 1)}
	for _, f := range faces {
		ex.mouths = append(ex.mouths, m.Config.mouths(f.Frames))
	}
	return m.separate(ex)
}
