//go:build unix

package dsp

import (
	"testing"

	"github.com/avlearn/avlearn/dsp/internal/fftkernel"
)

func benchWorker(b *testing.B) (*stftWorker, []float64, []float64) {
	c := STFTConfig{NFFT: 512, Hop: 160, WinLength: 400, Window: Hamming(400, true), Center: true}
	p, err := newSTFTPlan(c)
	if err != nil {
		b.Fatal(err)
	}
	return p.newWorker(), benchSignal(512), make([]float64, 257)
}

func BenchmarkPowerFrame512(b *testing.B) {
	w, x, dst := benchWorker(b)
	for b.Loop() {
		w.powerFrame(dst, x, 2)
	}
}

func BenchmarkPowerFrame512Unfused(b *testing.B) {
	w, x, dst := benchWorker(b)
	z := w.z
	f := w.p.fft
	for b.Loop() {
		w.transform(x)
		m := len(z)
		dst[0] = real(z[0]) + imag(z[0])
		dst[m] = real(z[0]) - imag(z[0])
		fftkernel.SplitSquares(dst, z, f.post)
	}
}

func BenchmarkPowerFrame400(b *testing.B) {
	c := STFTConfig{NFFT: 400, Hop: 160, Window: Hamming(400, true), Center: true}
	p, err := newSTFTPlan(c)
	if err != nil {
		b.Fatal(err)
	}
	w, x, dst := p.newWorker(), benchSignal(400), make([]float64, 201)
	for b.Loop() {
		w.powerFrame(dst, x, 2)
	}
}
