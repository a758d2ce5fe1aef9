//go:build ignore

// gen writes radix4.go: every radix-4 butterfly pass of the power-of-two
// FFT, and the real-split step, from one butterfly and one split written
// below. The passes differ in where they read and write, not in their
// arithmetic, so they are generated rather than copied by hand (the
// compiler does not inline a butterfly function into these loops).
// Run it with go generate.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"strings"
)

// cx names the real and imaginary parts of a complex operand.
type cx struct{ r, i string }

// parts returns the operand real(e), imag(e).
func parts(e string) cx { return cx{"real(" + e + ")", "imag(" + e + ")"} }

// vars returns the operand held in the variables {p}r, {p}i.
func vars(p string) cx { return cx{p + "r", p + "i"} }

// twiddled writes {p}r, {p}i = x·w.
func twiddled(b *bytes.Buffer, p string, x cx, w string) cx {
	fmt.Fprintf(b, "%sr := %s*real(%s) - %s*imag(%s)\n", p, x.r, w, x.i, w)
	fmt.Fprintf(b, "%si := %s*imag(%s) + %s*real(%s)\n", p, x.r, w, x.i, w)
	return vars(p)
}

// butterfly writes the radix-4 butterfly of a, b, c, d, whose b, c, d are
// already multiplied by W^2j, W^j, W^3j (b and c are swapped because the
// input is in bit-reversed order): outputs {p}0 … {p}3 in natural order.
func butterfly(b *bytes.Buffer, p string, in [4]cx) {
	a, bb, c, d := in[0], in[1], in[2], in[3]
	fmt.Fprintf(b, "%[1]st0r, %[1]st0i := %[2]s+%[4]s, %[3]s+%[5]s\n", p, a.r, a.i, bb.r, bb.i)
	fmt.Fprintf(b, "%[1]st1r, %[1]st1i := %[2]s-%[4]s, %[3]s-%[5]s\n", p, a.r, a.i, bb.r, bb.i)
	fmt.Fprintf(b, "%[1]st2r, %[1]st2i := %[2]s+%[4]s, %[3]s+%[5]s\n", p, c.r, c.i, d.r, d.i)
	fmt.Fprintf(b, "%[1]st3r, %[1]st3i := %[2]s-%[4]s, %[3]s-%[5]s\n", p, c.r, c.i, d.r, d.i)
	fmt.Fprintf(b, "%[1]s0r, %[1]s0i := %[1]st0r+%[1]st2r, %[1]st0i+%[1]st2i\n", p)
	fmt.Fprintf(b, "%[1]s1r, %[1]s1i := %[1]st1r+%[1]st3i, %[1]st1i-%[1]st3r\n", p)
	fmt.Fprintf(b, "%[1]s2r, %[1]s2i := %[1]st0r-%[1]st2r, %[1]st0i-%[1]st2i\n", p)
	fmt.Fprintf(b, "%[1]s3r, %[1]s3i := %[1]st1r-%[1]st3i, %[1]st1i+%[1]st3r\n", p)
}

// twiddledButterfly loads q0[j] … q3[j] with the twiddles of index j
// (w1, w2, w3 hold W^j, W^2j, W^3j) and writes the butterfly {p}0 … {p}3.
func twiddledButterfly(b *bytes.Buffer, p string, q [4]string, w [3]string) {
	in := [4]cx{parts(q[0])}
	in[1] = twiddled(b, p+"b", parts(q[1]), w[1])
	in[2] = twiddled(b, p+"c", parts(q[2]), w[0])
	in[3] = twiddled(b, p+"d", parts(q[3]), w[2])
	butterfly(b, p, in)
}

// store writes the butterfly {p}0 … {p}3 to the four places q.
func store(b *bytes.Buffer, p string, q [4]string) {
	for k, e := range q {
		fmt.Fprintf(b, "%s = complex(%s%dr, %s%di)\n", e, p, k, p, k)
	}
}

// sink says how a split kernel writes a bin.
type sink struct {
	bin  func(idx string, x cx) string // bin idx from its parts
	real func(idx, v string) string    // bin idx from a real value (DC, Nyquist)
}

var (
	powerSink = sink{
		bin: func(idx string, x cx) string {
			return fmt.Sprintf("dst[%s] = %s*%s + %s*%s\n", idx, x.r, x.r, x.i, x.i)
		},
		real: func(idx, v string) string {
			n := "v" + strings.NewReplacer("*", "", "[", "", "]", "").Replace(idx)
			return fmt.Sprintf("%s := %s\ndst[%s] = %s * %s\n", n, v, idx, n, n)
		},
	}
	complexSink = sink{
		bin:  func(idx string, x cx) string { return fmt.Sprintf("dst[%s] = complex(%s, %s)\n", idx, x.r, x.i) },
		real: func(idx, v string) string { return fmt.Sprintf("dst[%s] = complex(%s, 0)\n", idx, v) },
	}
)

// split writes the real-split step for bins k and m−k: from zk = Z[k],
// zm = Z[m−k] and the twiddle w = exp(−2πik/n), X[k] = E + w·O and
// X[m−k] = conj(E − w·O) with E = (zk + conj zm)/2, O = (zk − conj zm)/2i.
// It names its results {p}a (bin k) and {p}b (bin m−k).
func split(b *bytes.Buffer, p string, zk, zm cx, w string) (cx, cx) {
	fmt.Fprintf(b, "%sw := %s\n", p, w)
	fmt.Fprintf(b, "%ser := 0.5 * (%s + %s)\n", p, zk.r, zm.r)
	fmt.Fprintf(b, "%sei := 0.5 * (%s - %s)\n", p, zk.i, zm.i)
	fmt.Fprintf(b, "%sor := 0.5 * (%s + %s)\n", p, zk.i, zm.i)
	fmt.Fprintf(b, "%soi := -0.5 * (%s - %s)\n", p, zk.r, zm.r)
	fmt.Fprintf(b, "%[1]str := real(%[1]sw)*%[1]sor - imag(%[1]sw)*%[1]soi\n", p)
	fmt.Fprintf(b, "%[1]sti := real(%[1]sw)*%[1]soi + imag(%[1]sw)*%[1]sor\n", p)
	fmt.Fprintf(b, "%[1]sar, %[1]sai := %[1]ser+%[1]str, %[1]sei+%[1]sti\n", p)
	fmt.Fprintf(b, "%[1]sbr, %[1]sbi := %[1]ser-%[1]str, %[1]sti-%[1]sei\n", p)
	return vars(p + "a"), vars(p + "b")
}

// splitTo writes split and stores its two bins at k and mk (for k = m/2,
// mk = k and the second store, conj(E − w·O), is the one that stays).
func splitTo(b *bytes.Buffer, s sink, p string, zk, zm cx, w, k, mk string) {
	x, y := split(b, p, zk, zm, w)
	b.WriteString(s.bin(k, x))
	b.WriteString(s.bin(mk, y))
}

// lastPass writes the final radix-4 pass of the half-length transform
// fused with the split step: butterflies j and h−j together give the four
// pairs of bins (k, m−k) that the split needs, so the pass's output never
// goes back to memory.
func lastPass(b *bytes.Buffer, name, dstType, doc string, s sink) {
	fmt.Fprintf(b, "%s\nfunc %s(dst %s, z, tw, post []complex128) {\n", doc, name, dstType)
	b.WriteString(`m := len(z)
	h := m / 4
	tw = tw[:3*h]
	dst = dst[:m+1]
	post = post[:m/2+1]
	q0, q1, q2, q3 := z[:h:h], z[h:2*h:2*h], z[2*h:3*h:3*h], z[3*h:4*h:4*h]
	{
	// j = 0: Z[0], Z[h], Z[2h], Z[3h].
	w := tw[0:3:3]
	`)
	q := func(j string) [4]string {
		return [4]string{"q0[" + j + "]", "q1[" + j + "]", "q2[" + j + "]", "q3[" + j + "]"}
	}
	ws := [3]string{"w[0]", "w[1]", "w[2]"}
	vs := [3]string{"v[0]", "v[1]", "v[2]"}
	twiddledButterfly(b, "x", q("0"), ws)
	b.WriteString(s.real("0", "x0r+x0i"))
	b.WriteString(s.real("m", "x0r-x0i"))
	splitTo(b, s, "s1", vars("x1"), vars("x3"), "post[h]", "h", "3*h")
	splitTo(b, s, "s2", vars("x2"), vars("x2"), "post[2*h]", "2*h", "2*h")
	b.WriteString(`}
	for j := 1; j < h-j; j++ {
	jj := h - j
	w := tw[3*j : 3*j+3 : 3*j+3]
	v := tw[3*jj : 3*jj+3 : 3*jj+3]
	`)
	twiddledButterfly(b, "x", q("j"), ws)
	twiddledButterfly(b, "y", q("jj"), vs)
	splitTo(b, s, "s1", vars("x0"), vars("y3"), "post[j]", "j", "4*h-j")
	splitTo(b, s, "s2", vars("x1"), vars("y2"), "post[h+j]", "h+j", "3*h-j")
	splitTo(b, s, "s3", vars("y1"), vars("x2"), "post[2*h-j]", "2*h-j", "2*h+j")
	splitTo(b, s, "s4", vars("y0"), vars("x3"), "post[h-j]", "h-j", "3*h+j")
	b.WriteString(`}
	if h%2 == 0 {
	// j = h/2 pairs with itself.
	j := h / 2
	w := tw[3*j : 3*j+3 : 3*j+3]
	`)
	twiddledButterfly(b, "x", q("j"), ws)
	splitTo(b, s, "s1", vars("x0"), vars("x3"), "post[j]", "j", "4*h-j")
	splitTo(b, s, "s2", vars("x1"), vars("x2"), "post[h+j]", "h+j", "3*h-j")
	b.WriteString("}\n}\n\n")
}

func main() {
	out := flag.String("o", "radix4.go", "output file")
	flag.Parse()
	var b bytes.Buffer
	b.WriteString(`// Code generated by gen.go; DO NOT EDIT.

package fftkernel

// Radix4First is the first radix-4 pass, whose sub-transforms have length
// 1 and need no twiddles: a butterfly on every four consecutive values.
func Radix4First(z []complex128) {
	for i := 0; i+3 < len(z); i += 4 {
	q := z[i : i+4 : i+4]
	`)
	butterfly(&b, "x", [4]cx{parts("q[0]"), parts("q[1]"), parts("q[2]"), parts("q[3]")})
	store(&b, "x", [4]string{"q[0]", "q[1]", "q[2]", "q[3]"})
	b.WriteString(`}
}

// Radix4Small is a radix-4 pass over sub-transforms of length h for
// small h (many groups): the twiddles of index j, w1[j], w2[j], w3[j] =
// W^j, W^2j, W^3j, are loaded once for all groups.
func Radix4Small(z, w1, w2, w3 []complex128, h int) {
	n := len(z)
	w1, w2, w3 = w1[:h], w2[:h], w3[:h]
	for j := range w1 {
	v1, v2, v3 := w1[j], w2[j], w3[j]
	for g := j; g+3*h < n; g += 4 * h {
	q := z[g : g+3*h+1 : g+3*h+1]
	`)
	twiddledButterfly(&b, "x", [4]string{"q[0]", "q[h]", "q[2*h]", "q[3*h]"}, [3]string{"v1", "v2", "v3"})
	store(&b, "x", [4]string{"q[0]", "q[h]", "q[2*h]", "q[3*h]"})
	b.WriteString(`}
}
}

// Radix4Group is one radix-4 butterfly group: q0 … q3 are the four
// sub-transforms of length h and w1, w2, w3 hold W^j, W^2j, W^3j.
func Radix4Group(q0, q1, q2, q3, w1, w2, w3 []complex128) {
	h := len(q0)
	q1, q2, q3 = q1[:h], q2[:h], q3[:h]
	w1, w2, w3 = w1[:h], w2[:h], w3[:h]
	for j := range q0 {
	v1, v2, v3 := w1[j], w2[j], w3[j]
	`)
	twiddledButterfly(&b, "x", [4]string{"q0[j]", "q1[j]", "q2[j]", "q3[j]"}, [3]string{"v1", "v2", "v3"})
	store(&b, "x", [4]string{"q0[j]", "q1[j]", "q2[j]", "q3[j]"})
	b.WriteString(`}
}

// LoadFirst4 is LoadFirst2 for transforms whose first pass is radix 4.
func LoadFirst4(z []complex128, frame, wperm []float64, rev []int32) {
	m := len(z)
	frame = frame[:2*m]
	rev = rev[:m]
	o1, o2, o3 := m/2, m, 3*m/2 // frame offsets of u[r+m/4], u[r+m/2], u[r+3m/4]
	wperm = wperm[:2*m]
	for i := 0; i < m; i += 4 {
	// z[i..i+3] hold u[r], u[r+m/2], u[r+m/4], u[r+3m/4].
	r := 2 * int(rev[i])
	wp := wperm[2*i : 2*i+8 : 2*i+8]
	ar, ai := frame[r]*wp[0], frame[r+1]*wp[1]
	br, bi := frame[r+o2]*wp[2], frame[r+o2+1]*wp[3]
	cr, ci := frame[r+o1]*wp[4], frame[r+o1+1]*wp[5]
	dr, di := frame[r+o3]*wp[6], frame[r+o3+1]*wp[7]
	q := z[i : i+4 : i+4]
	`)
	butterfly(&b, "x", [4]cx{vars("a"), vars("b"), vars("c"), vars("d")})
	store(&b, "x", [4]string{"q[0]", "q[1]", "q[2]", "q[3]"})
	b.WriteString(`}
}

// Split turns Z = DFT_m(x[2j] + i·x[2j+1]), m = len(z), into the m+1
// bins of the real DFT of x (length 2m): X[k] = E[k] + W^k·O[k] with E, O
// the transforms of the even and odd samples, recovered from Z[k] and
// conj(Z[m−k]); post[k] = W^k = exp(−2πik/2m).
func Split(dst []complex128, z, post []complex128) {
	m := len(z)
	dst = dst[:m+1]
	z0 := z[0]
	dst[0] = complex(real(z0)+imag(z0), 0)
	dst[m] = complex(real(z0)-imag(z0), 0)
	splitFrom(dst, z, post, 1)
}

// splitFrom is Split for bins k0 … m−k0 only (k0 ≥ 1).
func splitFrom(dst []complex128, z, post []complex128, k0 int) {
	m := len(z)
	dst = dst[:m+1]
	post = post[:m/2+1]
	for k := k0; k <= m/2; k++ {
	`)
	splitTo(&b, complexSink, "s", parts("z[k]"), parts("z[m-k]"), "post[k]", "k", "m-k")
	b.WriteString(`}
}

// SplitSquares is Split writing the squared magnitudes of bins 1 … m−1
// (the caller has those of the DC and Nyquist bins, which are real).
func SplitSquares(dst []float64, z, post []complex128) { splitSquaresFrom(dst, z, post, 1) }

// splitSquaresFrom is SplitSquares for bins k0 … m−k0 only (k0 ≥ 1).
func splitSquaresFrom(dst []float64, z, post []complex128, k0 int) {
	m := len(z)
	dst = dst[:m+1]
	post = post[:m/2+1]
	for k := k0; k <= m/2; k++ {
	`)
	splitTo(&b, powerSink, "s", parts("z[k]"), parts("z[m-k]"), "post[k]", "k", "m-k")
	b.WriteString("}\n}\n\n")
	lastPass(&b, "LastPassPower", "[]float64", `// LastPassPower runs the last radix-4 pass of a power-of-two transform of
// length m = len(z) ≥ 8 (all earlier passes done; tw are its twiddles
// W^j, W^2j, W^3j interleaved) fused with the split into the m+1 bins of
// the real transform of length 2m (post[k] = exp(−2πik/2m)) and their
// squared magnitudes, written to dst.`, powerSink)
	lastPass(&b, "LastPassSplit", "[]complex128", `// LastPassSplit is LastPassPower writing the complex bins instead of
// their squared magnitudes.`, complexSink)
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("gen: %v\n%s", err, b.Bytes())
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
