//go:build amd64 && !purego

#include "textflag.h"

// func forwardAVX512(y, x *float64, n int)
// VMAXPD returns its second source when either is NaN or both are zeros:
// max(x, +0) is then +0 for −0 and for NaN, and the NaN lanes (K1, the
// unordered compare of x with itself) take x back with its sign bit
// cleared (Z14), as the Go compiler's max(x, 0) leaves a NaN x.
TEXT ·forwardAVX512(SB), NOSPLIT, $0-24
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VPXORQ Z15, Z15, Z15
	VPTERNLOGQ $0xff, Z14, Z14, Z14
	VPSRLQ $1, Z14, Z14
	XORQ AX, AX
	SHRQ $4, CX
	JEQ fdone

floop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD 64(SI)(AX*8), Z1
	VMAXPD Z15, Z0, Z2
	VMAXPD Z15, Z1, Z3
	VCMPPD $3, Z0, Z0, K1
	VCMPPD $3, Z1, Z1, K2
	VPANDQ Z14, Z0, K1, Z2
	VPANDQ Z14, Z1, K2, Z3
	VMOVUPD Z2, (DI)(AX*8)
	VMOVUPD Z3, 64(DI)(AX*8)
	ADDQ $16, AX
	DECQ CX
	JNE floop

fdone:
	VZEROUPPER
	RET

// func backwardAVX512(dx, d, y *float64, n int)
// K1 marks the lanes whose y has a bit set; the zero-masked move writes d
// there and +0 elsewhere.
TEXT ·backwardAVX512(SB), NOSPLIT, $0-32
	MOVQ dx+0(FP), DI
	MOVQ d+8(FP), SI
	MOVQ y+16(FP), R8
	MOVQ n+24(FP), CX
	XORQ AX, AX
	SHRQ $4, CX
	JEQ bdone

bloop:
	VMOVUPD (R8)(AX*8), Z0
	VMOVUPD 64(R8)(AX*8), Z1
	VPTESTMQ Z0, Z0, K1
	VPTESTMQ Z1, Z1, K2
	VMOVUPD.Z (SI)(AX*8), K1, Z2
	VMOVUPD.Z 64(SI)(AX*8), K2, Z3
	VMOVUPD Z2, (DI)(AX*8)
	VMOVUPD Z3, 64(DI)(AX*8)
	ADDQ $16, AX
	DECQ CX
	JNE bloop

bdone:
	VZEROUPPER
	RET
