package dsp

import "fmt"

// MFCC returns nMFCC mel-frequency cepstral coefficients per frame from a
// frame-major mel power spectrogram melPower (frames × nMels, for example
// ApplyMel of ComplexSpectrogram.Power(2)), as a frames × nMFCC matrix:
//
//	c = DCT-II_ortho( PowerToDB(melPower, ref, amin, topDB) )
//
// The dB clipping floor (topDB) is taken over the whole input.
// torchaudio.transforms.MFCC(log_mels=False) is ref = 1, amin = 1e-10,
// topDB = 80; librosa.feature.mfcc(S=power_to_db(M)) is the same with
// librosa's top_db = 80 default (and lifter = 0), since power_to_db defaults
// to ref = 1, amin = 1e-10 and librosa's DCT is scipy's type-2 "ortho".
// (To reproduce librosa's mel spectrogram itself, use its STFT settings:
// periodic Hann, Center with PadConstant in librosa ≥ 0.10, MelSlaney with
// MelNormSlaney.)
func MFCC(melPower []float64, frames, nMels, nMFCC int, ref, amin, topDB float64) ([]float64, error) {
	if frames < 0 || nMels < 1 || len(melPower) != frames*nMels {
		return nil, fmt.Errorf("dsp: MFCC: mel spectrogram has %d values, want frames×nMels = %d×%d", len(melPower), frames, nMels)
	}
	if !(amin > 0) {
		return nil, fmt.Errorf("dsp: MFCC: amin = %v, want > 0", amin)
	}
	d, err := DCTMatrix(nMFCC, nMels, true)
	if err != nil {
		return nil, fmt.Errorf("dsp: MFCC: %w", err)
	}
	db := PowerToDB(melPower, ref, amin, topDB)
	return DCT(d, nMFCC, db, frames, nMels)
}
