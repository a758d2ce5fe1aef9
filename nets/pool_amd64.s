#include "textflag.h"

// func poolArgmax8AVX2(x *float32, n int, idx *int32)
// For each window of 8 floats: the maximum by three max-and-swap steps
// across the register, then the lowest lane equal to it; 8 if a lane is NaN.
TEXT ·poolArgmax8AVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ idx+16(FP), DI
	MOVL $8, DX
	TESTQ CX, CX
	JZ   done
loop:
	VMOVUPS    (SI), Y0
	VPERM2F128 $1, Y0, Y0, Y1
	VMAXPS     Y1, Y0, Y1
	VPERMILPS  $0x4E, Y1, Y2
	VMAXPS     Y2, Y1, Y2
	VPERMILPS  $0xB1, Y2, Y3
	VMAXPS     Y3, Y2, Y3
	VCMPPS     $0, Y3, Y0, Y4 // lanes equal to the maximum
	VMOVMSKPS  Y4, AX
	VCMPPS     $3, Y0, Y0, Y5 // NaN lanes
	VMOVMSKPS  Y5, BX
	BSFL       AX, AX
	TESTL      BX, BX
	CMOVLNE    DX, AX
	MOVL       AX, (DI)
	ADDQ       $32, SI
	ADDQ       $4, DI
	DECQ       CX
	JNZ        loop
done:
	VZEROUPPER
	RET
