package mnist

import (
	"github.com/numlearn/numlearn/internal/hugepage"

	"runtime"
	"sync"
)

// pixelValue[b] is b/255 computed as numpy's x/255.0 does, so that
// normalised pixels match the book's bit for bit.
var pixelValue = func() (lut [256]float64) {
	for b := range lut {
		lut[b] = float64(b) / 255
	}
	return lut
}()

// toFloat stores pixelValue[src[i]] in dst[i].
func toFloat(dst []float64, src []byte) {
	dst = dst[:len(src)]
	for i, b := range src {
		dst[i] = pixelValue[b]
	}
}

// convertChunk is the number of pixels handed to a worker at a time.
const convertChunk = 1 << 20

// converter turns n pixels into pixel/255 float64 values on GOMAXPROCS
// worker goroutines, chunk by chunk as the pixels arrive. Most of the cost
// is the first write to the fresh float64 memory (eight times the size of
// the pixels), so spreading it over the cores and overlapping it with
// decompression is what makes Load fast. A nil *converter does nothing.
type converter struct {
	dst  []float64
	sent int // pixels handed out so far
	jobs chan convertJob
	wg   sync.WaitGroup
}

type convertJob struct {
	at  int    // index of src[0] in dst
	src []byte // pixels to convert
}

// newConverter starts the workers for n pixels.
func newConverter(n int) *converter {
	c := &converter{dst: make([]float64, n), jobs: make(chan convertJob, n/convertChunk+1)}
	hugepage.Advise(c.dst)
	workers := runtime.GOMAXPROCS(0)
	c.wg.Add(workers)
	for range workers {
		go func() {
			defer c.wg.Done()
			for j := range c.jobs {
				toFloat(c.dst[j.at:], j.src)
			}
		}()
	}
	return c
}

// feed hands out the pixels of buf (the pixels read so far) that arrived
// since the last call: whole chunks, and the tail once all n are there.
func (c *converter) feed(buf []byte) {
	if c == nil {
		return
	}
	for len(buf)-c.sent >= convertChunk || (len(buf) == len(c.dst) && c.sent < len(buf)) {
		end := min(c.sent+convertChunk, len(buf))
		c.jobs <- convertJob{at: c.sent, src: buf[c.sent:end]}
		c.sent = end
	}
}

// finish waits for the workers and returns the converted values, or nil
// when c is nil or not every pixel arrived.
func (c *converter) finish() []float64 {
	if c == nil {
		return nil
	}
	close(c.jobs)
	c.wg.Wait()
	if c.sent < len(c.dst) {
		return nil
	}
	return c.dst
}
