//go:build purego

package main

// kernels names the matrix kernels this build uses.
const kernels = "pure-Go kernels, -tags purego"
