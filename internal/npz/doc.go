// Package npz reads and writes float64 arrays in numpy's .npz format: a zip
// archive holding one .npy file per array, as np.savez writes and np.load
// reads. Only what numlearn stores is supported: little-endian float64
// ('<f8') or float32 ('<f4') arrays in C (row-major) order, npy format
// versions 1.0 to 3.0. Float32 values are widened to float64 exactly on
// reading, and rounded to the nearest float32 on writing when asked.
//
// Read returns every array. A reader that knows which arrays and shapes it
// expects uses Open instead, which reads only the directory and each
// entry's .npy header, checks the names and shapes against its own, and
// only then reads each array with Entry.ReadInto into a buffer of the size
// it expects: a file can then never make it allocate more than that,
// however much its compressed data would inflate to.
package npz
