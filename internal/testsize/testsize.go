// Package testsize gives tests a size no check may let through, and skips
// those tests where int is too narrow to hold it.
package testsize

import (
	"math/bits"
	"testing"
)

// Huge is 2⁴⁰ where int has 64 bits (and 2⁸ where it has 32): a
// dimension no size check may accept. Huge·Huge·Huge wraps to 0 in a
// 64-bit int.
const Huge = int(^uint(0)>>24) + 1

// Skip32 skips t where int has fewer than 64 bits, so that Huge is small.
func Skip32(t testing.TB) {
	t.Helper()
	if bits.UintSize < 64 {
		t.Skip("needs a 64-bit int")
	}
}
