package tooltest

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder is a testing.TB that notes how a test would have ended instead
// of ending it. The code under test runs on after the call a real test
// would have stopped at, so only the first ending counts.
type recorder struct {
	testing.TB
	endings []string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.endings = append(r.endings, "skip: "+fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.endings = append(r.endings, "fail: "+fmt.Sprintf(format, args...))
}

// TestMissingToolSkipsUnlessCI: a missing tool skips the test on a
// developer's machine and fails it under CI, which must have installed it.
func TestMissingToolSkipsUnlessCI(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "no-python")
	t.Setenv("NUMLEARN_PYTHON", absent)

	t.Setenv("CI", "")
	r := &recorder{TB: t}
	Python(r, "numpy")
	if assert.NotEmpty(t, r.endings) {
		assert.Equal(t, "skip: "+absent+" is missing (.ci/run installs it)", r.endings[0])
	}

	t.Setenv("CI", "true")
	r = &recorder{TB: t}
	Python(r, "numpy")
	if assert.NotEmpty(t, r.endings) {
		assert.Equal(t, "fail: "+absent+" is missing, and CI is set: .ci/run installs it", r.endings[0])
	}
}
