// Package trainlog is what the MNIST examples share to report a training
// run: a table with a line per evaluation (and a progress bar between the
// lines on a terminal), the download's progress, and the loss and
// accuracy charts.
package trainlog
