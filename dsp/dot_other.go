//go:build !amd64

package dsp

const useAVX = false

func dotAVX(w, x []float64) float64 { return dotGo(w, x) }
