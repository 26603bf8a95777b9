// Package npz reads and writes float64 arrays in numpy's .npz format: a zip
// archive holding one .npy file per array, as np.savez writes and np.load
// reads. Only what numlearn stores is supported: little-endian float64
// ('<f8') arrays in C (row-major) order, npy format versions 1.0 to 3.0.
package npz
