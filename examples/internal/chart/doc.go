// Package chart holds what the examples share for writing their pictures.
package chart
