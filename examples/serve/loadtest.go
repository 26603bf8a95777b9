package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// loadReport is what a load test measured.
type loadReport struct {
	Requests, Errors int
	Statuses         map[int]int // the answers by HTTP status
	Unanswered       int         // requests that got no answer
	FirstError       error       // the first failure: its status and body, or why no answer came
	Elapsed          time.Duration
	P50, P99, Max    time.Duration
}

// Throughput returns the requests answered per second.
func (r loadReport) Throughput() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

func (r loadReport) String() string {
	s := fmt.Sprintf("%d requests in %.2fs: %.0f requests/s, latency p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d errors",
		r.Requests, r.Elapsed.Seconds(), r.Throughput(),
		ms(r.P50), ms(r.P99), ms(r.Max), r.Errors)
	if r.Errors > 0 {
		s += " (" + r.failures() + ")"
	}
	return s
}

// failures says how the requests failed: the answers by status, those
// with none, and the first failure.
func (r loadReport) failures() string {
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(r.Statuses)) {
		parts = append(parts, fmt.Sprintf("%d: %d", status, r.Statuses[status]))
	}
	if r.Unanswered > 0 {
		parts = append(parts, fmt.Sprintf("%d without an answer", r.Unanswered))
	}
	if r.FirstError != nil {
		parts = append(parts, fmt.Sprintf("first: %v", r.FirstError))
	}
	return strings.Join(parts, "; ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadTest starts the service on a loopback port of its own, sends it n
// JSON requests from c goroutines, checks every answer, and prints the
// report. It sends to nothing but that loopback address, and stops after
// n requests or when ctx ends. The server logs to stderr only the
// requests it fails, with their error.
func loadTest(ctx context.Context, m model, n, c int, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("serve: loadtest: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv := newServer(newHandler(m, logger), 10*time.Second, logger)
	go srv.Serve(ln)
	defer srv.Close()
	rep, err := sendLoad(ctx, "http://"+ln.Addr().String()+"/predict", n, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loadtest, %d goroutines on loopback: %v\n", c, rep)
	if rep.Errors > 0 {
		return fmt.Errorf("serve: loadtest: %d of %d requests failed: %s", rep.Errors, rep.Requests, rep.failures())
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
	rep := loadReport{Requests: n, Statuses: map[int]int{}}
	var mu sync.Mutex // guards rep's counts
	var next atomic.Int64
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
				status, err := post(ctx, client, url, body)
				latencies[i] = time.Since(t0)
				mu.Lock()
				if status == 0 {
					rep.Unanswered++
				} else {
					rep.Statuses[status]++
				}
				if err != nil {
					rep.Errors++
					if rep.FirstError == nil {
						rep.FirstError = err
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("serve: loadtest: %w", err)
	}
	slices.Sort(latencies)
	rep.P50, rep.P99, rep.Max = latencies[n/2], latencies[min(n-1, n*99/100)], latencies[n-1]
	return rep, nil
}

// post sends one prediction request and checks the answer. It returns the
// answer's status, or 0 if none came, and an error that says what was
// wrong: the status and the start of the body, or the transport's error.
func post(ctx context.Context, client *http.Client, url string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	const keep = 512 // of a body, for the report
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, resp.Body) // to the end, so that the connection is reused
	if err != nil {
		return resp.StatusCode, fmt.Errorf("status %d: reading the body: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("status %d: %s", resp.StatusCode, clip(answer, keep))
	}
	var p prediction
	if err := json.Unmarshal(answer, &p); err != nil || len(p.Probabilities) != 10 {
		return resp.StatusCode, fmt.Errorf("status 200 but no prediction: %s", clip(answer, keep))
	}
	return resp.StatusCode, nil
}

// clip returns b without surrounding space, cut to at most n bytes at
// the start of a character.
func clip(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
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
