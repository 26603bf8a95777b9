//go:build amd64 && !purego

#include "textflag.h"

// func addFieldsN(dw, img *float64, rows *int, stride int, corners *int32, weights *float64, n int, mask uint64)
//
// addFields1 … addFields8 add to N rows of a filter's weight gradient the
// weighted fields of an image, N = 1 … 8 rows of at most 8 values each:
//
//	dw[r·FW + j] += Σ_t weights[t] · img[corners[t] + rows[r] + j],  j < FW
//
// Row r's sum stays in Z(r) through the loop over t; R8 … R15 point at
// img + rows[r], SI holds the corner of field t, Z31 its weight, and K1
// selects the FW values of a row (mask = 2^FW − 1): the masked loads read
// nothing past a row, so the last field of the image is read in bounds.
// dw's rows are stride bytes apart. FMA rounds once per term, so sums may
// differ from the Go loop's in the last place.

#define BASE(i, REG) MOVQ (i*8)(AX), REG; LEAQ (SI)(REG*8), REG
#define LOAD(ACC) VMOVUPD.Z (DI), K1, ACC; ADDQ CX, DI
#define FMA(REG, ACC) VFMADD231PD (REG)(SI*8), Z31, K1, ACC
#define STORE(ACC) VMOVUPD ACC, K1, (DI); ADDQ CX, DI

TEXT ·addFields1(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	LOAD(Z0)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	VZEROUPPER
	RET

TEXT ·addFields2(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	LOAD(Z0)
	LOAD(Z1)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	VZEROUPPER
	RET

TEXT ·addFields3(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	VZEROUPPER
	RET

TEXT ·addFields4(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	BASE(3, R11)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	LOAD(Z3)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	FMA(R11, Z3)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	STORE(Z3)
	VZEROUPPER
	RET

TEXT ·addFields5(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	BASE(3, R11)
	BASE(4, R12)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	LOAD(Z3)
	LOAD(Z4)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	FMA(R11, Z3)
	FMA(R12, Z4)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	STORE(Z3)
	STORE(Z4)
	VZEROUPPER
	RET

TEXT ·addFields6(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	BASE(3, R11)
	BASE(4, R12)
	BASE(5, R13)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	LOAD(Z3)
	LOAD(Z4)
	LOAD(Z5)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	FMA(R11, Z3)
	FMA(R12, Z4)
	FMA(R13, Z5)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	STORE(Z3)
	STORE(Z4)
	STORE(Z5)
	VZEROUPPER
	RET

TEXT ·addFields7(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	BASE(3, R11)
	BASE(4, R12)
	BASE(5, R13)
	BASE(6, R14)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	LOAD(Z3)
	LOAD(Z4)
	LOAD(Z5)
	LOAD(Z6)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	FMA(R11, Z3)
	FMA(R12, Z4)
	FMA(R13, Z5)
	FMA(R14, Z6)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	STORE(Z3)
	STORE(Z4)
	STORE(Z5)
	STORE(Z6)
	VZEROUPPER
	RET

TEXT ·addFields8(SB), NOSPLIT, $0-64
	MOVQ dw+0(FP), DI
	MOVQ img+8(FP), SI
	MOVQ rows+16(FP), AX
	MOVQ stride+24(FP), CX
	MOVQ corners+32(FP), BX
	MOVQ weights+40(FP), DX
	MOVQ mask+56(FP), R8
	KMOVW R8, K1
	BASE(0, R8)
	BASE(1, R9)
	BASE(2, R10)
	BASE(3, R11)
	BASE(4, R12)
	BASE(5, R13)
	BASE(6, R14)
	BASE(7, R15)
	LOAD(Z0)
	LOAD(Z1)
	LOAD(Z2)
	LOAD(Z3)
	LOAD(Z4)
	LOAD(Z5)
	LOAD(Z6)
	LOAD(Z7)
	MOVQ n+48(FP), CX
	XORQ AX, AX
	TESTQ CX, CX
	JEQ store
loop:
	MOVLQSX (BX)(AX*4), SI
	VBROADCASTSD (DX)(AX*8), Z31
	FMA(R8, Z0)
	FMA(R9, Z1)
	FMA(R10, Z2)
	FMA(R11, Z3)
	FMA(R12, Z4)
	FMA(R13, Z5)
	FMA(R14, Z6)
	FMA(R15, Z7)
	INCQ AX
	CMPQ AX, CX
	JLT loop
store:
	MOVQ dw+0(FP), DI
	MOVQ stride+24(FP), CX
	STORE(Z0)
	STORE(Z1)
	STORE(Z2)
	STORE(Z3)
	STORE(Z4)
	STORE(Z5)
	STORE(Z6)
	STORE(Z7)
	VZEROUPPER
	RET
