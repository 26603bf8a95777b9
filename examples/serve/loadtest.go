package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// loadReport is what a load test measured.
type loadReport struct {
	Requests, Errors int
	Elapsed          time.Duration
	P50, P99, Max    time.Duration
}

// Throughput returns the requests answered per second.
func (r loadReport) Throughput() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r loadReport) String() string {
	return fmt.Sprintf("%d requests in %.2fs: %.0f requests/s, latency p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d errors",
		r.Requests, r.Elapsed.Seconds(), r.Throughput(),
		ms(r.P50), ms(r.P99), ms(r.Max), r.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadTest starts the service on a loopback port of its own, sends it n
// JSON requests from c goroutines, checks every answer, and prints the
// report. It sends to nothing but that loopback address, and stops after
// n requests or when ctx ends.
func loadTest(ctx context.Context, m model, n, c int, stdout io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("serve: loadtest: %w", err)
	}
	srv := newServer(newHandler(m), 10*time.Second)
	go srv.Serve(ln)
	defer srv.Close()
	rep, err := sendLoad(ctx, "http://"+ln.Addr().String()+"/predict", n, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest, %d goroutines on loopback: %v\n", c, rep)
	if rep.Errors > 0 {
		return fmt.Errorf("serve: loadtest: %d of %d requests failed", rep.Errors, rep.Requests)
	}
	return nil
}

// sendLoad sends n requests for one image to url from c goroutines and
// measures each one's latency.
func sendLoad(ctx context.Context, url string, n, c int) (loadReport, error) {
	body, err := json.Marshal(pixelsRequest{Pixels: sampleDigit()})
	if err != nil {
		return loadReport{}, err
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c},
	}
	defer client.CloseIdleConnections()
	latencies := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := post(ctx, client, url, body); err != nil {
					errs.Add(1)
				}
				latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	rep := loadReport{Requests: n, Errors: int(errs.Load()), Elapsed: time.Since(start)}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("serve: loadtest: %w", err)
	}
	slices.Sort(latencies)
	rep.P50, rep.P99, rep.Max = latencies[n/2], latencies[min(n-1, n*99/100)], latencies[n-1]
	return rep, nil
}

// post sends one prediction request and checks the answer.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var p prediction
	err = json.NewDecoder(resp.Body).Decode(&p)
	io.Copy(io.Discard, resp.Body) // to the end, so that the connection is reused
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || len(p.Probabilities) != 10 {
		return fmt.Errorf("status %d, %d probabilities", resp.StatusCode, len(p.Probabilities))
	}
	return nil
}

// sampleDigit returns a 28×28 image of a "1": a vertical bar, white on
// black, a little slanted as handwriting is.
func sampleDigit() []float64 {
	x := make([]float64, pixels)
	for row := 4; row < 24; row++ {
		col := 14 + (14-row)/6
		x[row*side+col] = 1
		x[row*side+col+1] = 0.8
		x[row*side+col-1] = 0.5
	}
	return x
}
