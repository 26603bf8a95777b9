// Package trainlog is what the MNIST examples share to report a training
// run beyond numlearn.Reporter's table: whether the output is a terminal,
// the download's progress, and the loss and accuracy charts.
package trainlog
