//go:build amd64 && !purego

#include "textflag.h"

// func reluPool4AVX2(dst, a *float64, n int, bias float64)
//
// SI, R8, R9 and R10 point at the four blocks, Y15 holds the bias and Y14
// zero. VMAXPD returns its second source (the first operand here) when
// both are zero or either is NaN: the ReLU takes +0 from Y14, and a NaN,
// found with an unordered compare, is put back from the sum of the four.
TEXT ·reluPool4AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	LEAQ (SI)(CX*8), R8
	LEAQ (R8)(CX*8), R9
	LEAQ (R9)(CX*8), R10
	VBROADCASTSD bias+24(FP), Y15
	VXORPD Y14, Y14, Y14
	XORQ AX, AX
	SHRQ $2, CX
	JEQ done
loop:
	VADDPD (SI)(AX*8), Y15, Y0
	VADDPD (R8)(AX*8), Y15, Y1
	VADDPD (R9)(AX*8), Y15, Y2
	VADDPD (R10)(AX*8), Y15, Y3
	VMAXPD Y1, Y0, Y4
	VMAXPD Y3, Y2, Y5
	VMAXPD Y5, Y4, Y4
	VMAXPD Y14, Y4, Y4
	VCMPPD $3, Y1, Y0, Y6
	VCMPPD $3, Y3, Y2, Y7
	VORPD Y7, Y6, Y6
	VADDPD Y1, Y0, Y8
	VADDPD Y2, Y8, Y8
	VADDPD Y3, Y8, Y8
	VBLENDVPD Y6, Y8, Y4, Y4
	VMOVUPD Y4, (DI)(AX*8)
	ADDQ $4, AX
	DECQ CX
	JNE loop
done:
	VZEROUPPER
	RET
