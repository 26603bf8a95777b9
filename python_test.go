package numlearn

import (
	"os/exec"
	"strconv"
)

// runPython runs a Python script with arguments and returns its output.
func runPython(python, script string, args ...string) (string, error) {
	out, err := exec.Command(python, append([]string{"-c", script}, args...)...).CombinedOutput()
	return string(out), err
}

// reprFloat formats v as Python's repr does: the shortest decimal that
// reads back exactly.
func reprFloat(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	f := strconv.FormatFloat(v, 'f', -1, 64)
	if len(f) <= len(s) || (v != 0 && (v >= 1e-4 && v < 1e16 || v <= -1e-4 && v > -1e16)) {
		return f
	}
	return s
}
