//go:build !linux

package avio

import "os"

// newBlock returns n zeroed values and the function that releases them
// (see the Linux version: elsewhere the Go heap serves).
func newBlock(n int) ([]float32, func()) { return make([]float32, n), func() {} }

// preallocate gives f its size as a sparse file.
func preallocate(f *os.File, size int64) error { return f.Truncate(size) }
