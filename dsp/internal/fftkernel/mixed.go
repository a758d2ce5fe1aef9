package fftkernel

// MaxRadix is the largest radix PassGeneric handles.
const MaxRadix = 31

// Pass2 is a Stockham pass of radix 2: x holds blocks of pp consecutive
// values, the length-pp DFTs of the decimated subsequences, and s = n/2;
// y gets blocks of 2·pp. tw[k] = W_{2·pp}^k.
func Pass2(x, y, tw []complex128, s, pp int) {
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			a := x[i]
			c := x[i+s] * tw[k]
			j := 2*b + k
			y[j] = a + c
			y[j+pp] = a - c
		}
	}
}

// Pass3 is Pass2 for radix 3; tw[2k+q−1] = W_{3·pp}^{qk}.
func Pass3(x, y, tw []complex128, s, pp int) {
	const h = 0.86602540378443864676 // √3/2
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[2*k : 2*k+2 : 2*k+2]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			t1 := u1 + u2
			d := u1 - u2
			t2 := complex(h*imag(d), -h*real(d)) // −i·(√3/2)·(u1−u2)
			m := a - t1*0.5
			j := 3*b + k
			y[j] = a + t1
			y[j+pp] = m + t2
			y[j+2*pp] = m - t2
		}
	}
}

// Pass4 is Pass2 for radix 4; tw[3k+q−1] = W_{4·pp}^{qk}.
func Pass4(x, y, tw []complex128, s, pp int) {
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[3*k : 3*k+3 : 3*k+3]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			u3 := x[i+3*s] * w[2]
			t0, t1 := a+u2, a-u2
			t2, t3 := u1+u3, u1-u3
			mt3 := complex(imag(t3), -real(t3)) // −i·t3
			j := 4*b + k
			y[j] = t0 + t2
			y[j+pp] = t1 + mt3
			y[j+2*pp] = t0 - t2
			y[j+3*pp] = t1 - mt3
		}
	}
}

// Pass5 is Pass2 for radix 5; tw[4k+q−1] = W_{5·pp}^{qk}.
func Pass5(x, y, tw []complex128, s, pp int) {
	// W5^1, W5^2 split into cosines and sines.
	const (
		c1 = 0.30901699437494742410  // cos 2π/5
		c2 = -0.80901699437494742410 // cos 4π/5
		s1 = 0.95105651629515357212  // sin 2π/5
		s2 = 0.58778525229247312917  // sin 4π/5
	)
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			w := tw[4*k : 4*k+4 : 4*k+4]
			a := x[i]
			u1 := x[i+s] * w[0]
			u2 := x[i+2*s] * w[1]
			u3 := x[i+3*s] * w[2]
			u4 := x[i+4*s] * w[3]
			p1r, p1i := real(u1)+real(u4), imag(u1)+imag(u4)
			m1r, m1i := real(u1)-real(u4), imag(u1)-imag(u4)
			p2r, p2i := real(u2)+real(u3), imag(u2)+imag(u3)
			m2r, m2i := real(u2)-real(u3), imag(u2)-imag(u3)
			// v_s = a + p1·cos(2πs/5) + p2·cos(4πs/5) − i·(m1·sin(2πs/5) + m2·sin(4πs/5))
			r1r, r1i := real(a)+p1r*c1+p2r*c2, imag(a)+p1i*c1+p2i*c2
			r2r, r2i := real(a)+p1r*c2+p2r*c1, imag(a)+p1i*c2+p2i*c1
			q1r, q1i := m1r*s1+m2r*s2, m1i*s1+m2i*s2
			q2r, q2i := m1r*s2-m2r*s1, m1i*s2-m2i*s1
			// −i·q = (imag q, −real q)
			j := 5*b + k
			y[j] = complex(real(a)+p1r+p2r, imag(a)+p1i+p2i)
			y[j+pp] = complex(r1r+q1i, r1i-q1r)
			y[j+2*pp] = complex(r2r+q2i, r2i-q2r)
			y[j+3*pp] = complex(r2r-q2i, r2i+q2r)
			y[j+4*pp] = complex(r1r-q1i, r1i+q1r)
		}
	}
}

// PassGeneric is Pass2 for any radix r ≤ MaxRadix without a kernel of
// its own: tw[k(r−1)+q−1] = W_{r·pp}^{qk} and g[j] = W_r^j.
func PassGeneric(x, y, tw, g []complex128, r, s, pp int) {
	var u [MaxRadix]complex128
	for b := 0; b < s; b += pp {
		for k := 0; k < pp; k++ {
			i := b + k
			u[0] = x[i]
			for q := 1; q < r; q++ {
				u[q] = x[i+q*s] * tw[k*(r-1)+q-1]
			}
			j := r*b + k
			for o := 0; o < r; o++ {
				var acc complex128
				idx := 0
				for q := 0; q < r; q++ {
					acc += u[q] * g[idx]
					idx += o
					if idx >= r {
						idx -= r
					}
				}
				y[j+o*pp] = acc
			}
		}
	}
}
