package journey

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Capture takes one value from an answer into a variable: a JSON path into the body,
// a header, a cookie the answer sets, or a regular expression over the body (its first
// group, else the whole match) — for XML, HTML or any text.
type Capture struct {
	Name string
	Slot int
	// Optional: a missing value leaves the variable unset instead of failing the step
	// (later steps test it with when:).
	Optional bool

	json   *Path
	header string
	cookie string
	re     *regexp.Regexp
}

// CaptureSpec is a capture as written: exactly one source.
type CaptureSpec struct {
	JSON, Header, Cookie, Regex string
}

// CompileCapture checks a capture and compiles its path or expression.
func CompileCapture(name string, slot int, spec CaptureSpec) (*Capture, error) {
	c := &Capture{Name: name, Slot: slot}
	n := 0
	for _, s := range []string{spec.JSON, spec.Header, spec.Cookie, spec.Regex} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("give exactly one of json, header, cookie or regex")
	}
	switch {
	case spec.JSON != "":
		p, err := CompilePath(spec.JSON)
		if err != nil {
			return nil, err
		}
		c.json = &p
	case spec.Header != "":
		c.header = http.CanonicalHeaderKey(spec.Header)
	case spec.Cookie != "":
		c.cookie = spec.Cookie
	default:
		re, err := regexp.Compile(spec.Regex)
		if err != nil {
			return nil, fmt.Errorf("regex: %w", err)
		}
		if re.NumSubexp() > 1 {
			return nil, fmt.Errorf("regex %q: has %d groups; give one (the value) or none (the whole match)", spec.Regex, re.NumSubexp())
		}
		c.re = re
	}
	return c, nil
}

// Extract is the captured value, or why there is none; r draws a [*] element.
func (c *Capture) Extract(a *Answer, r *Rand) (string, error) {
	switch {
	case c.json != nil:
		doc, err := a.JSON()
		if err != nil {
			return "", fmt.Errorf("capture %s: %w", c.Name, err)
		}
		if v, ok := c.json.Lookup(doc, r); ok {
			return v, nil
		}
		return "", fmt.Errorf("capture %s: no %s in the answer", c.Name, c.json.src)
	case c.header != "":
		if v := a.Header.Get(c.header); v != "" {
			return v, nil
		}
		return "", fmt.Errorf("capture %s: no %s header in the answer", c.Name, c.header)
	case c.cookie != "":
		for _, line := range a.Header.Values("Set-Cookie") {
			if ck, err := http.ParseSetCookie(line); err == nil && ck.Name == c.cookie && ck.Value != "" {
				return ck.Value, nil
			}
		}
		return "", fmt.Errorf("capture %s: the answer sets no cookie %s", c.Name, c.cookie)
	}
	m := c.re.FindSubmatch(a.Body)
	if m == nil {
		return "", fmt.Errorf("capture %s: /%s/ does not match the answer (%s)", c.Name, c.re, excerpt(a.Body))
	}
	return string(m[len(m)-1]), nil
}

// excerpt is the start of a body, for a message.
func excerpt(b []byte) string {
	const n = 80
	s := strings.ToValidUTF8(string(b[:min(len(b), n)]), "?")
	if len(b) > n {
		s += "…"
	}
	return fmt.Sprintf("%q", s)
}
