//go:build amd64 && !purego

#include "textflag.h"

// func lines(p unsafe.Pointer, n int)
// Steps from p's line, rounded down to 64 bytes, to p+n.
TEXT ·lines(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n+8(FP), CX
	ADDQ AX, CX
	ANDQ $-64, AX

loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	CMPQ AX, CX
	JLT loop
	RET
