//go:build linux

package avio

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// newBlock returns n zeroed values outside the Go heap, asking for
// transparent huge pages, and the function that releases them (use them no
// more after it). A 16 MB block in 4 KB pages takes 4,096 page faults when
// first filled, a cost of the order of its FFTs' on a VM; in 2 MB pages it
// takes 8. Without a mapping it falls back to the heap.
func newBlock(n int) ([]float32, func()) {
	if 4*n < 2<<20 {
		return make([]float32, n), func() {}
	}
	b, err := syscall.Mmap(-1, 0, 4*n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANONYMOUS)
	if err != nil {
		return make([]float32, n), func() {}
	}
	syscall.Madvise(b, syscall.MADV_HUGEPAGE) // a hint: without it the block is in 4 KB pages
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n), func() { syscall.Munmap(b) }
}

// preallocate gives f its size, reserving the disk blocks: the disk filling
// up is then an error here rather than part-way through the writes, and the
// writes into the reserved blocks cost less. File systems that cannot
// reserve get a sparse file of that size.
func preallocate(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	err := syscall.Fallocate(int(f.Fd()), 0, 0, size)
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return f.Truncate(size)
	}
	if err != nil {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
	}
	return nil
}
