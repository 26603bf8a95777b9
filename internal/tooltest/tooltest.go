// Package tooltest finds the outside tools that some tests check numlearn
// against — Python with numpy, onnx or torch, Node.js packages such as
// onnxruntime-node and playwright-core, and Chromium — and decides what a
// test does when one is missing: it skips, unless the environment variable
// CI is set, when the tool must be there and the test fails.
//
// Where the tools are is read from the environment, as .ci/run sets it:
//
//	NUMLEARN_PYTHON        the Python interpreter (default /usr/bin/python3)
//	NUMLEARN_NODE_MODULES  a node_modules folder holding the npm packages
//	                       (default <user cache dir>/numlearn/tools/node_modules)
//	NUMLEARN_CHROMIUM      the Chromium executable (default /usr/bin/chromium)
package tooltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// missing skips t, or fails it when CI is set, saying what is missing.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is missing, and CI is set: .ci/run installs it", what)
	}
	t.Skipf("%s is missing (.ci/run installs it)", what)
}

// Python returns a Python interpreter that imports every one of modules,
// or skips or fails t as the package doc says.
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	python := os.Getenv("NUMLEARN_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	if _, err := os.Stat(python); err != nil {
		missing(t, python)
	}
	script := "import " + strings.Join(append([]string{"sys"}, modules...), ", ")
	if out, err := exec.Command(python, "-c", script).CombinedOutput(); err != nil {
		missing(t, "Python with "+strings.Join(modules, ", ")+" ("+strings.TrimSpace(string(out))+")")
	}
	return python
}

// NodeModules returns the node_modules folder that holds every one of the
// npm packages, with node on the PATH, or skips or fails t as the package
// doc says. Run node with NODE_PATH set to it.
func NodeModules(t testing.TB, packages ...string) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node")
	}
	dir := os.Getenv("NUMLEARN_NODE_MODULES")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			missing(t, "a cache folder for node_modules")
		}
		dir = filepath.Join(cache, "numlearn", "tools", "node_modules")
	}
	for _, p := range packages {
		if _, err := os.Stat(filepath.Join(dir, p, "package.json")); err != nil {
			missing(t, "the npm package "+p+" in "+dir)
		}
	}
	return dir
}

// Chromium returns the Chromium executable, or skips or fails t as the
// package doc says.
func Chromium(t testing.TB) string {
	t.Helper()
	path := os.Getenv("NUMLEARN_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		missing(t, "Chromium ("+path+")")
	}
	return path
}
