//go:build openblas

package tensor

// testEngines lists the product engines of this build: only OpenBLAS.
func testEngines() []testEngine {
	return []testEngine{{"openblas", func() func() { return func() {} }}}
}
