//go:build amd64 && !purego

#include "textflag.h"

// Register use in the row kernels:
//	DI dst row, R8 dst stride (bytes), SI w, R9 w stride (bytes),
//	R10 &rowPtr[r], R11 colIdx, R12 val, CX rows left, R13 bias or 0,
//	BX the current nonzero, DX the end of the row's nonzeros.
#define ROWARGS \
	MOVQ dst+0(FP), DI \
	MOVQ dstStride+8(FP), R8 \
	SHLQ $3, R8 \
	MOVQ w+16(FP), SI \
	MOVQ wStride+24(FP), R9 \
	SHLQ $3, R9 \
	MOVQ rowPtr+32(FP), R10 \
	MOVQ colIdx+40(FP), R11 \
	MOVQ val+48(FP), R12 \
	MOVQ rows+56(FP), CX \
	MOVQ bias+64(FP), R13

// AX = &w[colIdx[BX]][0] of the block.
#define WROW \
	MOVLQSX (R11)(BX*4), AX \
	IMULQ R9, AX \
	ADDQ SI, AX

// func rows512(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, mask uint64)
// Z0–Z6 hold a row of up to 56 columns of dst, K1–K7 the columns in use.
TEXT ·rows512(SB), NOSPLIT, $0-80
	ROWARGS
	MOVQ mask+72(FP), AX
	KMOVW AX, K1
	SHRQ $8, AX
	KMOVW AX, K2
	SHRQ $8, AX
	KMOVW AX, K3
	SHRQ $8, AX
	KMOVW AX, K4
	SHRQ $8, AX
	KMOVW AX, K5
	SHRQ $8, AX
	KMOVW AX, K6
	SHRQ $8, AX
	KMOVW AX, K7
	TESTQ CX, CX
	JLE done512
	MOVQ (R10), BX

row512:
	MOVQ 8(R10), DX
	TESTQ R13, R13
	JZ zero512
	VMOVUPD.Z 0(R13), K1, Z0
	VMOVUPD.Z 64(R13), K2, Z1
	VMOVUPD.Z 128(R13), K3, Z2
	VMOVUPD.Z 192(R13), K4, Z3
	VMOVUPD.Z 256(R13), K5, Z4
	VMOVUPD.Z 320(R13), K6, Z5
	VMOVUPD.Z 384(R13), K7, Z6
	JMP start512

zero512:
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	VPXORQ Z5, Z5, Z5
	VPXORQ Z6, Z6, Z6

start512:
	CMPQ BX, DX
	JGE store512

loop512:
	WROW
	VBROADCASTSD (R12)(BX*8), Z7
	VFMADD231PD 0(AX), Z7, K1, Z0
	VFMADD231PD 64(AX), Z7, K2, Z1
	VFMADD231PD 128(AX), Z7, K3, Z2
	VFMADD231PD 192(AX), Z7, K4, Z3
	VFMADD231PD 256(AX), Z7, K5, Z4
	VFMADD231PD 320(AX), Z7, K6, Z5
	VFMADD231PD 384(AX), Z7, K7, Z6
	INCQ BX
	CMPQ BX, DX
	JLT loop512

store512:
	VMOVUPD Z0, K1, 0(DI)
	VMOVUPD Z1, K2, 64(DI)
	VMOVUPD Z2, K3, 128(DI)
	VMOVUPD Z3, K4, 192(DI)
	VMOVUPD Z4, K5, 256(DI)
	VMOVUPD Z5, K6, 320(DI)
	VMOVUPD Z6, K7, 384(DI)
	ADDQ R8, DI
	ADDQ $8, R10
	DECQ CX
	JNZ row512

done512:
	VZEROUPPER
	RET

// func rowsAVX2x52(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, masks *[4]int64)
// Y0–Y11 hold 48 columns of a row of dst, Y12 up to 4 more under the lane
// mask Y14; Y13 is the broadcast nonzero, Y15 the masked load.
TEXT ·rowsAVX2x52(SB), NOSPLIT, $0-80
	ROWARGS
	MOVQ masks+72(FP), AX
	VMOVDQU (AX), Y14
	TESTQ CX, CX
	JLE done52
	MOVQ (R10), BX

row52:
	MOVQ 8(R10), DX
	TESTQ R13, R13
	JZ zero52
	VMOVUPD 0(R13), Y0
	VMOVUPD 32(R13), Y1
	VMOVUPD 64(R13), Y2
	VMOVUPD 96(R13), Y3
	VMOVUPD 128(R13), Y4
	VMOVUPD 160(R13), Y5
	VMOVUPD 192(R13), Y6
	VMOVUPD 224(R13), Y7
	VMOVUPD 256(R13), Y8
	VMOVUPD 288(R13), Y9
	VMOVUPD 320(R13), Y10
	VMOVUPD 352(R13), Y11
	VMASKMOVPD 384(R13), Y14, Y12
	JMP start52

zero52:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	VXORPD Y8, Y8, Y8
	VXORPD Y9, Y9, Y9
	VXORPD Y10, Y10, Y10
	VXORPD Y11, Y11, Y11
	VXORPD Y12, Y12, Y12

start52:
	CMPQ BX, DX
	JGE store52

loop52:
	WROW
	VBROADCASTSD (R12)(BX*8), Y13
	VFMADD231PD 0(AX), Y13, Y0
	VFMADD231PD 32(AX), Y13, Y1
	VFMADD231PD 64(AX), Y13, Y2
	VFMADD231PD 96(AX), Y13, Y3
	VFMADD231PD 128(AX), Y13, Y4
	VFMADD231PD 160(AX), Y13, Y5
	VFMADD231PD 192(AX), Y13, Y6
	VFMADD231PD 224(AX), Y13, Y7
	VFMADD231PD 256(AX), Y13, Y8
	VFMADD231PD 288(AX), Y13, Y9
	VFMADD231PD 320(AX), Y13, Y10
	VFMADD231PD 352(AX), Y13, Y11
	VMASKMOVPD 384(AX), Y14, Y15
	VFMADD231PD Y15, Y13, Y12
	INCQ BX
	CMPQ BX, DX
	JLT loop52

store52:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 128(DI)
	VMOVUPD Y5, 160(DI)
	VMOVUPD Y6, 192(DI)
	VMOVUPD Y7, 224(DI)
	VMOVUPD Y8, 256(DI)
	VMOVUPD Y9, 288(DI)
	VMOVUPD Y10, 320(DI)
	VMOVUPD Y11, 352(DI)
	VMASKMOVPD Y12, Y14, 384(DI)
	ADDQ R8, DI
	ADDQ $8, R10
	DECQ CX
	JNZ row52

done52:
	VZEROUPPER
	RET

// func rowsAVX2x16(dst *float64, dstStride int, w *float64, wStride int, rowPtr *int, colIdx *int32, val *float64, rows int, bias *float64, masks *[4][4]int64)
// Y0–Y3 hold up to 16 columns of a row of dst under the lane masks Y4–Y7;
// Y8 is the broadcast nonzero, Y9–Y12 the masked loads.
TEXT ·rowsAVX2x16(SB), NOSPLIT, $0-80
	ROWARGS
	MOVQ masks+72(FP), AX
	VMOVDQU 0(AX), Y4
	VMOVDQU 32(AX), Y5
	VMOVDQU 64(AX), Y6
	VMOVDQU 96(AX), Y7
	TESTQ CX, CX
	JLE done16
	MOVQ (R10), BX

row16:
	MOVQ 8(R10), DX
	TESTQ R13, R13
	JZ zero16
	VMASKMOVPD 0(R13), Y4, Y0
	VMASKMOVPD 32(R13), Y5, Y1
	VMASKMOVPD 64(R13), Y6, Y2
	VMASKMOVPD 96(R13), Y7, Y3
	JMP start16

zero16:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

start16:
	CMPQ BX, DX
	JGE store16

loop16:
	WROW
	VBROADCASTSD (R12)(BX*8), Y8
	VMASKMOVPD 0(AX), Y4, Y9
	VMASKMOVPD 32(AX), Y5, Y10
	VMASKMOVPD 64(AX), Y6, Y11
	VMASKMOVPD 96(AX), Y7, Y12
	VFMADD231PD Y9, Y8, Y0
	VFMADD231PD Y10, Y8, Y1
	VFMADD231PD Y11, Y8, Y2
	VFMADD231PD Y12, Y8, Y3
	INCQ BX
	CMPQ BX, DX
	JLT loop16

store16:
	VMASKMOVPD Y0, Y4, 0(DI)
	VMASKMOVPD Y1, Y5, 32(DI)
	VMASKMOVPD Y2, Y6, 64(DI)
	VMASKMOVPD Y3, Y7, 96(DI)
	ADDQ R8, DI
	ADDQ $8, R10
	DECQ CX
	JNZ row16

done16:
	VZEROUPPER
	RET

// func finite512(x *float64, n int) bool
// Sums x·0 (NaN for ±Inf and NaN, else 0) in Z0–Z3; n is a multiple of 8.
TEXT ·finite512(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	VPXORQ Z2, Z2, Z2
	VPXORQ Z3, Z3, Z3
	VPXORQ Z4, Z4, Z4
	CMPQ CX, $32
	JLT tail512f

loop512f:
	VFMADD231PD (SI), Z4, Z0
	VFMADD231PD 64(SI), Z4, Z1
	VFMADD231PD 128(SI), Z4, Z2
	VFMADD231PD 192(SI), Z4, Z3
	ADDQ $256, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE loop512f

tail512f:
	TESTQ CX, CX
	JZ sum512f
	VFMADD231PD (SI), Z4, Z0
	ADDQ $64, SI
	SUBQ $8, CX
	JMP tail512f

sum512f:
	VADDPD Z1, Z0, Z0
	VADDPD Z3, Z2, Z2
	VADDPD Z2, Z0, Z0
	VCMPPD $3, Z0, Z0, K1 // unordered: NaN
	KMOVW K1, AX
	TESTL AX, AX
	SETEQ ret+16(FP)
	VZEROUPPER
	RET

// func finiteAVX2(x *float64, n int) bool
// As finite512 with ymm registers; n is a multiple of 4.
TEXT ·finiteAVX2(SB), NOSPLIT, $0-17
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	CMPQ CX, $16
	JLT tail2f

loop2f:
	VFMADD231PD (SI), Y4, Y0
	VFMADD231PD 32(SI), Y4, Y1
	VFMADD231PD 64(SI), Y4, Y2
	VFMADD231PD 96(SI), Y4, Y3
	ADDQ $128, SI
	SUBQ $16, CX
	CMPQ CX, $16
	JGE loop2f

tail2f:
	TESTQ CX, CX
	JZ sum2f
	VFMADD231PD (SI), Y4, Y0
	ADDQ $32, SI
	SUBQ $4, CX
	JMP tail2f

sum2f:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VADDPD Y2, Y0, Y0
	VCMPPD $3, Y0, Y0, Y0 // unordered: NaN
	VMOVMSKPD Y0, AX
	TESTL AX, AX
	SETEQ ret+16(FP)
	VZEROUPPER
	RET

DATA iota8<>+0(SB)/4, $0
DATA iota8<>+4(SB)/4, $1
DATA iota8<>+8(SB)/4, $2
DATA iota8<>+12(SB)/4, $3
DATA iota8<>+16(SB)/4, $4
DATA iota8<>+20(SB)/4, $5
DATA iota8<>+24(SB)/4, $6
DATA iota8<>+28(SB)/4, $7
GLOBL iota8<>(SB), RODATA|NOPTR, $32

DATA eight8<>+0(SB)/4, $8
DATA eight8<>+4(SB)/4, $8
DATA eight8<>+8(SB)/4, $8
DATA eight8<>+12(SB)/4, $8
DATA eight8<>+16(SB)/4, $8
DATA eight8<>+20(SB)/4, $8
DATA eight8<>+24(SB)/4, $8
DATA eight8<>+28(SB)/4, $8
GLOBL eight8<>(SB), RODATA|NOPTR, $32

// func compress512asm(row *float64, n int, val *float64, idx *int32) int
// Eight entries at a time: K1 marks the nonzeros (x ≠ 0 or NaN), which
// VCOMPRESSPD packs with their indices; each store writes all 8 lanes and
// the count advances by the number of nonzeros.
TEXT ·compress512asm(SB), NOSPLIT, $0-40
	MOVQ row+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ val+16(FP), DI
	MOVQ idx+24(FP), R8
	XORQ AX, AX
	VPXORQ Z3, Z3, Z3
	VMOVDQU iota8<>(SB), Y4
	VMOVDQU eight8<>(SB), Y5
	CMPQ CX, $8
	JLT tailc

loopc:
	VMOVUPD (SI), Z0
	VCMPPD $4, Z3, Z0, K1 // not equal, or unordered
	VCOMPRESSPD Z0, K1, Z1
	VMOVUPD Z1, (DI)(AX*8)
	VPCOMPRESSD Y4, K1, Y2
	VMOVDQU Y2, (R8)(AX*4)
	KMOVW K1, DX
	POPCNTL DX, DX
	ADDQ DX, AX
	VPADDD Y5, Y4, Y4
	ADDQ $64, SI
	SUBQ $8, CX
	CMPQ CX, $8
	JGE loopc

tailc:
	TESTQ CX, CX
	JZ donec
	MOVQ $1, DX
	SHLQ CX, DX
	DECQ DX
	KMOVW DX, K2
	VMOVUPD.Z (SI), K2, Z0
	VCMPPD $4, Z3, Z0, K2, K1
	VCOMPRESSPD Z0, K1, Z1
	VMOVUPD Z1, (DI)(AX*8)
	VPCOMPRESSD Y4, K1, Y2
	VMOVDQU Y2, (R8)(AX*4)
	KMOVW K1, DX
	POPCNTL DX, DX
	ADDQ DX, AX

donec:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET
