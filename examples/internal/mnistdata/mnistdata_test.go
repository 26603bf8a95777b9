package mnistdata_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/numlearn/numlearn/examples/internal/mnistdata"
)

// TestFetch fetches MNIST into the default folder and checks the sizes and
// the first training labels, which the book's mnist_show.py prints.
func TestFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("downloads MNIST: needs the real MNIST files; run without -short")
	}
	train, test, dir, err := mnistdata.Fetch(context.Background(), "", nil)
	require.NoError(t, err)
	assert.NotEmpty(t, dir)
	assert.Equal(t, 60000, train.Len())
	assert.Equal(t, 10000, test.Len())
	assert.Equal(t, []int{5, 0, 4, 1, 9}, train.Labels[:5])
}
