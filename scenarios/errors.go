package scenarios

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem in a scenario file, located by line and field path.
type Error struct {
	File  string
	Line  int
	Field string // dotted path, e.g. "mix[2].weight"
	Msg   string
}

func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// Errors is every problem found in one file, in line order. A CLI prints one per
// line and exits 2.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// IsInvalid reports whether err means the scenario itself is wrong (as opposed to a
// file that could not be read).
func IsInvalid(err error) bool {
	var es Errors
	return errors.As(err, &es)
}
