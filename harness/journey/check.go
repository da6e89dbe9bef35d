package journey

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Checks are what a step's answer must be: a status among Status, a body containing
// each of Contains, JSON fields equal to values. The first that fails says why.
type Checks struct {
	Status   []int
	Contains []*Template
	Fields   []FieldCheck
}

// FieldCheck is a JSON field that must equal a value (a template: it may name a capture).
type FieldCheck struct {
	Path  Path
	Equal *Template
}

// Empty says whether there is nothing to check.
func (c *Checks) Empty() bool {
	return c == nil || len(c.Status) == 0 && len(c.Contains) == 0 && len(c.Fields) == 0
}

// Verify checks a: nil when every check holds.
func (c *Checks) Verify(a *Answer, v *Values) error {
	if c.Empty() {
		return nil
	}
	if len(c.Status) > 0 && !slices.Contains(c.Status, a.Status) {
		return fmt.Errorf("status %d, want %s", a.Status, statusList(c.Status))
	}
	for _, t := range c.Contains {
		if s := t.String(v); !bytes.Contains(a.Body, []byte(s)) {
			return fmt.Errorf("the body does not contain %q", s)
		}
	}
	for _, f := range c.Fields {
		doc, err := a.JSON()
		if err != nil {
			return err
		}
		want := f.Equal.String(v)
		got, ok := f.Path.Lookup(doc, v.Rand)
		switch {
		case !ok:
			return fmt.Errorf("no %s in the answer, want %q", f.Path.src, want)
		case got != want:
			return fmt.Errorf("%s is %q, want %q", f.Path.src, got, want)
		}
	}
	return nil
}

func statusList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	if len(s) == 1 {
		return s[0]
	}
	return "one of " + strings.Join(s, ", ")
}
