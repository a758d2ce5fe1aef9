package dsp

import "testing"

// TestMFCCFromMelTorchaudio checks the dB + DCT half of
// torchaudio.transforms.MFCC on torchaudio's own mel power spectrogram,
// which includes a silent stretch (floored by top_db).
func TestMFCCFromMelTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "mfcc") {
		mel, shape := featNPY(t, c.Mel)
		frames := shape[0]
		want, _ := featNPY(t, c.File)
		got, err := MFCC(mel, frames, c.NMels, c.NMFCC, c.Ref, c.Amin, c.TopDB)
		if err != nil {
			t.Fatal(err)
		}
		rel := featCompare(t, c.File, got, want, 1e-10)
		t.Logf("%s: %d frames, max rel diff %.2g", c.File, frames, rel)
	}
}

func TestMFCCErrors(t *testing.T) {
	if _, err := MFCC(make([]float64, 10), 3, 4, 2, 1, 1e-10, 80); err == nil {
		t.Error("wrong length: no error")
	}
	if _, err := MFCC(make([]float64, 12), 3, 4, 5, 1, 1e-10, 80); err == nil {
		t.Error("nMFCC > nMels: no error")
	}
	if _, err := MFCC(make([]float64, 12), 3, 4, 2, 1, 0, 80); err == nil {
		t.Error("amin = 0: no error")
	}
}

// TestMFCCPipelineTorchaudio computes torchaudio.transforms.MFCC end to end
// in dsp: STFT (periodic Hann, centred, reflect padding) → power →
// MelFilterbank → MFCC, against torchaudio's output.
func TestMFCCPipelineTorchaudio(t *testing.T) {
	for _, c := range featCases(t, "mfcc") {
		x, _ := featNPY(t, c.Input)
		wantMel, _ := featNPY(t, c.Mel)
		want, _ := featNPY(t, c.File)
		cfg := STFTConfig{NFFT: c.NFFT, Hop: c.Hop, Window: Hann(c.NFFT, true), Center: true, Pad: PadReflect}
		S, err := STFT(x, cfg)
		if err != nil {
			t.Fatal(err)
		}
		scale, _ := ParseMelScale(c.Scale)
		norm, _ := ParseMelNorm(c.Norm)
		fb, err := MelFilterbank(c.NFFT, c.SampleRate, c.FMin, c.FMax, c.NMels, scale, norm)
		if err != nil {
			t.Fatal(err)
		}
		mel, err := ApplyMel(fb, c.NMels, S.Power(2), S.Frames, S.Bins)
		if err != nil {
			t.Fatal(err)
		}
		featCompare(t, c.Mel, mel, wantMel, 1e-10)
		got, err := MFCC(mel, S.Frames, c.NMels, c.NMFCC, c.Ref, c.Amin, c.TopDB)
		if err != nil {
			t.Fatal(err)
		}
		rel := featCompare(t, c.File, got, want, 1e-9)
		t.Logf("%s: STFT→mel→MFCC max diff %.2g × max|want|", c.File, rel)
	}
}
