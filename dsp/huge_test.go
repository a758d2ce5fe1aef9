package dsp

import (
	"math/bits"
	"testing"
)

// huge is 2⁴⁰ where int has 64 bits: a size no check may let through.
const huge = int(^uint(0)>>24) + 1

// skip32 skips a test whose huge sizes need a 64-bit int.
func skip32(t *testing.T) {
	if bits.UintSize < 64 {
		t.Skip("needs a 64-bit int")
	}
}
