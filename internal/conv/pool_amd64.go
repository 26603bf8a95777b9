//go:build amd64 && !purego

package conv

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// reluPool4AVX2 is ReLUPool for the first 4·⌊n/4⌋ outputs, the blocks
// starting at a, a+n, a+2n and a+3n.
//
//go:noescape
func reluPool4AVX2(dst, a *float64, n int, bias float64)

// reluPoolAsm does ReLUPool's work for as many outputs as the assembly
// kernel takes at once and returns how many it wrote.
func reluPoolAsm(dst, act []float64, bias float64) int {
	n := len(dst)
	if !hasAVX2 || n < 4 {
		return 0
	}
	reluPool4AVX2(&dst[0], &act[0], n, bias)
	return n &^ 3
}
