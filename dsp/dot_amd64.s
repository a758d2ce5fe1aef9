#include "textflag.h"

// REDUCE leaves in low lane of lo the sum ((a0+a4)+(a1+a5))+((a2+a6)+(a3+a7))
// of the partial sums lo = (a0..a3), hi = (a4..a7), plus tail; tmp is
// clobbered. (lo and hi are Y registers, loX and tmpX their X halves.)
#define REDUCE(lo, hi, loX, tmpX, tail) \
	VADDPD       hi, lo, lo  \
	VEXTRACTF128 $1, lo, tmpX \
	VHADDPD      loX, loX, loX \
	VHADDPD      tmpX, tmpX, tmpX \
	VADDSD       tmpX, loX, loX \
	VADDSD       tail, loX, loX

// func dotAVX(w, x []float64) float64
// Y0, Y1 hold partial sums 0-3 and 4-7 (see dotGo); X5 the tail.
TEXT ·dotAVX(SB), NOSPLIT, $0-56
	MOVQ   w_base+0(FP), SI
	MOVQ   w_len+8(FP), CX
	MOVQ   x_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD X5, X5, X5
	MOVQ   CX, BX
	SHRQ   $3, BX    // blocks of 8
	JZ     tail
loop:
	VMOVUPD 0(SI), Y6
	VMOVUPD 32(SI), Y7
	VMULPD  0(DI), Y6, Y6
	VMULPD  32(DI), Y7, Y7
	VADDPD  Y6, Y0, Y0
	VADDPD  Y7, Y1, Y1
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    BX
	JNZ     loop
tail:
	ANDQ $7, CX
	JZ   done
more:
	VMOVSD 0(SI), X6
	VMULSD 0(DI), X6, X6
	VADDSD X6, X5, X5
	ADDQ   $8, SI
	ADDQ   $8, DI
	DECQ   CX
	JNZ    more
done:
	REDUCE(Y0, Y1, X0, X6, X5)
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func dot4AVX(w, x []float64, stride int, r *[4]float64)
// Sum q of four: partial sums in Y(2q), Y(2q+1), tail in X(12+q); x for
// sum q at R8, R9, R10, R11.
TEXT ·dot4AVX(SB), NOSPLIT, $0-64
	MOVQ   w_base+0(FP), SI
	MOVQ   w_len+8(FP), CX
	MOVQ   x_base+24(FP), R8
	MOVQ   stride+48(FP), DX
	SHLQ   $3, DX
	LEAQ   (R8)(DX*1), R9
	LEAQ   (R9)(DX*1), R10
	LEAQ   (R10)(DX*1), R11
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD X12, X12, X12
	VXORPD X13, X13, X13
	VXORPD X14, X14, X14
	VXORPD X15, X15, X15
	MOVQ   CX, BX
	SHRQ   $3, BX
	JZ     tail4
loop4:
	VMOVUPD 0(SI), Y8
	VMOVUPD 32(SI), Y9
	VMULPD  0(R8), Y8, Y10
	VMULPD  32(R8), Y9, Y11
	VADDPD  Y10, Y0, Y0
	VADDPD  Y11, Y1, Y1
	VMULPD  0(R9), Y8, Y10
	VMULPD  32(R9), Y9, Y11
	VADDPD  Y10, Y2, Y2
	VADDPD  Y11, Y3, Y3
	VMULPD  0(R10), Y8, Y10
	VMULPD  32(R10), Y9, Y11
	VADDPD  Y10, Y4, Y4
	VADDPD  Y11, Y5, Y5
	VMULPD  0(R11), Y8, Y10
	VMULPD  32(R11), Y9, Y11
	VADDPD  Y10, Y6, Y6
	VADDPD  Y11, Y7, Y7
	ADDQ    $64, SI
	ADDQ    $64, R8
	ADDQ    $64, R9
	ADDQ    $64, R10
	ADDQ    $64, R11
	DECQ    BX
	JNZ     loop4
tail4:
	ANDQ $7, CX
	JZ   done4
more4:
	VMOVSD 0(SI), X8
	VMULSD 0(R8), X8, X9
	VADDSD X9, X12, X12
	VMULSD 0(R9), X8, X9
	VADDSD X9, X13, X13
	VMULSD 0(R10), X8, X9
	VADDSD X9, X14, X14
	VMULSD 0(R11), X8, X9
	VADDSD X9, X15, X15
	ADDQ   $8, SI
	ADDQ   $8, R8
	ADDQ   $8, R9
	ADDQ   $8, R10
	ADDQ   $8, R11
	DECQ   CX
	JNZ    more4
done4:
	MOVQ r+56(FP), DI
	REDUCE(Y0, Y1, X0, X8, X12)
	MOVSD X0, 0(DI)
	REDUCE(Y2, Y3, X2, X8, X13)
	MOVSD X2, 8(DI)
	REDUCE(Y4, Y5, X4, X8, X14)
	MOVSD X4, 16(DI)
	REDUCE(Y6, Y7, X6, X8, X15)
	MOVSD X6, 24(DI)
	VZEROUPPER
	RET
