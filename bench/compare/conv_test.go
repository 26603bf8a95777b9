package main

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvWorkloadFlags(t *testing.T) {
	o, err := parseFlags([]string{"-workload", "conv", "-quick"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "conv", o.workload)
	assert.Equal(t, convQuickSteps, o.steps)
	assert.Equal(t, 1, o.reps)

	o, err = parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "mnist", o.workload, "the default workload is unchanged")

	_, err = parseFlags([]string{"-workload", "gpu"}, io.Discard)
	assert.EqualError(t, err, `-workload "gpu": want mnist or conv`)
	_, err = parseFlags([]string{"-workload", "conv", "-steps", "0"}, io.Discard)
	assert.EqualError(t, err, "-steps must be positive")
}

func TestThreadsFlag(t *testing.T) {
	tests := []struct {
		name, arg string
		want      []int
		wantErr   bool
	}{
		{name: "default", want: []int{1, 2}},
		{name: "a server's", arg: "1,2,4,8,16", want: []int{1, 2, 4, 8, 16}},
		{name: "spaces and repeats", arg: "4, 1,4", want: []int{4, 1}},
		{name: "zero", arg: "0,2", wantErr: true},
		{name: "not a number", arg: "1,two", wantErr: true},
		{name: "empty", arg: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-workload", "conv"}
			if tc.name != "default" {
				args = append(args, "-threads", tc.arg)
			}
			o, err := parseFlags(args, io.Discard)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.threads)
		})
	}
	_, err := parseFlags([]string{"-threads", "1,4"}, io.Discard)
	assert.Error(t, err, "the mnist workload has no thread counts to set")
}

func TestWriteConvReport(t *testing.T) {
	// Best step and best evaluation are taken from the runs separately,
	// and each row is compared with PyTorch float64 on as many threads.
	configs := []*convConfig{
		{name: "numlearn float64", threads: 1, runs: []convResult{{MsPerIteration: 20, EvalSeconds: 0.5}, {MsPerIteration: 18, EvalSeconds: 0.6}}},
		{name: "PyTorch float64", threads: 1, runs: []convResult{{MsPerIteration: 40, EvalSeconds: 2}}},
		{name: "PyTorch float32", threads: 1, skipped: "no torch"},
	}
	var buf bytes.Buffer
	require.NoError(t, writeConvReport(&buf, configs))
	out := buf.String()
	assert.Regexp(t, `numlearn float64\s+1\s+18\.0\s+0\.45\s+0\.50\s+0\.25`, out)
	assert.Regexp(t, `PyTorch float64\s+1\s+40\.0\s+1\.00\s+2\.00\s+1\.00`, out)
	assert.Contains(t, out, "PyTorch float32, 1 thread(s): skipped (no torch)")
	assert.Contains(t, out, "numlearn / PyTorch float64, 1 thread(s): step 0.45, evaluation 0.25 (target ≤ 0.50: met)")
}
