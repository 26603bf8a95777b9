//go:build amd64 && !purego

#include "textflag.h"

// func reluPoolArg8AVX512(dst *float64, arg *int32, a *float64, corner *int32, n, count int, bias float64, ow int) int
//
// Eight windows at a time: SI, R8, R9 and R10 point at the four blocks
// (the places (0, 0), (0, 1), (1, 0) and (1, 1) of the windows), Z15
// holds the bias and Z14 +0. The offset of the first maximum starts at
// OW+1 (Y12) and is overwritten, in the lanes where the place is a
// maximum, by OW (Y13), 1 (Y11) and 0 in turn: the last write is the
// first maximum. Where the maximum is not above 0 the position is −1
// (Y10). VMAXPD returns its second source, +0 from Z14, when both are
// zero, so the output is +0 where Go's max(mx, 0) is. Eight windows that
// hold a NaN are left to the Go loop.
TEXT ·reluPoolArg8AVX512(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ arg+8(FP), R11
	MOVQ a+16(FP), SI
	MOVQ corner+24(FP), R12
	MOVQ n+32(FP), CX
	LEAQ (SI)(CX*8), R8
	LEAQ (R8)(CX*8), R9
	LEAQ (R9)(CX*8), R10
	MOVQ count+40(FP), CX
	VBROADCASTSD bias+48(FP), Z15
	VPXORQ Z14, Z14, Z14
	MOVQ ow+56(FP), AX
	VPBROADCASTD AX, Y13
	INCQ AX
	VPBROADCASTD AX, Y12
	MOVL $1, AX
	VPBROADCASTD AX, Y11
	MOVL $-1, AX
	VPBROADCASTD AX, Y10
	XORQ AX, AX
	TESTQ CX, CX
	JEQ done
loop:
	VADDPD (SI)(AX*8), Z15, Z0
	VADDPD (R8)(AX*8), Z15, Z1
	VADDPD (R9)(AX*8), Z15, Z2
	VADDPD (R10)(AX*8), Z15, Z3
	VCMPPD $3, Z1, Z0, K1
	VCMPPD $3, Z3, Z2, K2
	KORW K1, K2, K1
	KORTESTW K1, K1
	JNE done
	VMAXPD Z1, Z0, Z4
	VMAXPD Z3, Z2, Z5
	VMAXPD Z5, Z4, Z4
	VMOVDQA32 Y12, Y5
	VCMPPD $0, Z4, Z2, K1
	VMOVDQA32 Y13, K1, Y5
	VCMPPD $0, Z4, Z1, K1
	VMOVDQA32 Y11, K1, Y5
	VCMPPD $0, Z4, Z0, K1
	VPXORD Y5, Y5, K1, Y5
	VPADDD (R12)(AX*4), Y5, Y5
	VCMPPD $0x1e, Z14, Z4, K1
	VMOVDQA32 Y10, Y6
	VMOVDQA32 Y5, K1, Y6
	VMOVDQU32 Y6, (R11)(AX*4)
	VMAXPD Z14, Z4, Z7
	VMOVUPD Z7, (DI)(AX*8)
	ADDQ $8, AX
	CMPQ AX, CX
	JLT loop
done:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET
