// Package buffer provides Reusable, a destination tensor whose shape may
// change from call to call (a training batch, then an evaluation chunk)
// while its storage is kept and reused.
package buffer
