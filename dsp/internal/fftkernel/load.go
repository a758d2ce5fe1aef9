package fftkernel

// LoadFirst2 loads u[j] = frame[2j]·w[2j] + i·frame[2j+1]·w[2j+1] in the
// bit-reversed order rev (len(z) entries) and runs the first, radix-2,
// pass: windowing, packing, reordering and the twiddle-free pass in one
// sweep. wperm is the window as FirstWindow made it for a radix-2 start.
func LoadFirst2(z []complex128, frame, wperm []float64, rev []int32) {
	m := len(z)
	frame = frame[:2*m]
	rev = rev[:m]
	o := m // frame offset of u[r+m/2]
	wperm = wperm[:2*m]
	for i := 0; i < m; i += 2 {
		r := 2 * int(rev[i]) // z[i], z[i+1] hold u[r], u[r+m/2]
		wp := wperm[2*i : 2*i+4 : 2*i+4]
		ar, ai := frame[r]*wp[0], frame[r+1]*wp[1]
		br, bi := frame[r+o]*wp[2], frame[r+o+1]*wp[3]
		q := z[i : i+2 : i+2]
		q[0] = complex(ar+br, ai+bi)
		q[1] = complex(ar-br, ai-bi)
	}
}

// FirstWindow returns the window w (len 2m, m = len(rev)) reordered as
// LoadFirst2 (radix2) or LoadFirst4 reads it.
func FirstWindow(w []float64, rev []int32, radix2 bool) []float64 {
	m := len(rev)
	out := make([]float64, 0, 2*m)
	if radix2 {
		for i := 0; i < m; i += 2 {
			r := 2 * int(rev[i])
			out = append(out, w[r], w[r+1], w[r+m], w[r+m+1])
		}
		return out
	}
	for i := 0; i < m; i += 4 {
		r := 2 * int(rev[i])
		out = append(out, w[r], w[r+1], w[r+m], w[r+m+1], w[r+m/2], w[r+m/2+1], w[r+3*m/2], w[r+3*m/2+1])
	}
	return out
}
