package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGradcheckOnRealMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("checks gradients on MNIST: needs the real MNIST files; run without -short")
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-n", "3"}, &out))
	assert.Contains(t, out.String(), "labels [5 0 4]", "the first three training labels")
	lines := regexp.MustCompile(`(?m)^(W1|b1|W2|b2): (\S+)`).FindAllStringSubmatch(out.String(), -1)
	require.Len(t, lines, 4, out.String())
	for _, m := range lines {
		v, err := strconv.ParseFloat(m[2], 64)
		require.NoError(t, err)
		// The book prints W1 4.2e-10, b1 2.4e-09, W2 4.6e-09, b2 1.4e-07.
		assert.Less(t, v, 1e-6, "%s", m[1])
	}
}

func TestBadFlags(t *testing.T) {
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), []string{"-n", "0"}, &out))
	assert.Error(t, run(context.Background(), []string{"-bogus"}, &out))
}
