//go:build !linux

package avio

import "os"

// newBlock returns n bytes of zeroed memory and the function that releases
// them (see the Linux version: elsewhere the Go heap serves).
func newBlock(n int) ([]byte, func()) { return make([]byte, n), func() {} }

// preallocate gives f its size as a sparse file.
func preallocate(f *os.File, size int64) error { return f.Truncate(size) }
