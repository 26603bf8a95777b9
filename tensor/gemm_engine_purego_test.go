//go:build purego && !openblas

package tensor

// testEngines lists the product engines of this build: only gonum's.
func testEngines() []testEngine {
	return []testEngine{{"gonum", func() func() { return func() {} }}}
}
