// Package prefetch asks the processor to start loading memory that a loop
// is about to read, so that the misses of many scattered rows overlap
// instead of following one another.
//
// A mini-batch drawn at random from a data set far larger than the caches
// reads a hundred rows from main memory. Copied one after the other, each
// row waits for its first cache line before the copy moves on, and the
// hardware's stream prefetcher only starts on a row once it is being read.
// Asking for the first lines of every row before copying any of them
// overlaps those waits: a training step of the book's 784-50-10 net, which
// gathers 100 MNIST rows' nonzeros and one-hot labels, runs about 5 %
// faster (BenchmarkTrainStep in the root package).
//
// On amd64 Head issues PREFETCHT0 instructions (Go assembly; Go has no
// prefetch intrinsic), which never fault and never change a value; on other
// architectures, or with the purego build tag, it does nothing.
package prefetch
