// Package engine is what the playground's WebAssembly module computes,
// kept free of syscall/js so that the same code runs natively: it builds
// the network a page asks for, trains it with exactly the configuration
// of examples/mnist (or examples/convnet's seeding for the convolutional
// network), and draws the first layer's weights as tiles. The page's
// numbers can so be checked against a native run of the same code.
package engine
