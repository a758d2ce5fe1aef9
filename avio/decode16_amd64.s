#include "textflag.h"

// 1/32768: the scale of 16-bit samples, a power of two (exact).
DATA scale16<>+0(SB)/8, $3.0517578125e-05
GLOBL scale16<>(SB), RODATA|NOPTR, $8

// func decode16AVX(dst *float64, src *byte, n int)
// Sign-extends four int16 to int32, converts them to float64 (exactly)
// and scales them (exactly), twice per step.
TEXT ·decode16AVX(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	SHRQ         $3, CX
	VBROADCASTSD scale16<>(SB), Y4

loop:
	VPMOVSXWD (SI), X0
	VPMOVSXWD 8(SI), X1
	VCVTDQ2PD X0, Y0
	VCVTDQ2PD X1, Y1
	VMULPD    Y4, Y0, Y0
	VMULPD    Y4, Y1, Y1
	VMOVUPD   Y0, (DI)
	VMOVUPD   Y1, 32(DI)
	ADDQ      $16, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       loop
	VZEROUPPER
	RET
