package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests need neither numpy nor MNIST: they check how runs are read,
// chosen and reported. The timed runs themselves are what the command is
// for, and are not part of go test.

func TestParseResult(t *testing.T) {
	const tol = 1e-12
	tests := []struct {
		name                string
		out                 string
		wantErr             bool
		iters               int
		train, eval, testAc float64
		threads             int // of the BLAS record; 0 when absent
	}{
		{
			name: "numlearn: text, then the JSON line last",
			out: "MNIST: 60000 training and 10000 test images of 28×28, loaded in 0.30s\n" +
				"train accuracy 0.9500, test accuracy 0.9600 after 10000 steps\n" +
				`{"iterations":10000,"load_seconds":0.3,"train_seconds":12.5,"eval_seconds":3.25,"train_accuracy":0.95,"test_accuracy":0.96}` + "\n",
			iters: 10000, train: 12.5, eval: 3.25, testAc: 0.96,
		},
		{
			name: "numpy: extra fields and the BLAS record",
			out: `{"variant": "lean", "iterations": 500, "evaluations": 2, "load_seconds": 1.5, "train_seconds": 0.5, "eval_seconds": 0.75, ` +
				`"ms_per_iteration": 1.0, "train_accuracy": 0.89, "test_accuracy": 0.8924, "numpy": "1.24.2", ` +
				`"blas": {"internal_api": "openblas", "version": "0.3.21", "architecture": "Cooperlake", "num_threads": 1}}`,
			iters: 500, train: 0.5, eval: 0.75, testAc: 0.8924, threads: 1,
		},
		{name: "no JSON line", out: "trained\n", wantErr: true},
		{name: "empty output", out: "", wantErr: true},
		{name: "broken JSON", out: `{"iterations": 10`, wantErr: true},
		{name: "no steps", out: `{"iterations": 0, "train_seconds": 1}`, wantErr: true},
		{name: "negative time", out: `{"iterations": 5, "train_seconds": -1}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseResult([]byte(tc.out))
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.iters, r.Iterations)
			assert.InDelta(t, tc.train, r.TrainSeconds, tol)
			assert.InDelta(t, tc.eval, r.EvalSeconds, tol)
			assert.InDelta(t, tc.train+tc.eval, r.total(), tol)
			assert.InDelta(t, tc.testAc, r.TestAccuracy, tol)
			if tc.threads == 0 {
				assert.Nil(t, r.BLAS)
			} else {
				require.NotNil(t, r.BLAS)
				assert.Equal(t, "openblas", r.BLAS.InternalAPI)
				assert.Equal(t, tc.threads, r.BLAS.NumThreads)
			}
		})
	}
	_, err := parseResult([]byte("no json"))
	assert.ErrorIs(t, err, errNoJSON)
}

func TestMsPerIter(t *testing.T) {
	const tol = 1e-12
	// 12.5 s over 10,000 steps is 1.25 ms a step.
	assert.InDelta(t, 1.25, result{Iterations: 10000, TrainSeconds: 12.5}.msPerIter(), tol)
}

func TestBest(t *testing.T) {
	tests := []struct {
		name string
		runs []result
		want int // index into runs, -1 for none
	}{
		{name: "none", want: -1},
		{name: "one", runs: []result{{TrainSeconds: 5, EvalSeconds: 1}}, want: 0},
		{
			name: "smallest train + eval, not smallest train",
			runs: []result{
				{TrainSeconds: 5, EvalSeconds: 4}, // 9
				{TrainSeconds: 6, EvalSeconds: 2}, // 8
				{TrainSeconds: 7, EvalSeconds: 3}, // 10
			},
			want: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := best(tc.runs)
			if tc.want < 0 {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.runs[tc.want], b)
		})
	}
}

func TestWriteReport(t *testing.T) {
	// numpy lean's best total is 6 + 2 = 8 s; numlearn's is 3 + 1 = 4 s:
	// exactly half, which meets the target of ≤ 0.5.
	lean := outcome{name: refName, runs: []result{
		{Iterations: 10000, TrainSeconds: 9, EvalSeconds: 3, TestAccuracy: 0.9701},
		{Iterations: 10000, TrainSeconds: 6, EvalSeconds: 2, TestAccuracy: 0.9702},
	}}
	book := outcome{name: "numpy book", runs: []result{{Iterations: 10000, TrainSeconds: 10, EvalSeconds: 2, TestAccuracy: 0.9702}}}
	fast := outcome{name: targetName, runs: []result{{Iterations: 10000, TrainSeconds: 3, EvalSeconds: 1, TestAccuracy: 0.9710}}}
	cgo := outcome{name: "numlearn + OpenBLAS", skipped: "no file in the module uses the openblas build tag"}

	tests := []struct {
		name    string
		rows    []outcome
		want    []string
		notWant []string
		wantErr bool
	}{
		{
			name: "target met",
			rows: []outcome{book, lean, fast, cgo},
			want: []string{
				// train 3 s over 10,000 steps: 0.300 ms a step; 4/8 = 0.50.
				"numlearn pure Go        3.00    1.00     4.00    0.300    0.9710          0.50",
				"numpy book             10.00    2.00    12.00    1.000    0.9702          1.50",
				"numlearn + OpenBLAS: skipped (no file in the module uses the openblas build tag)",
				"numpy lean             12.00  8.00",
				": 0.50 (target ≤ 0.50: met)",
				"test accuracy 0.9710, numpy lean 0.9702 (target ≥ 0.965: met)",
			},
		},
		{
			name: "one thread faster than two: busy machine",
			// numpy lean on one thread: 5 + 1 = 6 s; numlearn's 4 s is 0.67 of it.
			rows: []outcome{lean, {name: oneThreadName, runs: []result{{Iterations: 10000, TrainSeconds: 5, EvalSeconds: 1}}}, fast},
			want: []string{"numlearn pure Go / numpy lean 1 thread: 0.67", "warning: numpy was faster on one BLAS thread"},
		},
		{
			name:    "one thread slower than two: no warning",
			rows:    []outcome{lean, {name: oneThreadName, runs: []result{{Iterations: 10000, TrainSeconds: 12, EvalSeconds: 4}}}, fast},
			want:    []string{"numlearn pure Go / numpy lean 1 thread: 0.25"},
			notWant: []string{"warning"},
		},
		{
			name: "target missed in a smoke test",
			rows: []outcome{lean, {name: targetName, runs: []result{{Iterations: 500, TrainSeconds: 7, EvalSeconds: 3, TestAccuracy: 0.9}}}},
			// 10/8 = 1.25.
			want:    []string{": 1.25 (target ≤ 0.50: not met)", "500 steps instead of 10000"},
			notWant: []string{"target ≥ 0.965"},
		},
		{
			name: "accuracy too low",
			rows: []outcome{lean, {name: targetName, runs: []result{{Iterations: 10000, TrainSeconds: 2, EvalSeconds: 1, TestAccuracy: 0.9}}}},
			want: []string{"(target ≥ 0.965: not met)", ": 0.38 (target ≤ 0.50: met)"},
		},
		{name: "no numpy lean run", rows: []outcome{book, fast}, wantErr: true},
		{name: "numpy lean skipped", rows: []outcome{{name: refName, skipped: "why"}, fast}, wantErr: true},
		{name: "no numlearn run", rows: []outcome{lean, {name: targetName}}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := writeReport(&out, tc.rows, refName, targetName)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			for _, s := range tc.want {
				assert.Contains(t, out.String(), s)
			}
			for _, s := range tc.notWant {
				assert.NotContains(t, out.String(), s)
			}
		})
	}
}

func TestCleanEnv(t *testing.T) {
	environ := []string{"HOME=/root", "OPENBLAS_CORETYPE=Haswell", "OPENBLAS_NUM_THREADS=2", "OPENBLAS_L2_SIZE=512", "PATH=/bin"}
	tests := []struct {
		name        string
		keep        bool
		env, remove []string
	}{
		{
			name:   "both removed, other OPENBLAS settings kept",
			env:    []string{"HOME=/root", "OPENBLAS_NUM_THREADS=2", "PATH=/bin"},
			remove: []string{"OPENBLAS_CORETYPE=Haswell", "OPENBLAS_L2_SIZE=512"},
		},
		{name: "kept on request", keep: true, env: environ},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, removed := cleanEnv(environ, tc.keep)
			assert.Equal(t, tc.env, env)
			assert.Equal(t, tc.remove, removed)
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		iters, reps int
		wantErr     bool
	}{
		{name: "defaults: the book's run, three rounds", iters: 10000, reps: 3},
		{name: "quick", args: []string{"-quick"}, iters: quickIters, reps: 1},
		{name: "quick with rounds", args: []string{"-quick", "-reps", "2"}, iters: quickIters, reps: 2},
		{name: "quick with steps", args: []string{"-iters", "100", "-quick"}, iters: 100, reps: 1},
		{name: "no rounds", args: []string{"-reps", "0"}, wantErr: true},
		{name: "negative steps", args: []string{"-iters", "-5"}, wantErr: true},
		{name: "stray argument", args: []string{"now"}, wantErr: true},
		{name: "unknown flag", args: []string{"-fast"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.iters, o.iters)
			assert.Equal(t, tc.reps, o.reps)
			assert.Equal(t, "/usr/bin/python3", o.python)
		})
	}
}

func TestTableOrder(t *testing.T) {
	b := &bench{blasSkip: "why"}
	var names []string
	for _, o := range tableOrder(b.configs()) {
		names = append(names, o.name)
	}
	assert.Equal(t, "numpy book|numpy lean|numpy lean 1 thread|numlearn pure Go|numlearn + OpenBLAS", strings.Join(names, "|"))
}

func TestFirstMessage(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "go build's package header skipped", in: "# example.com/m\n./a.go:5:10: fatal error: x.h: No such file\nmore\n", want: "./a.go:5:10: fatal error: x.h: No such file"},
		{name: "blank lines skipped", in: "\n\n  exit status 2\n", want: "exit status 2"},
		{name: "only a header", in: "# example.com/m\n", want: "# example.com/m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, firstMessage(tc.in))
		})
	}
}
