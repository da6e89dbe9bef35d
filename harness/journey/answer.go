package journey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Answer is one response as captures and checks read it. Its body is parsed as JSON
// once, when the first capture or check asks.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte

	parsed  bool
	doc     any
	jsonErr error
}

// JSON is the body decoded (numbers kept as written).
func (a *Answer) JSON() (any, error) {
	if !a.parsed {
		a.parsed = true
		dec := json.NewDecoder(bytes.NewReader(a.Body))
		dec.UseNumber()
		if err := dec.Decode(&a.doc); err != nil {
			a.jsonErr = fmt.Errorf("the answer is not JSON: %w", err)
		}
	}
	return a.doc, a.jsonErr
}

// Path is a compiled JSON path: fields and list indexes, as in data.items[0].id,
// $.data.items.0.id or items[-1] (the last).
type Path struct {
	src  string
	segs []seg
}

type seg struct {
	key   string
	index int
	isIdx bool
	any   bool // [*]: one element, drawn at random
}

// CompilePath parses a JSON path.
func CompilePath(src string) (Path, error) {
	p := Path{src: src}
	s := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(src), "$"), ".")
	if s == "" {
		if strings.TrimSpace(src) == "$" {
			return p, nil // the whole document
		}
		return p, fmt.Errorf("an empty JSON path: name a field, e.g. data.id")
	}
	for s != "" {
		switch {
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return p, fmt.Errorf("JSON path %q: a [ with no ]", src)
			}
			inner := s[1:end]
			if inner == "*" {
				p.segs = append(p.segs, seg{any: true, isIdx: true})
			} else if n, err := strconv.Atoi(inner); err == nil {
				p.segs = append(p.segs, seg{index: n, isIdx: true})
			} else if k, err := strconv.Unquote(inner); err == nil {
				p.segs = append(p.segs, seg{key: k})
			} else {
				return p, fmt.Errorf("JSON path %q: [%s] is neither an index nor a quoted field", src, inner)
			}
			s = s[end+1:]
		case s[0] == '.':
			s = s[1:]
			if s == "" || s[0] == '.' {
				return p, fmt.Errorf("JSON path %q: an empty field name", src)
			}
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			k := s[:end]
			if n, err := strconv.Atoi(k); err == nil {
				p.segs = append(p.segs, seg{index: n, isIdx: true})
			} else {
				p.segs = append(p.segs, seg{key: k})
			}
			s = s[end:]
		}
	}
	return p, nil
}

// String is the path as written.
func (p Path) String() string { return p.src }

// Lookup finds the path's value in doc: its text (a string as it is, anything else as
// JSON) and whether it is there. A [*] takes an element drawn from r (the first when r
// is nil).
func (p Path) Lookup(doc any, r *Rand) (string, bool) {
	v := doc
	for _, s := range p.segs {
		switch x := v.(type) {
		case map[string]any:
			if s.any {
				return "", false
			}
			if s.isIdx {
				v, _ = x[strconv.Itoa(s.index)]
				if v == nil {
					return "", false
				}
				continue
			}
			var ok bool
			if v, ok = x[s.key]; !ok {
				return "", false
			}
		case []any:
			i := s.index
			if !s.isIdx || s.any && len(x) == 0 {
				return "", false
			}
			if s.any {
				i = 0
				if r != nil {
					i = r.Intn(len(x))
				}
			}
			if i < 0 {
				i += len(x)
			}
			if i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	return text(v)
}

// text is how a JSON value reads in a template and a comparison.
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	b, err := json.Marshal(v)
	return string(b), err == nil
}
