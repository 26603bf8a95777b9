//go:build amd64 && !purego

#include "textflag.h"

// The kernels compute the Go loops' rules with one instruction per
// rounding of their formulas, in the same order, and none fused: VSQRTPD
// and VDIVPD round correctly as SQRTSD and DIVSD do, so each lane gets
// the scalar result's bits.
//
// Register use: DI, SI, R8 and R9 point at p, gr and the state (h; or m
// and v); AX is the index of the first element of the block and CX
// counts the blocks left. The hyperparameters fill registers 12–15, one
// per lane, eps always in 15 and the learning rate in 14; registers 0–3
// hold g, the state (h; or m and v) and p, and 4–7 intermediate values.

// func adaGradAVX512(p, gr, h *float64, n int, lr, eps float64)
TEXT ·adaGradAVX512(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ h+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD lr+32(FP), Z14
	VBROADCASTSD eps+40(FP), Z15
	XORQ AX, AX
	SHRQ $3, CX
	JEQ adaGrad512done

adaGrad512loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD (R8)(AX*8), Z1
	VMOVUPD (DI)(AX*8), Z3
	VMULPD Z0, Z0, Z4 // g·g
	VADDPD Z4, Z1, Z1 // h ← h + g·g
	VSQRTPD Z1, Z6 // √h
	VADDPD Z15, Z6, Z6 // √h + eps
	VMULPD Z0, Z14, Z7 // lr·g
	VDIVPD Z6, Z7, Z7 // lr·g / (√h + eps)
	VSUBPD Z7, Z3, Z3 // p ← p − lr·g / (√h + eps)
	VMOVUPD Z1, (R8)(AX*8)
	VMOVUPD Z3, (DI)(AX*8)
	ADDQ $8, AX
	DECQ CX
	JNE adaGrad512loop

adaGrad512done:
	VZEROUPPER
	RET

// func adaGradAVX2(p, gr, h *float64, n int, lr, eps float64)
// adaGradAVX512 in ymm registers, 4 elements at a time.
TEXT ·adaGradAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ h+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD lr+32(FP), Y14
	VBROADCASTSD eps+40(FP), Y15
	XORQ AX, AX
	SHRQ $2, CX
	JEQ adaGradAVX2done

adaGradAVX2loop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (R8)(AX*8), Y1
	VMOVUPD (DI)(AX*8), Y3
	VMULPD Y0, Y0, Y4
	VADDPD Y4, Y1, Y1
	VSQRTPD Y1, Y6
	VADDPD Y15, Y6, Y6
	VMULPD Y0, Y14, Y7
	VDIVPD Y6, Y7, Y7
	VSUBPD Y7, Y3, Y3
	VMOVUPD Y1, (R8)(AX*8)
	VMOVUPD Y3, (DI)(AX*8)
	ADDQ $4, AX
	DECQ CX
	JNE adaGradAVX2loop

adaGradAVX2done:
	VZEROUPPER
	RET

// func rmsPropAVX512(p, gr, h *float64, n int, rho, c, lr, eps float64)
TEXT ·rmsPropAVX512(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ h+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD rho+32(FP), Z12
	VBROADCASTSD c+40(FP), Z13
	VBROADCASTSD lr+48(FP), Z14
	VBROADCASTSD eps+56(FP), Z15
	XORQ AX, AX
	SHRQ $3, CX
	JEQ rmsProp512done

rmsProp512loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD (R8)(AX*8), Z1
	VMOVUPD (DI)(AX*8), Z3
	VMULPD Z1, Z12, Z4 // rho·h
	VMULPD Z0, Z13, Z5 // c·g
	VMULPD Z0, Z5, Z5 // c·g·g
	VADDPD Z5, Z4, Z1 // h ← rho·h + c·g·g
	VSQRTPD Z1, Z6 // √h
	VADDPD Z15, Z6, Z6 // √h + eps
	VMULPD Z0, Z14, Z7 // lr·g
	VDIVPD Z6, Z7, Z7 // lr·g / (√h + eps)
	VSUBPD Z7, Z3, Z3 // p ← p − lr·g / (√h + eps)
	VMOVUPD Z1, (R8)(AX*8)
	VMOVUPD Z3, (DI)(AX*8)
	ADDQ $8, AX
	DECQ CX
	JNE rmsProp512loop

rmsProp512done:
	VZEROUPPER
	RET

// func rmsPropAVX2(p, gr, h *float64, n int, rho, c, lr, eps float64)
// rmsPropAVX512 in ymm registers, 4 elements at a time.
TEXT ·rmsPropAVX2(SB), NOSPLIT, $0-64
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ h+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD rho+32(FP), Y12
	VBROADCASTSD c+40(FP), Y13
	VBROADCASTSD lr+48(FP), Y14
	VBROADCASTSD eps+56(FP), Y15
	XORQ AX, AX
	SHRQ $2, CX
	JEQ rmsPropAVX2done

rmsPropAVX2loop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (R8)(AX*8), Y1
	VMOVUPD (DI)(AX*8), Y3
	VMULPD Y1, Y12, Y4
	VMULPD Y0, Y13, Y5
	VMULPD Y0, Y5, Y5
	VADDPD Y5, Y4, Y1
	VSQRTPD Y1, Y6
	VADDPD Y15, Y6, Y6
	VMULPD Y0, Y14, Y7
	VDIVPD Y6, Y7, Y7
	VSUBPD Y7, Y3, Y3
	VMOVUPD Y1, (R8)(AX*8)
	VMOVUPD Y3, (DI)(AX*8)
	ADDQ $4, AX
	DECQ CX
	JNE rmsPropAVX2loop

rmsPropAVX2done:
	VZEROUPPER
	RET

// func adamAVX512(p, gr, m, v *float64, n int, c1, c2, lrt, eps float64)
TEXT ·adamAVX512(SB), NOSPLIT, $0-72
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSD c1+40(FP), Z12
	VBROADCASTSD c2+48(FP), Z13
	VBROADCASTSD lrt+56(FP), Z14
	VBROADCASTSD eps+64(FP), Z15
	XORQ AX, AX
	SHRQ $3, CX
	JEQ adam512done

adam512loop:
	VMOVUPD (SI)(AX*8), Z0
	VMOVUPD (R8)(AX*8), Z1
	VMOVUPD (R9)(AX*8), Z2
	VMOVUPD (DI)(AX*8), Z3
	VSUBPD Z1, Z0, Z4 // g − m
	VMULPD Z4, Z12, Z4 // c1·(g − m)
	VADDPD Z4, Z1, Z1 // m ← m + c1·(g − m)
	VMULPD Z0, Z0, Z5 // g·g
	VSUBPD Z2, Z5, Z5 // g·g − v
	VMULPD Z5, Z13, Z5 // c2·(g·g − v)
	VADDPD Z5, Z2, Z2 // v ← v + c2·(g·g − v)
	VSQRTPD Z2, Z6 // √v
	VADDPD Z15, Z6, Z6 // √v + eps
	VMULPD Z1, Z14, Z7 // lrt·m
	VDIVPD Z6, Z7, Z7 // lrt·m / (√v + eps)
	VSUBPD Z7, Z3, Z3 // p ← p − lrt·m / (√v + eps)
	VMOVUPD Z1, (R8)(AX*8)
	VMOVUPD Z2, (R9)(AX*8)
	VMOVUPD Z3, (DI)(AX*8)
	ADDQ $8, AX
	DECQ CX
	JNE adam512loop

adam512done:
	VZEROUPPER
	RET

// func adamAVX2(p, gr, m, v *float64, n int, c1, c2, lrt, eps float64)
// adamAVX512 in ymm registers, 4 elements at a time.
TEXT ·adamAVX2(SB), NOSPLIT, $0-72
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSD c1+40(FP), Y12
	VBROADCASTSD c2+48(FP), Y13
	VBROADCASTSD lrt+56(FP), Y14
	VBROADCASTSD eps+64(FP), Y15
	XORQ AX, AX
	SHRQ $2, CX
	JEQ adamAVX2done

adamAVX2loop:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD (R8)(AX*8), Y1
	VMOVUPD (R9)(AX*8), Y2
	VMOVUPD (DI)(AX*8), Y3
	VSUBPD Y1, Y0, Y4
	VMULPD Y4, Y12, Y4
	VADDPD Y4, Y1, Y1
	VMULPD Y0, Y0, Y5
	VSUBPD Y2, Y5, Y5
	VMULPD Y5, Y13, Y5
	VADDPD Y5, Y2, Y2
	VSQRTPD Y2, Y6
	VADDPD Y15, Y6, Y6
	VMULPD Y1, Y14, Y7
	VDIVPD Y6, Y7, Y7
	VSUBPD Y7, Y3, Y3
	VMOVUPD Y1, (R8)(AX*8)
	VMOVUPD Y2, (R9)(AX*8)
	VMOVUPD Y3, (DI)(AX*8)
	ADDQ $4, AX
	DECQ CX
	JNE adamAVX2loop

adamAVX2done:
	VZEROUPPER
	RET

// func sgdAVX512(p, gr *float64, n int, step float64)
// Two zmm registers a round; the product and the sum round separately.
TEXT ·sgdAVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD step+24(FP), Z14
	XORQ AX, AX
	SHRQ $4, CX
	JEQ sgd512done

sgd512loop:
	VMULPD (SI)(AX*8), Z14, Z0 // step·g
	VMULPD 64(SI)(AX*8), Z14, Z1
	VADDPD (DI)(AX*8), Z0, Z0 // p + step·g
	VADDPD 64(DI)(AX*8), Z1, Z1
	VMOVUPD Z0, (DI)(AX*8)
	VMOVUPD Z1, 64(DI)(AX*8)
	ADDQ $16, AX
	DECQ CX
	JNE sgd512loop

sgd512done:
	VZEROUPPER
	RET

// func sgdAVX2(p, gr *float64, n int, step float64)
// sgdAVX512 in ymm registers, 8 elements a round.
TEXT ·sgdAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD step+24(FP), Y14
	XORQ AX, AX
	SHRQ $3, CX
	JEQ sgdAVX2done

sgdAVX2loop:
	VMULPD (SI)(AX*8), Y14, Y0
	VMULPD 32(SI)(AX*8), Y14, Y1
	VADDPD (DI)(AX*8), Y0, Y0
	VADDPD 32(DI)(AX*8), Y1, Y1
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	ADDQ $8, AX
	DECQ CX
	JNE sgdAVX2loop

sgdAVX2done:
	VZEROUPPER
	RET
