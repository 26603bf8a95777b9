// Package npz reads and writes arrays in numpy's .npz format: a zip
// archive holding one .npy file per array, as np.savez writes and np.load
// reads. Only what numlearn stores is supported: little-endian float64
// ('<f8') or float32 ('<f4') arrays in C (row-major) order, and text, in
// npy format versions 1.0 to 3.0. Float32 values are widened to float64
// exactly on reading, and rounded to the nearest float32 on writing when
// asked.
//
// Read returns every array. A reader that knows which arrays and shapes it
// expects uses Open instead, which reads only the directory and each
// entry's .npy header, checks the names and shapes against its own, and
// only then reads each array with Entry.ReadInto into a buffer of the size
// it expects: a file can then never make it allocate more than that,
// however much its compressed data would inflate to.
//
// # Text
//
// An Array or Entry with IsText set is a 0-d numpy unicode string: dtype
// '<U<n>' (n code points in UTF-32 little-endian) and shape (), as
// np.save(f, np.array(s)) writes it and as str(np.load(f)[name]) reads it
// back. numlearn stores a model's architecture so, as JSON. Text holds at
// most 4 Mi code points (16 MiB of UTF-32); numpy pads text with NULs at
// the end and drops them on reading, so Read drops them too and Write
// refuses text with a NUL anywhere, or that is not valid UTF-8. Big-endian
// ('>U') and byte strings ('|S') are not read. Entry.ReadText reads a text
// entry's string, growing it as the data arrives.
//
// # Errors
//
// Every error about a malformed file wraps ErrFormat, and one about an
// entry whose data ends before its header says also wraps
// io.ErrUnexpectedEOF. Reading a text entry
// with ReadInto, or a float entry with ReadText, is a programmer error and
// panics.
package npz
