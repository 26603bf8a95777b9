//go:build !race

package numlearn

const raceEnabled = false
