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

// func dotAVX(w, x []float64) float64
// Y0..Y3 hold partial sums 0-3, 4-7, 8-11, 12-15 (see dotGo); X5 the tail.
TEXT ·dotAVX(SB), NOSPLIT, $0-56
	MOVQ w_base+0(FP), SI
	MOVQ w_len+8(FP), CX
	MOVQ x_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD X5, X5, X5
	MOVQ CX, BX
	SHRQ $4, BX // blocks of 16
	JZ   tail
loop:
	VMOVUPD 0(SI), Y6
	VMOVUPD 32(SI), Y7
	VMOVUPD 64(SI), Y8
	VMOVUPD 96(SI), Y9
	VMULPD  0(DI), Y6, Y6
	VMULPD  32(DI), Y7, Y7
	VMULPD  64(DI), Y8, Y8
	VMULPD  96(DI), Y9, Y9
	VADDPD  Y6, Y0, Y0
	VADDPD  Y7, Y1, Y1
	VADDPD  Y8, Y2, Y2
	VADDPD  Y9, Y3, Y3
	ADDQ    $128, SI
	ADDQ    $128, DI
	DECQ    BX
	JNZ     loop
tail:
	ANDQ $15, CX
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
	VADDPD       Y1, Y0, Y0 // a[l] + a[4+l]
	VADDPD       Y3, Y2, Y2 // a[8+l] + a[12+l]
	VADDPD       Y2, Y0, Y0 // v[l]
	VEXTRACTF128 $1, Y0, X1 // v2, v3
	VHADDPD      X0, X0, X0 // v0 + v1
	VHADDPD      X1, X1, X1 // v2 + v3
	VADDSD       X1, X0, X0
	VADDSD       X5, X0, X0 // + t
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET
