package dsp

import "math"

// PowerToDB converts power values to decibels with librosa.power_to_db
// semantics:
//
//	db[i] = 10·log10(max(amin, x[i])) − 10·log10(max(amin, ref))
//
// then, when topDB > 0, every value is raised to at least max(db) − topDB,
// the maximum being taken over the whole of x (as librosa does for an array
// and torchaudio's amplitude_to_DB does for one spectrogram). topDB ≤ 0 or
// NaN disables the clipping (librosa's top_db=None). amin must be positive;
// librosa and torchaudio's MFCC use amin = 1e-10 and ref = 1. A new slice is
// returned; x is not modified.
//
// torchaudio.functional.amplitude_to_DB(x, 10, amin, log10(max(amin, ref)),
// topDB) computes the same values.
func PowerToDB(x []float64, ref, amin, topDB float64) []float64 {
	return dbConvert(nil, x, 10, ref, amin, topDB)
}

// PowerToDBTo is PowerToDB writing into dst (reused if its capacity
// suffices; it may be x itself, to convert in place).
func PowerToDBTo(dst, x []float64, ref, amin, topDB float64) []float64 {
	return dbConvert(dst, x, 10, ref, amin, topDB)
}

// AmplitudeToDB converts amplitudes (magnitudes) to decibels with
// librosa.amplitude_to_db semantics: the input is |x|, squared and passed to
// PowerToDB with ref² and amin², which equals
//
//	db[i] = 20·log10(max(amin, |x[i]|)) − 20·log10(max(amin, ref))
//
// followed by the same topDB clipping as PowerToDB (topDB ≤ 0 or NaN: none).
// librosa's default amin is 1e-5; torchaudio.transforms.AmplitudeToDB
// ("magnitude") uses 1e-10 with the same formula.
func AmplitudeToDB(x []float64, ref, amin, topDB float64) []float64 {
	abs := make([]float64, len(x))
	for i, v := range x {
		abs[i] = math.Abs(v)
	}
	return dbConvert(abs, abs, 20, math.Abs(ref), amin, topDB)
}

func dbConvert(dst, x []float64, mult, ref, amin, topDB float64) []float64 {
	if cap(dst) < len(x) {
		dst = make([]float64, len(x))
	}
	out := dst[:len(x)]
	off := mult * math.Log10(math.Max(amin, ref))
	peak := math.Inf(-1)
	for i, v := range x {
		d := mult*math.Log10(math.Max(amin, v)) - off
		out[i] = d
		if d > peak {
			peak = d
		}
	}
	if topDB > 0 && len(out) > 0 {
		floor := peak - topDB
		for i, d := range out {
			if d < floor {
				out[i] = floor
			}
		}
	}
	return out
}

// DBToPower inverts PowerToDB (without the clipping):
// x[i] = ref·10^(db[i]/10), like librosa.db_to_power.
func DBToPower(db []float64, ref float64) []float64 {
	out := make([]float64, len(db))
	for i, d := range db {
		out[i] = ref * math.Pow(10, d/10)
	}
	return out
}

// DBToAmplitude inverts AmplitudeToDB (without the clipping):
// x[i] = ref·10^(db[i]/20), like librosa.db_to_amplitude.
func DBToAmplitude(db []float64, ref float64) []float64 {
	out := make([]float64, len(db))
	for i, d := range db {
		out[i] = ref * math.Pow(10, d/20)
	}
	return out
}
