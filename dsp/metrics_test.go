package dsp

import (
	"math"
	"strings"
	"testing"
)

// TestMetricsNumpy compares SNR, SI-SDR and the BSS Eval SDR with the numpy
// values of gen_features.py (FFT correlations + Toeplitz solve, following
// mir_eval's bss_eval_sources for one source).
func TestMetricsNumpy(t *testing.T) {
	for _, c := range featCases(t, "metrics") {
		ref, _ := featNPY(t, c.Input)
		est, _ := featNPY(t, c.Est)
		snr, err := SNR(ref, est)
		if err != nil {
			t.Fatal(err)
		}
		sisdr, err := SISDR(ref, est)
		if err != nil {
			t.Fatal(err)
		}
		sdr, err := SDR(ref, est, c.FilterLen)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s flen %d: SNR %.4f SI-SDR %.4f SDR %.4f dB (numpy %.4f %.4f %.4f)",
			c.Est, c.FilterLen, snr, sisdr, sdr, c.SNR, c.SISDR, c.SDR)
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"SNR", snr, c.SNR}, {"SISDR", sisdr, c.SISDR}, {"SDR", sdr, c.SDR}} {
			if math.Abs(v.got-v.want) > 1e-8 {
				t.Errorf("%s flen %d: %s = %.10f dB, numpy %.10f", c.Est, c.FilterLen, v.name, v.got, v.want)
			}
		}
	}
}

func TestMetricsProperties(t *testing.T) {
	ref := make([]float64, 2000)
	noise := make([]float64, len(ref))
	for i := range ref {
		ref[i] = math.Sin(0.05*float64(i)) + 0.3*math.Sin(0.31*float64(i)+1)
		noise[i] = 0.1 * math.Sin(1.7*float64(i)*float64(i%13))
	}
	est := make([]float64, len(ref))
	for i := range est {
		est[i] = ref[i] + noise[i]
	}
	// Hand computation of the SNR.
	var s, e float64
	for i := range ref {
		s += ref[i] * ref[i]
		e += noise[i] * noise[i]
	}
	if got, _ := SNR(ref, est); math.Abs(got-10*math.Log10(s/e)) > 1e-12 {
		t.Errorf("SNR = %v, want %v", got, 10*math.Log10(s/e))
	}
	// SI-SDR ignores gain and offset of the estimate.
	a, _ := SISDR(ref, est)
	scaled := make([]float64, len(est))
	for i := range est {
		scaled[i] = -3*est[i] + 0.7
	}
	if b, _ := SISDR(ref, scaled); math.Abs(a-b) > 1e-9 {
		t.Errorf("SISDR changed with gain/offset: %v vs %v", a, b)
	}
	// A perfect estimate is +Inf for all three.
	for name, f := range map[string]func() (float64, error){
		"SNR":   func() (float64, error) { return SNR(ref, ref) },
		"SISDR": func() (float64, error) { return SISDR(ref, ref) },
		"SDR":   func() (float64, error) { return SDR(ref, ref, 1) },
	} {
		if v, err := f(); err != nil || v < 250 {
			t.Errorf("%s(ref, ref) = %v, %v; want +Inf or very large", name, v, err)
		}
	}
	// Errors: length mismatch, empty, silent reference.
	for _, c := range []struct {
		ref, est []float64
		word     string
	}{{ref, est[1:], "samples"}, {nil, nil, "empty"}, {make([]float64, 4), []float64{1, 2, 3, 4}, "zeros"}} {
		for name, f := range map[string]func() (float64, error){
			"SNR":   func() (float64, error) { return SNR(c.ref, c.est) },
			"SISDR": func() (float64, error) { return SISDR(c.ref, c.est) },
			"SDR":   func() (float64, error) { return SDR(c.ref, c.est, 16) },
		} {
			if _, err := f(); err == nil || !strings.Contains(err.Error(), c.word) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s error = %v, want one naming %s and %q", name, err, name, c.word)
			}
		}
	}
	if _, err := SDR(ref, est, 0); err == nil {
		t.Error("SDR filterLen 0: no error")
	}
	// Zero-padded delayed copies of a non-zero reference are independent,
	// so even a reference shorter than the filter works.
	if v, err := SDR([]float64{1, 1}, []float64{1, 2}, 8); err != nil || math.IsNaN(v) {
		t.Errorf("SDR with a 2-sample reference and 8 taps = %v, %v", v, err)
	}
}
