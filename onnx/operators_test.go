package onnx

import (
	"bufio"
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// markdownTable returns the rows of the first table after the heading of
// the markdown file name, each as its cells without the backticks.
func markdownTable(t *testing.T, name, heading string) [][]string {
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	var rows [][]string
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		switch {
		case line == heading:
			in = true
		case in && strings.HasPrefix(line, "## "):
			return rows
		case in && strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i, c := range cells {
				cells[i] = strings.ReplaceAll(strings.TrimSpace(c), "`", "")
			}
			rows = append(rows, cells)
		}
	}
	require.NoError(t, s.Err())
	require.True(t, in, "%s has no heading %q", name, heading)
	return rows
}

// shownAttr returns a as OPERATORS.md lists it: its name, and the
// operator set versions that define it where not all do.
func shownAttr(a attr) string {
	switch {
	case a.since > 0 && a.until > 0:
		return fmt.Sprintf("%s (%d–%d)", a.name, a.since, a.until)
	case a.until > 0:
		return fmt.Sprintf("%s (≤%d)", a.name, a.until)
	case a.since > 0:
		return fmt.Sprintf("%s (%d+)", a.name, a.since)
	}
	return a.name
}

// TestOperatorTables checks the tables of OPERATORS.md, and the list of
// exported layers in the package documentation, against the code: the
// operators Import reads with their attributes, the operators it refuses
// altogether, and the layers and heads Export writes.
func TestOperatorTables(t *testing.T) {
	const doc = "OPERATORS.md"
	t.Run("README's copy", func(t *testing.T) {
		ops, err := os.ReadFile(doc)
		require.NoError(t, err)
		readme, err := os.ReadFile(filepath.Join("..", "README.md"))
		require.NoError(t, err)
		const begin, end = "<!-- onnx operators: a copy of onnx/OPERATORS.md, checked by TestOperatorTables -->\n", "\n<!-- end onnx operators -->"
		from, to := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
		require.True(t, from >= 0 && to > from, "README.md has the operator tables between %q and %q", begin, end)
		i, j := bytes.Index(ops, []byte("## What Import reads")), bytes.Index(ops, []byte("## What Export writes"))
		// The README holds the two sections one heading level down.
		want := strings.ReplaceAll("\n"+strings.TrimRight(string(ops[i:j]), "\n"), "\n## ", "\n### ")[1:]
		assert.Equal(t, want, string(readme[from+len(begin):to]), "README.md's operator tables differ from OPERATORS.md's: copy them again")
	})
	t.Run("Import reads", func(t *testing.T) {
		rows := markdownTable(t, doc, "## What Import reads")
		listed := map[string][]string{}
		for _, r := range rows[1:] {
			require.Len(t, r, 3, "row %v", r)
			var attrs []string
			if r[1] != "" {
				attrs = strings.Split(r[1], ", ")
			}
			listed[r[0]] = attrs
		}
		assert.ElementsMatch(t, slices.Collect(maps.Keys(operators)), slices.Collect(maps.Keys(listed)), "operators")
		for name, op := range operators {
			var want []string
			for _, a := range op.attrs {
				want = append(want, shownAttr(a))
			}
			assert.ElementsMatch(t, want, listed[name], "attributes of %s", name)
		}
	})
	t.Run("Import refuses", func(t *testing.T) {
		for _, r := range markdownTable(t, doc, "## What Import refuses")[1:] {
			require.Len(t, r, 2, "row %v", r)
			_, read := operators[r[0]]
			if strings.HasPrefix(r[1], "everything") {
				assert.False(t, read, "%s is refused altogether, but the importer has it", r[0])
			} else {
				assert.True(t, read, "%s is refused in part, but the importer has it not", r[0])
			}
		}
	})
	var exported []string
	for typ := range builtinExporters() {
		exported = append(exported, strings.TrimPrefix(typ.String(), "*"))
	}
	for typ := range heads {
		exported = append(exported, strings.TrimPrefix(typ.String(), "*"))
	}
	t.Run("Export writes", func(t *testing.T) {
		var listed []string
		for _, r := range markdownTable(t, doc, "## What Export writes")[1:] {
			listed = append(listed, r[0])
		}
		assert.ElementsMatch(t, exported, listed)
	})
	t.Run("package documentation", func(t *testing.T) {
		b, err := os.ReadFile("doc.go")
		require.NoError(t, err)
		var listed []string
		for line := range strings.Lines(string(b)) {
			if f := strings.Fields(strings.TrimPrefix(line, "//")); strings.HasPrefix(line, "//\tlayers.") && len(f) > 0 {
				listed = append(listed, f[0])
			}
		}
		assert.ElementsMatch(t, exported, listed, "the layers the package documentation lists as exported")
	})
}
