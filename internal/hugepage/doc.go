// Package hugepage asks the operating system to back large slices with
// huge pages before they are first written.
package hugepage
