// Command onnxgo runs the ONNX project's PyTorch-converted backend test
// cases through numlearn's onnx.Import and through onnx-go with its
// gorgonnx backend, and prints a markdown table of what each made of each
// case: whether it imports the model, and whether its output agrees with
// the one PyTorch recorded.
//
// It is a module of its own, so that numlearn never depends on gorgonia:
//
//	cd bench/onnxgo && go run . [-dir DIR] [-tol 1e-5]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", filepath.Join("..", "..", "onnx", "testdata", "pytorch-converted"),
		"folder of test cases, each a folder with model.onnx and test_data_set_0/{input_0,output_0}.pb")
	tol := flag.Float64("tol", 1e-5, "largest difference from the recorded output, relative to its largest magnitude, that agrees")
	flag.Parse()
	if err := run(os.Stdout, *dir, *tol); err != nil {
		fmt.Fprintln(os.Stderr, "onnxgo:", err)
		os.Exit(1)
	}
}

// run compares the two importers on every test_* case of dir and writes
// the table to w.
func run(w io.Writer, dir string, tol float64) error {
	dirs, err := filepath.Glob(filepath.Join(dir, "test_*"))
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return fmt.Errorf("no test_* cases in %s", dir)
	}
	var rows []row
	for _, d := range dirs {
		c, err := loadCase(d)
		if err != nil {
			return err
		}
		rows = append(rows, row{name: c.name, numlearn: runNumlearn(c), onnxGo: runOnnxGo(c)})
	}
	writeTable(w, rows, tol)
	return nil
}

// row is one case's outcomes.
type row struct {
	name             string
	numlearn, onnxGo outcome
}

// writeTable writes rows as a markdown table with a totals line.
func writeTable(w io.Writer, rows []row, tol float64) {
	fmt.Fprintf(w, "| case | numlearn onnx.Import | onnx-go + gorgonnx |\n|---|---|---|\n")
	var nl, og tally
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", r.name, cell(r.numlearn, tol), cell(r.onnxGo, tol))
		nl.add(r.numlearn, tol)
		og.add(r.onnxGo, tol)
	}
	fmt.Fprintf(w, "| **%d cases** (tol %.0e) | %s | %s |\n", len(rows), tol, nl, og)
}

// tally counts the cases a tool imports and those it agrees on.
type tally struct{ imported, agreed int }

func (t *tally) add(o outcome, tol float64) {
	if o.imported {
		t.imported++
	}
	if o.agrees(tol) {
		t.agreed++
	}
}

func (t tally) String() string {
	return fmt.Sprintf("**imports %d, agrees on %d**", t.imported, t.agreed)
}

// cell describes an outcome in a table cell: the relative difference of
// an output that agrees or differs, else the fault, shortened.
func cell(o outcome, tol float64) string {
	switch {
	case o.fault != "" && o.imported:
		return "imports; " + short(o.fault)
	case o.fault != "":
		return "no: " + short(o.fault)
	case o.agrees(tol):
		return fmt.Sprintf("agrees (%.1e)", o.differ)
	default:
		return fmt.Sprintf("imports; **DIFFERS** (%.2g)", o.differ)
	}
}

// short returns the first line of an error message, without numlearn's
// package prefix, at most 90 bytes, with the pipes escaped for markdown.
func short(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimPrefix(s, "onnx: ")
	if len(s) > 90 {
		s = strings.ToValidUTF8(s[:87], "") + "..."
	}
	return strings.ReplaceAll(s, "|", `\|`)
}
