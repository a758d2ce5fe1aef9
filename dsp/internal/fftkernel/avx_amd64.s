#include "textflag.h"

// func hasAVX() bool
TEXT ·hasAVX(SB), NOSPLIT, $0-1
	MOVL $1, AX
	XORL CX, CX
	CPUID
	ANDL $0x18000000, CX // OSXSAVE (bit 27) and AVX (bit 28)
	CMPL CX, $0x18000000
	JNE  no
	XORL CX, CX
	XGETBV               // XCR0 into DX:AX
	ANDL $6, AX          // XMM and YMM state saved by the OS
	CMPL AX, $6
	JNE  no
	MOVB $1, ret+0(FP)
	RET
no:
	MOVB $0, ret+0(FP)
	RET

// (0, −0, 0, −0): flips the sign of the imaginary parts.
DATA negimag<>+0(SB)/8, $0
DATA negimag<>+8(SB)/8, $0x8000000000000000
DATA negimag<>+16(SB)/8, $0
DATA negimag<>+24(SB)/8, $0x8000000000000000
GLOBL negimag<>(SB), RODATA|NOPTR, $32

// CMUL sets dst = q·w for two complex128 in each register, rounding as
// Go's complex product does: (qr·wr − qi·wi, qi·wr + qr·wi); t1 and t2
// are clobbered.
#define CMUL(q, w, dst, t1, t2) \
	VMOVDDUP  w, t1        \
	VPERMILPD $0x0f, w, t2 \
	VMULPD    t1, q, t1    \
	VPERMILPD $0x05, q, dst \
	VMULPD    t2, dst, t2  \
	VADDSUBPD t2, t1, dst

// func radix4PassAVX(z, w1, w2, w3 *complex128, h, groups int)
// Radix4Pass on groups consecutive groups of 4h values from z, each as
// Radix4Group on two values per step; h is even and > 0, groups > 0.
TEXT ·radix4PassAVX(SB), NOSPLIT, $0-48
	MOVQ    z+0(FP), AX
	MOVQ    w1+8(FP), SI
	MOVQ    w2+16(FP), DI
	MOVQ    w3+24(FP), R8
	MOVQ    h+32(FP), R11
	MOVQ    groups+40(FP), R12
	SHLQ    $4, R11 // h values in bytes: the distance between quarters
	VMOVUPD negimag<>(SB), Y15

group: // the quarters q0 … q3 of a group at AX, BX, CX, DX
	LEAQ (AX)(R11*1), BX
	LEAQ (BX)(R11*1), CX
	LEAQ (CX)(R11*1), DX
	MOVQ R11, R9
	SHRQ $5, R9 // h/2 steps
	XORQ R10, R10

loop:
	VMOVUPD (BX)(R10*1), Y0
	CMUL(Y0, (DI)(R10*1), Y1, Y12, Y13) // xb = q1·w2
	VMOVUPD (CX)(R10*1), Y0
	CMUL(Y0, (SI)(R10*1), Y2, Y12, Y13) // xc = q2·w1
	VMOVUPD (DX)(R10*1), Y0
	CMUL(Y0, (R8)(R10*1), Y3, Y12, Y13) // xd = q3·w3
	VMOVUPD (AX)(R10*1), Y0
	VADDPD    Y1, Y0, Y4 // xt0 = q0 + xb
	VSUBPD    Y1, Y0, Y5 // xt1 = q0 − xb
	VADDPD    Y3, Y2, Y6 // xt2 = xc + xd
	VSUBPD    Y3, Y2, Y7 // xt3 = xc − xd
	VADDPD    Y6, Y4, Y8 // x0 = xt0 + xt2
	VSUBPD    Y6, Y4, Y9 // x2 = xt0 − xt2
	VPERMILPD $0x05, Y7, Y7
	VXORPD    Y15, Y7, Y7 // −i·xt3 = (xt3i, −xt3r)
	VADDPD    Y7, Y5, Y10 // x1 = xt1 − i·xt3
	VSUBPD    Y7, Y5, Y11 // x3 = xt1 + i·xt3
	VMOVUPD   Y8, (AX)(R10*1)
	VMOVUPD   Y10, (BX)(R10*1)
	VMOVUPD   Y9, (CX)(R10*1)
	VMOVUPD   Y11, (DX)(R10*1)
	ADDQ      $32, R10
	DECQ      R9
	JNZ       loop
	LEAQ      (DX)(R11*1), AX // the next group follows q3
	DECQ      R12
	JNZ       group
	VZEROUPPER
	RET

// (½, ½, ½, ½) and (½, −½, ½, −½)
DATA half<>+0(SB)/8, $0.5
DATA half<>+8(SB)/8, $0.5
DATA half<>+16(SB)/8, $0.5
DATA half<>+24(SB)/8, $0.5
GLOBL half<>(SB), RODATA|NOPTR, $32
DATA halfneg<>+0(SB)/8, $0.5
DATA halfneg<>+8(SB)/8, $-0.5
DATA halfneg<>+16(SB)/8, $0.5
DATA halfneg<>+24(SB)/8, $-0.5
GLOBL halfneg<>(SB), RODATA|NOPTR, $32

// SPLITSETUP loads the arguments of splitSquaresAVX and splitAVX: SI =
// &z[1], BX = &z[m−2], DX = &post[1], DI = &dst[1], R9 = &dst[m−1], CX =
// pairs; size is the bytes of one dst value.
#define SPLITSETUP(size) \
	MOVQ    dst+0(FP), DI        \
	MOVQ    z+8(FP), SI          \
	MOVQ    post+16(FP), DX      \
	MOVQ    m+24(FP), R8         \
	MOVQ    pairs+32(FP), CX     \
	LEAQ    -32(SI)(R8*8), BX    \
	LEAQ    0(BX)(R8*8), BX      \
	LEAQ    16(SI), SI           \
	LEAQ    16(DX), DX           \
	MOVQ    R8, R9               \
	IMULQ   $size, R9            \
	LEAQ    -size(DI)(R9*1), R9  \
	LEAQ    size(DI), DI         \
	VMOVUPD half<>(SB), Y14      \
	VMOVUPD halfneg<>(SB), Y15

// SPLIT leaves in Y7 the bins sa of k, k+1 and in Y8 the bins sb of m−k,
// m−k−1 (in that order), as Split computes them from z[k:k+2] at (SI),
// z[m−k−1:m−k+1] at (BX) and post[k:k+2] at (DX). Reversing the second
// pair gives zm = (z[m−k], z[m−k−1]); with S = z + zm and D = z − zm,
// se = ½(S.r, D.i), so = (½S.i, −½D.r), st = so·post, sa = se + st and
// sb = (se.r − st.r, st.i − se.i).
#define SPLIT \
	VMOVUPD    (SI), Y0          \
	VMOVUPD    (BX), Y1          \
	VPERM2F128 $1, Y1, Y1, Y1    \
	VADDPD     Y1, Y0, Y2        \
	VSUBPD     Y1, Y0, Y3        \
	VBLENDPD   $0x0a, Y3, Y2, Y4 \
	VMULPD     Y14, Y4, Y4       \
	VBLENDPD   $0x0a, Y2, Y3, Y5 \
	VPERMILPD  $0x05, Y5, Y5     \
	VMULPD     Y15, Y5, Y5       \
	CMUL(Y5, (DX), Y6, Y12, Y13) \
	VADDPD     Y6, Y4, Y7        \
	VBLENDPD   $0x0a, Y6, Y4, Y8 \
	VBLENDPD   $0x0a, Y4, Y6, Y9 \
	VSUBPD     Y9, Y8, Y8

// func splitSquaresAVX(dst *float64, z, post *complex128, m, pairs int)
// SplitSquares for bins k = 1 … 2·pairs and m−k, two k per step: bins
// k, k+1 from z[k:k+2] and z[m−k−1:m−k+1] reversed; 2·pairs ≤ m/2 − 2.
TEXT ·splitSquaresAVX(SB), NOSPLIT, $0-40
	SPLITSETUP(8)

squares:
	SPLIT
	VMULPD       Y7, Y7, Y7
	VMULPD       Y8, Y8, Y8
	VHADDPD      Y8, Y7, Y10 // |sa_k|², |sb_k|², |sa_k+1|², |sb_k+1|²
	VEXTRACTF128 $1, Y10, X11
	VMOVLPD      X10, (DI)
	VMOVHPD      X10, (R9)
	VMOVLPD      X11, 8(DI)
	VMOVHPD      X11, -8(R9)
	ADDQ         $32, SI
	SUBQ         $32, BX
	ADDQ         $32, DX
	ADDQ         $16, DI
	SUBQ         $16, R9
	DECQ         CX
	JNZ          squares
	VZEROUPPER
	RET

// func splitAVX(dst, z, post *complex128, m, pairs int)
// Split for bins k = 1 … 2·pairs and m−k, as splitSquaresAVX.
TEXT ·splitAVX(SB), NOSPLIT, $0-40
	SPLITSETUP(16)

bins:
	SPLIT
	VPERM2F128 $1, Y8, Y8, Y8 // sb of m−k−1, m−k
	VMOVUPD    Y7, (DI)
	VMOVUPD    Y8, -16(R9)
	ADDQ       $32, SI
	SUBQ       $32, BX
	ADDQ       $32, DX
	ADDQ       $32, DI
	SUBQ       $32, R9
	DECQ       CX
	JNZ        bins
	VZEROUPPER
	RET

// (0, 0, 0, −0): flips the sign of the upper imaginary part.
DATA negimag3<>+0(SB)/8, $0
DATA negimag3<>+8(SB)/8, $0
DATA negimag3<>+16(SB)/8, $0
DATA negimag3<>+24(SB)/8, $0x8000000000000000
GLOBL negimag3<>(SB), RODATA|NOPTR, $32

// func loadFirst4AVX(z *complex128, frame, wperm *float64, rev *int32, m int) bool
// LoadFirst4, one butterfly of four values per step; m is a multiple of 4.
// It returns false, z partly written, at the first rev[i] (i a multiple of
// 4) outside [0, m/4), before reading where it points.
TEXT ·loadFirst4AVX(SB), NOSPLIT, $0-41
	MOVQ    z+0(FP), DI
	MOVQ    frame+8(FP), SI
	MOVQ    wperm+16(FP), DX
	MOVQ    rev+24(FP), BX
	MOVQ    m+32(FP), CX
	MOVQ    CX, R8
	SHLQ    $3, R8            // byte offset of u[r+m/2]
	MOVQ    R8, R9
	SHRQ    $1, R9            // of u[r+m/4]
	LEAQ    (R8)(R9*1), R10   // of u[r+3m/4]
	SHRQ    $2, CX
	MOVQ    CX, R11           // m/4, the bound of rev[i]
	VMOVUPD negimag3<>(SB), Y15

load:
	MOVLQSX     (BX), AX
	CMPQ        AX, R11
	JAE         outside               // unsigned: negative values too
	SHLQ        $4, AX
	ADDQ        SI, AX                // &frame[2·rev[i]]
	VMOVUPD     (AX), X0
	VINSERTF128 $1, (AX)(R8*1), Y0, Y0  // u[r], u[r+m/2]
	VMOVUPD     (AX)(R9*1), X1
	VINSERTF128 $1, (AX)(R10*1), Y1, Y1 // u[r+m/4], u[r+3m/4]
	VMULPD      (DX), Y0, Y0          // windowed: a, b
	VMULPD      32(DX), Y1, Y1        // c, d
	VPERM2F128  $0x20, Y1, Y0, Y2     // a, c
	VPERM2F128  $0x31, Y1, Y0, Y3     // b, d
	VADDPD      Y3, Y2, Y4            // xt0, xt2
	VSUBPD      Y3, Y2, Y5            // xt1, xt3
	VPERM2F128  $0x20, Y5, Y4, Y6     // xt0, xt1
	VPERM2F128  $0x31, Y5, Y4, Y7     // xt2, xt3
	VPERMILPD   $0x06, Y7, Y7
	VXORPD      Y15, Y7, Y7           // xt2, −i·xt3
	VADDPD      Y7, Y6, Y8            // x0, x1
	VSUBPD      Y7, Y6, Y9            // x2, x3
	VMOVUPD     Y8, (DI)
	VMOVUPD     Y9, 32(DI)
	ADDQ        $16, BX
	ADDQ        $64, DX
	ADDQ        $64, DI
	DECQ        CX
	JNZ         load
	VZEROUPPER
	MOVB        $1, ret+40(FP)
	RET

outside:
	VZEROUPPER
	MOVB        $0, ret+40(FP)
	RET
