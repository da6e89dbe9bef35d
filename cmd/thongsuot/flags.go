package main

import (
	"fmt"
	"strconv"
	"time"
)

// A command's numeric flags are held to stated ranges, as a scenario's numbers are:
// NaN and infinities fail every comparison and are refused with the rest.

// inRange refuses v outside [lo, hi].
func inRange(flag string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return fmt.Errorf("--%s must be between %s and %s, got %s", flag, number(lo), number(hi), number(v))
	}
	return nil
}

// durationInRange refuses d outside (0, hi].
func durationInRange(flag string, d, hi time.Duration) error {
	if d <= 0 || d > hi {
		return fmt.Errorf("--%s must be above 0 and at most %s, got %s", flag, hi, d)
	}
	return nil
}

func number(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
