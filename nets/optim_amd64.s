#include "textflag.h"

// FMAPD sets dst (8 float32) to float32(a·x + y) per element, the products
// and sums in float64 as optimFMA does: a is 4 float64 in a Y register, x
// and y 8 float32 in Y registers; t1-t4 are scratch Y registers with X
// halves t1X … t4X.
#define FMAPD(a, x, xX, y, yX, dst, t1, t1X, t2, t2X, t3, t3X, t4, t4X) \
	VCVTPS2PD    xX, t1            \
	VCVTPS2PD    yX, t2            \
	VFMADD231PD  a, t1, t2         \
	VCVTPD2PSY   t2, t2X           \
	VEXTRACTF128 $1, x, t3X        \
	VCVTPS2PD    t3X, t3           \
	VEXTRACTF128 $1, y, t4X        \
	VCVTPS2PD    t4X, t4           \
	VFMADD231PD  a, t3, t4         \
	VCVTPD2PSY   t4, t4X           \
	VINSERTF128  $1, t4X, t2, dst

// func adamKernelAVX(w, g, m, v []float32, k *adamScalars)
TEXT ·adamKernelAVX(SB), NOSPLIT, $0-104
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	MOVQ k+96(FP), AX
	VBROADCASTSD 0(AX), Y13  // a1 (float64)
	VBROADCASTSD 8(AX), Y10  // wd (float64)
	VBROADCASTSS 16(AX), Y15 // b1
	VBROADCASTSS 20(AX), Y14 // b2
	VBROADCASTSS 24(AX), Y12 // a2
	VBROADCASTSS 28(AX), Y11 // eps
	VBROADCASTSS 32(AX), Y9  // decay
	VBROADCASTSS 36(AX), Y8  // negStep
	VBROADCASTSS 40(AX), Y7  // bc2sqrt
	MOVL 44(AX), DX          // mode
	SHRQ $3, CX
	JZ   done
loop:
	VMOVUPS (DI), Y0 // wi
	VMOVUPS (SI), Y1 // gi
	CMPL DX, $1
	JNE  notdecoupled
	VMULPS Y9, Y0, Y0 // wi·decay
	JMP  moments
notdecoupled:
	CMPL DX, $2
	JNE  moments
	FMAPD(Y10, Y0, X0, Y1, X1, Y1, Y2, X2, Y3, X3, Y4, X4, Y5, X5) // gi = wd·wi + gi
moments:
	VMULPS (R8), Y15, Y2 // m·b1
	FMAPD(Y13, Y1, X1, Y2, X2, Y2, Y3, X3, Y4, X4, Y5, X5, Y6, X6) // mi = a1·gi + m·b1
	VMOVUPS Y2, (R8)
	VMULPS  Y12, Y1, Y3 // a2·gi
	VMULPS  Y1, Y3, Y3  // ·gi
	VMULPS  (R9), Y14, Y4 // v·b2
	VADDPS  Y3, Y4, Y4  // vi
	VMOVUPS Y4, (R9)
	VSQRTPS Y4, Y5
	VDIVPS  Y7, Y5, Y5  // √vi / bc2sqrt
	VADDPS  Y11, Y5, Y5 // + eps
	VMULPS  Y8, Y2, Y6  // negStep·mi
	VDIVPS  Y5, Y6, Y6  // / den
	VADDPS  Y6, Y0, Y0  // wi + …
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ  loop
done:
	VZEROUPPER
	RET
