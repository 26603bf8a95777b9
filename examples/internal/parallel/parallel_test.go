package parallel

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDo(t *testing.T) {
	errBad := errors.New("bad job")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		n       int
		failAt  int // the job that fails, or −1
		wantErr error
		// wantAll says whether every job must have run.
		wantAll bool
	}{
		{"every job once", context.Background(), 50, -1, nil, true},
		{"no jobs", context.Background(), 0, -1, nil, true},
		{"a failing job", context.Background(), 1000, 3, errBad, false},
		{"a cancelled context", cancelled, 50, -1, context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := make([]int, tt.n)
			var started atomic.Int64
			err := Do(tt.ctx, tt.n, func(i int) error {
				started.Add(1)
				runs[i]++
				if i == tt.failAt {
					return errBad
				}
				return nil
			})
			assert.ErrorIs(t, err, tt.wantErr)
			for i, r := range runs {
				assert.LessOrEqual(t, r, 1, "job %d runs at most once", i)
				if tt.wantAll {
					assert.Equal(t, 1, r, "job %d runs", i)
				}
			}
			if tt.ctx.Err() != nil {
				assert.Zero(t, started.Load(), "a cancelled context starts nothing")
			}
			if !tt.wantAll {
				assert.Less(t, started.Load(), int64(tt.n), "no more jobs start after the error")
			}
		})
	}
}
