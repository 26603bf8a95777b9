// Package atomicfile writes a file so that it appears whole or not at all:
// an interrupted or failed write never leaves a partial file under the
// final name.
package atomicfile
