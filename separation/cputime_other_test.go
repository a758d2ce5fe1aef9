//go:build !unix

package separation

// cpuSeconds is 0 where getrusage is missing; the metric then reads 0.
func cpuSeconds() float64 { return 0 }
