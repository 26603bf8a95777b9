//go:build !purego && !openblas

package tensor

// testEngines lists the product engines of this build, each with a
// function that makes products use it, as NUMLEARN_GEMM does, and returns
// a function that restores the choice.
func testEngines() []testEngine {
	force := func(gonum bool) func() func() {
		return func() func() {
			saved := useGonum
			useGonum = func() bool { return gonum }
			return func() { useGonum = saved }
		}
	}
	return []testEngine{{"packed", force(false)}, {"gonum", force(true)}}
}
