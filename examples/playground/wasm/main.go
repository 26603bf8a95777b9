//go:build js && wasm

// Command wasm is the playground's WebAssembly module. It runs in the
// page's Web Worker (worker.js), which hands it the page's commands
// through the function playgroundCommand and passes on what it posts
// with postMessage. One goroutine owns the network and handles the
// commands in order; while it trains, it looks at the commands that have
// come in every tenth of a second of training, pausing for a moment so
// that the worker's messages reach it.
//
// Commands (a JavaScript object with a type) and what each posts back:
//
//	{type: "data", trainImages, trainLabels, testImages, testLabels: Uint8Array}  → {type: "ready"}
//	{type: "start", model, optimizer, lr, seed, iterations, batch}               → "started", "progress"…, "eval"…, "tiles"…, "done"
//	{type: "stop"}                                                               → "done" of the run in progress
//	{type: "predict", pixels: 784 numbers}                                      → {type: "prediction", probabilities}
//	{type: "save"}                                                               → {type: "model", bytes: Uint8Array}
//	{type: "load", bytes: Uint8Array}                                            → {type: "loaded", …} and "tiles"
//	{type: "bench", model, steps}                                                → {type: "bench", stepsPerSecond}
//
// Any command that fails posts {type: "error", command, message}.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"syscall/js"
	"time"

	"github.com/numlearn/numlearn"
	"github.com/numlearn/numlearn/examples/playground/engine"
	"github.com/numlearn/numlearn/mnist"
)

// yieldEvery is how much training runs between looks at the commands.
const yieldEvery = 100 * time.Millisecond

// tileLimit is the most first-layer tiles the page shows.
const tileLimit = 100

// command is one message from the page, its values copied out of
// JavaScript when it arrived.
type command struct {
	kind     string
	settings engine.Settings
	pixels   []float64
	bytes    []byte
	files    [4][]byte
	steps    int
}

// lab is the state the goroutine that handles commands owns.
type lab struct {
	cmds        chan command
	train, test *mnist.Set
	net         *numlearn.Network
	model       string // the net's kind, for evaluations of a loaded one
	next        *command
}

func main() {
	l := &lab{cmds: make(chan command, 1024)}
	js.Global().Set("playgroundCommand", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) == 1 {
			l.cmds <- parse(args[0])
		}
		return nil
	}))
	post(map[string]any{"type": "loaded-module"})
	for {
		c := <-l.cmds
		for {
			l.handle(c)
			if l.next == nil {
				break
			}
			c, l.next = *l.next, nil
		}
	}
}

// parse copies a command out of its JavaScript object.
func parse(v js.Value) command {
	c := command{kind: str(v, "type")}
	switch c.kind {
	case "data":
		for i, name := range []string{"trainImages", "trainLabels", "testImages", "testLabels"} {
			c.files[i] = goBytes(v.Get(name))
		}
	case "start", "bench":
		c.settings = engine.Settings{
			Model: str(v, "model"), Optimizer: str(v, "optimizer"), LR: num(v, "lr"),
			Seed: uint64(num(v, "seed")), Iterations: int(num(v, "iterations")), BatchSize: int(num(v, "batch")),
		}
		c.steps = int(num(v, "steps"))
	case "predict":
		p := v.Get("pixels")
		if p.Type() == js.TypeObject {
			c.pixels = make([]float64, p.Length())
			for i := range c.pixels {
				c.pixels[i] = p.Index(i).Float()
			}
		}
	case "load":
		c.bytes = goBytes(v.Get("bytes"))
	}
	return c
}

func str(v js.Value, key string) string {
	if f := v.Get(key); f.Type() == js.TypeString {
		return f.String()
	}
	return ""
}

func num(v js.Value, key string) float64 {
	if f := v.Get(key); f.Type() == js.TypeNumber {
		return f.Float()
	}
	return 0
}

func goBytes(v js.Value) []byte {
	if v.Type() != js.TypeObject {
		return nil
	}
	b := make([]byte, v.Get("byteLength").Int())
	js.CopyBytesToGo(b, v)
	return b
}

func jsBytes(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// jsFloats returns xs as the bytes of a Float64Array (little-endian, as
// WebAssembly and every browser's typed arrays are).
func jsFloats(xs []float64) js.Value {
	b := make([]byte, 8*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return jsBytes(b)
}

func post(msg map[string]any) { js.Global().Call("postMessage", msg) }

func fail(kind string, err error) {
	post(map[string]any{"type": "error", "command": kind, "message": err.Error()})
}

// handle carries out one command while no run is in progress.
func (l *lab) handle(c command) {
	switch c.kind {
	case "data":
		start := time.Now()
		train, test, err := engine.ReadSets(bytes.NewReader(c.files[0]), bytes.NewReader(c.files[1]), bytes.NewReader(c.files[2]), bytes.NewReader(c.files[3]))
		if err != nil {
			fail(c.kind, err)
			return
		}
		l.train, l.test = train, test
		post(map[string]any{"type": "ready", "train": train.Len(), "test": test.Len(), "seconds": time.Since(start).Seconds()})
	case "start":
		l.start(c.settings)
	case "bench":
		if l.train == nil {
			fail(c.kind, fmt.Errorf("MNIST is not loaded yet"))
			return
		}
		rate, err := engine.StepsPerSecond(c.settings, l.train, l.test, max(c.steps, 1))
		if err != nil {
			fail(c.kind, err)
			return
		}
		post(map[string]any{"type": "bench", "model": c.settings.Model, "steps": c.steps, "stepsPerSecond": rate})
	case "load":
		net, err := engine.Load(c.bytes)
		if err != nil {
			fail(c.kind, err)
			return
		}
		l.net = net
		msg := map[string]any{"type": "loaded", "params": len(net.Params())}
		if l.test != nil {
			limit := 0
			if _, _, side := engine.Tiles(net, 1); side != mnist.Rows {
				limit = 1000 // a convolutional network evaluates slowly here
			}
			msg["testAccuracy"], msg["testSamples"] = engine.Accuracy(net, l.test, limit), limit
		}
		post(msg)
		l.postTiles()
	default:
		l.handleDuringRun(c, nil)
	}
}

// handleDuringRun carries out the commands that a run in progress does
// not end; stop, when a run is in progress, ends it. It returns whether
// the run must stop.
func (l *lab) handleDuringRun(c command, stop func()) {
	switch c.kind {
	case "predict":
		if l.net == nil {
			fail(c.kind, fmt.Errorf("there is no model yet: start training or load one"))
			return
		}
		p, err := engine.Predict(l.net, c.pixels)
		if err != nil {
			fail(c.kind, err)
			return
		}
		probs := make([]any, len(p))
		for i, v := range p {
			probs[i] = v
		}
		post(map[string]any{"type": "prediction", "probabilities": probs})
	case "save":
		if l.net == nil {
			fail(c.kind, fmt.Errorf("there is no model to save yet"))
			return
		}
		b, err := engine.Save(l.net)
		if err != nil {
			fail(c.kind, err)
			return
		}
		post(map[string]any{"type": "model", "bytes": jsBytes(b)})
	case "stop":
		if stop != nil {
			stop()
		}
	case "start", "load", "data", "bench":
		// These replace the run: it ends, and they follow.
		if stop != nil {
			c := c
			l.next = &c
			stop()
		}
	default:
		fail(c.kind, fmt.Errorf("unknown command"))
	}
}

func (l *lab) postTiles() {
	tiles, count, side := engine.Tiles(l.net, tileLimit)
	b := make([]byte, 4*len(tiles))
	for i, v := range tiles {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	post(map[string]any{"type": "tiles", "count": count, "side": side, "values": jsBytes(b)})
}

// start trains a new network of the settings until the run ends, posting
// its progress.
func (l *lab) start(s engine.Settings) {
	if l.train == nil {
		fail("start", fmt.Errorf("MNIST is not loaded yet"))
		return
	}
	r, err := engine.New(s, l.train, l.test)
	if err != nil {
		fail("start", err)
		return
	}
	l.net = r.Net
	post(map[string]any{"type": "started", "model": r.Settings.Model, "optimizer": r.Settings.Optimizer, "lr": r.Settings.LR,
		"seed": float64(r.Settings.Seed), "iterations": r.Settings.Iterations, "batch": r.Settings.BatchSize, "command": r.Settings.Command()})
	l.postTiles()

	var (
		losses    []float64
		stepTime  time.Duration // time in steps since the last report
		stepCount int
		lastEnd   = time.Now() // when the last callback returned
		lastYield = time.Now()
		yields    int
	)
	report := func(p numlearn.Progress) {
		rate := 0.0
		if stepTime > 0 {
			rate = float64(stepCount) / stepTime.Seconds()
		}
		post(map[string]any{"type": "progress", "step": p.Iteration, "iterations": p.Iterations, "epoch": p.Epoch,
			"losses": jsFloats(losses), "stepsPerSecond": rate, "elapsed": p.Elapsed.Seconds()})
		losses, stepTime, stepCount = losses[:0], 0, 0
	}
	h, err := r.Train(context.Background(), 0, func(p numlearn.Progress) {
		now := time.Now()
		if !p.Evaluated { // a step alone, not a step and an evaluation
			stepTime += now.Sub(lastEnd)
			stepCount++
		}
		losses = append(losses, p.Loss)
		if p.Evaluated {
			report(p)
			e := p.Eval
			post(map[string]any{"type": "eval", "step": p.Iteration, "epoch": p.Epoch,
				"trainAccuracy": e.TrainAccuracy, "testAccuracy": e.TestAccuracy, "trainLoss": e.TrainLoss, "testLoss": e.TestLoss})
			l.postTiles()
		}
		if now.Sub(lastYield) >= yieldEvery || p.Iteration == p.Iterations {
			if len(losses) > 0 {
				report(p)
			}
			if yields++; yields%5 == 0 {
				l.postTiles()
			}
			time.Sleep(time.Millisecond) // the worker takes its messages
			for more := true; more; {
				select {
				case c := <-l.cmds:
					l.handleDuringRun(c, p.Stop)
				default:
					more = false
				}
			}
			lastYield = time.Now()
		}
		lastEnd = time.Now()
	})
	msg := map[string]any{"type": "done", "steps": 0}
	if h != nil {
		msg["steps"], msg["trainSeconds"], msg["stopped"] = len(h.Loss), h.TrainTime.Seconds(), h.Stopped
	}
	if err != nil {
		msg["error"] = err.Error()
	}
	post(msg)
	l.postTiles()
}
