// Package mnistdata is what the MNIST examples share to get their data.
package mnistdata
