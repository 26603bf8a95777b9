package gemm

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

func TestTune(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, kern := range kernelChoice() {
		if os.Getenv("TUNE") != "all" && kern.name == "go4x4" {
			continue
		}
		for _, s := range benchShapes {
			x := randSlice(rng, s.m*s.k)
			y := randSlice(rng, s.k*s.n)
			c := make([]float64, s.m*s.n)
			lda, ldb := s.k, s.n
			if s.transA {
				lda = s.m
			}
			if s.transB {
				ldb = s.k
			}
			flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
			reps := int(max(1, 2e8/flops))
			best := 0.0
			for range 5 {
				t0 := threadCPU()
				for range reps {
					gemmWith(&kern, s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
				}
				g := flops * float64(reps) / (threadCPU() - t0).Seconds() / 1e9
				best = max(best, g)
			}
			fmt.Printf("%-12s %-24s %6.1f GFLOP/cpu-s\n", kern.name, s.name, best)
		}
	}
}

func TestTuneWall(t *testing.T) {
	if os.Getenv("TUNEWALL") == "" {
		t.Skip()
	}
	rng := rand.New(rand.NewPCG(1, 1))
	kern := &kernelChoice()[0]
	for _, s := range benchShapes {
		x := randSlice(rng, s.m*s.k)
		y := randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		lda, ldb := s.k, s.n
		if s.transA {
			lda = s.m
		}
		if s.transB {
			ldb = s.k
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		reps := int(max(10, 3e9/flops))
		best := time.Hour
		var total time.Duration
		for range reps {
			t0 := time.Now()
			gemmWith(kern, s.transA, s.transB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, c, s.n)
			d := time.Since(t0)
			total += d
			best = min(best, d)
		}
		fmt.Printf("P=%d %-24s best %6.1f  mean %6.1f GFLOP/s\n", runtime.GOMAXPROCS(0), s.name, flops/best.Seconds()/1e9, flops*float64(reps)/total.Seconds()/1e9)
	}
}
