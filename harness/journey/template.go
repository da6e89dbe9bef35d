// Package journey compiles what a scenario's own journeys (the `journeys:` section) say
// about each step — templates in URLs, headers and bodies, captures from answers,
// checks on answers — once, at load time, into forms that cost a few appends per
// request. It knows nothing of HTTP clients, pacing or metrics: harness/load runs the
// compiled steps, scenarios compiles them to report mistakes with file and line.
package journey

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Escape says how a substituted value is written where its template stands. The
// literal text around it is the author's and is left as written — except in a query
// value, which is escaped whole.
type Escape int

const (
	Raw   Escape = iota // headers and form fields: their encoder escapes
	URL                 // in a URL: path-escaped before '?', query-escaped after it
	JSON                // inside a JSON string literal
	Query               // a query value: query-escaped, its literal text too
)

// Scope is what a template may name: variables by name, each with its slot in Values,
// and names known to be made later (captures of later steps), with where, so that a
// use before the capture is made says so.
type Scope struct {
	Slots map[string]int
	Later map[string]string // name → "step 3 (submit)"
	// Unknown, when set, may give a name not in Slots a slot of its own (variables that
	// cannot be checked now).
	Unknown func(name string) (int, bool)
}

// Values are one walk's variables, by slot, and its random source.
type Values struct {
	Slots []string
	Set   []bool // Set[i]: Slots[i] has been given a value (a capture may be "")
	Rand  *Rand
}

// Template is a compiled template: literal text and substitutions, in order.
type Template struct {
	src   string
	parts []part
	// static is the whole text when the template substitutes nothing: sent as is.
	static   string
	isStatic bool
}

type part struct {
	lit  string
	slot int                // a variable's slot, or -1
	fn   func(*Rand) string // a function, or nil
	esc  Escape
	name string
}

// Static is a template of fixed text.
func Static(s string) *Template { return &Template{src: s, static: s, isStatic: true} }

// Source is the template as written.
func (t *Template) Source() string { return t.src }

// IsStatic says whether the template substitutes nothing.
func (t *Template) IsStatic() bool { return t.isStatic }

// Names are the variables the template reads.
func (t *Template) Names() []string {
	var out []string
	for _, p := range t.parts {
		if p.slot >= 0 {
			out = append(out, p.name)
		}
	}
	return out
}

// Slots are the slots of the variables the template reads.
func (t *Template) Slots() []int {
	var out []int
	for _, p := range t.parts {
		if p.slot >= 0 {
			out = append(out, p.slot)
		}
	}
	return out
}

// Truthy says whether a rendered condition holds: anything but "", "0" and "false".
func Truthy(s string) bool { return s != "" && s != "0" && s != "false" }

// Compile parses src: text with {{ expression }} substitutions. An expression is a
// variable (vu.id, data.column, a capture's name…) or a function: uuid, int MIN MAX,
// choice A B…, vi_name. Every variable must be in scope.
func Compile(src string, scope *Scope, esc Escape) (*Template, error) {
	t := &Template{src: src}
	rest := src
	inQuery := false
	for {
		i := strings.Index(rest, "{{")
		if j := strings.Index(rest, "}}"); j >= 0 && (i < 0 || j < i) {
			return nil, fmt.Errorf("%q: a }} with no {{ before it", src)
		}
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, part{lit: rest, slot: -1})
			}
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: rest[:i], slot: -1})
			inQuery = inQuery || strings.Contains(rest[:i], "?")
		}
		end := strings.Index(rest[i+2:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("%q: a {{ with no }} after it", src)
		}
		expr := strings.TrimSpace(rest[i+2 : i+2+end])
		p, err := compileExpr(expr, scope)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", src, err)
		}
		p.esc = esc
		if esc == URL && inQuery {
			p.esc = urlQuery
		}
		t.parts = append(t.parts, p)
		rest = rest[i+2+end+2:]
	}
	if len(t.parts) == 0 || len(t.parts) == 1 && t.parts[0].slot < 0 && t.parts[0].fn == nil {
		t.static, t.isStatic = src, true
		t.parts = nil
	}
	if esc == Query {
		t.static = string(escapeTo(nil, t.static, Query))
		for i := range t.parts {
			if p := &t.parts[i]; p.slot < 0 && p.fn == nil {
				p.lit = string(escapeTo(nil, p.lit, Query))
			}
		}
	}
	return t, nil
}

// urlQuery is URL after the '?': query-escaped.
const urlQuery = Query

// Functions are the template functions, for messages and documentation.
var Functions = []string{"uuid", "int MIN MAX", "choice A B …", "vi_name", "days_ago MIN MAX"}

func isFunction(name string) bool {
	switch name {
	case "uuid", "int", "choice", "vi_name", "days_ago":
		return true
	}
	return false
}

// IsFunction says whether name is a template function's, which no capture may take.
func IsFunction(name string) bool { return isFunction(name) }

func compileExpr(expr string, scope *Scope) (part, error) {
	words, err := splitWords(expr)
	if err != nil {
		return part{}, err
	}
	if len(words) == 0 {
		return part{}, fmt.Errorf("an empty {{ }}")
	}
	name, args := words[0], words[1:]
	switch name {
	case "uuid", "vi_name":
		if len(args) > 0 {
			return part{}, fmt.Errorf("%s takes no arguments", name)
		}
		if name == "uuid" {
			return part{slot: -1, fn: (*Rand).UUID, name: name}, nil
		}
		return part{slot: -1, fn: (*Rand).Name, name: name}, nil
	case "int", "days_ago":
		if len(args) != 2 {
			return part{}, fmt.Errorf("%s takes two whole numbers, MIN and MAX: {{ %s 1 30 }}", name, name)
		}
		lo, err1 := strconv.ParseInt(args[0], 10, 64)
		hi, err2 := strconv.ParseInt(args[1], 10, 64)
		if err1 != nil || err2 != nil || hi < lo {
			return part{}, fmt.Errorf("%s takes two whole numbers MIN ≤ MAX, got %q %q", name, args[0], args[1])
		}
		if name == "days_ago" {
			if lo < 0 || hi > 36500 {
				return part{}, fmt.Errorf("days_ago takes days between 0 and 36500, got %d %d", lo, hi)
			}
			return part{slot: -1, name: name, fn: func(r *Rand) string {
				return time.Now().AddDate(0, 0, -int(r.Between(lo, hi))).Format(time.DateOnly)
			}}, nil
		}
		return part{slot: -1, name: name, fn: func(r *Rand) string { return strconv.FormatInt(r.Between(lo, hi), 10) }}, nil
	case "choice":
		if len(args) == 0 {
			return part{}, fmt.Errorf("choice takes one or more values: {{ choice male female }}")
		}
		return part{slot: -1, name: name, fn: func(r *Rand) string { return args[r.Intn(len(args))] }}, nil
	}
	if len(args) > 0 {
		return part{}, fmt.Errorf("unknown function %q (functions: %s)", name, strings.Join(Functions, ", "))
	}
	if slot, ok := scope.Slots[name]; ok {
		return part{slot: slot, name: name}, nil
	}
	if scope.Unknown != nil {
		if slot, ok := scope.Unknown(name); ok {
			return part{slot: slot, name: name}, nil
		}
	}
	if where, ok := scope.Later[name]; ok {
		return part{}, fmt.Errorf("%s is used before it is captured (by %s)", name, where)
	}
	return part{}, fmt.Errorf("unknown variable %q (%s)", name, scope.known())
}

// known lists the scope's names for a message.
func (s *Scope) known() string {
	var vu, others []string
	for n := range s.Slots {
		if strings.Contains(n, ".") {
			vu = append(vu, n)
		} else {
			others = append(others, n)
		}
	}
	slices.Sort(vu)
	slices.Sort(others)
	msg := "known: " + strings.Join(vu, ", ")
	if len(others) > 0 {
		msg += "; captured so far: " + strings.Join(others, ", ")
	}
	return msg + "; functions: " + strings.Join(Functions, ", ")
}

// splitWords splits an expression at spaces; "double quoted" words may hold spaces.
func splitWords(expr string) ([]string, error) {
	var out []string
	for expr = strings.TrimSpace(expr); expr != ""; expr = strings.TrimSpace(expr) {
		if expr[0] == '"' {
			end := 1
			for end < len(expr) && (expr[end] != '"' || expr[end-1] == '\\') {
				end++
			}
			if end == len(expr) {
				return nil, fmt.Errorf("an unterminated quote in {{ %s }}", expr)
			}
			w, err := strconv.Unquote(expr[:end+1])
			if err != nil {
				return nil, fmt.Errorf("a bad quoted word %s", expr[:end+1])
			}
			out = append(out, w)
			expr = expr[end+1:]
			continue
		}
		end := strings.IndexAny(expr, " \t")
		if end < 0 {
			end = len(expr)
		}
		out = append(out, expr[:end])
		expr = expr[end:]
	}
	return out, nil
}

// Append writes the template with v's values to dst.
func (t *Template) Append(dst []byte, v *Values) []byte {
	if t.isStatic {
		return append(dst, t.static...)
	}
	for i := range t.parts {
		p := &t.parts[i]
		switch {
		case p.fn != nil:
			dst = escapeTo(dst, p.fn(v.Rand), p.esc)
		case p.slot >= 0:
			dst = escapeTo(dst, v.Slots[p.slot], p.esc)
		default:
			dst = append(dst, p.lit...)
		}
	}
	return dst
}

// String is the template with v's values.
func (t *Template) String(v *Values) string {
	if t.isStatic {
		return t.static
	}
	if len(t.parts) == 1 && t.parts[0].slot >= 0 && t.parts[0].esc == Raw {
		return v.Slots[t.parts[0].slot] // a variable alone: its value, as it is
	}
	return string(t.Append(make([]byte, 0, len(t.src)+32), v))
}

func escapeTo(dst []byte, s string, esc Escape) []byte {
	switch esc {
	case URL:
		return appendEscaped(dst, s, false)
	case urlQuery:
		return appendEscaped(dst, s, true)
	case JSON:
		if plainJSON(s) {
			return append(dst, s...)
		}
		b, _ := json.Marshal(s) // a string always marshals
		return append(dst, b[1:len(b)-1]...)
	}
	return append(dst, s...)
}

// appendEscaped escapes s as url.PathEscape (a path segment) or, in a query,
// url.QueryEscape would, without their allocation.
func appendEscaped(dst []byte, s string, query bool) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			dst = append(dst, c)
		case query && c == ' ':
			dst = append(dst, '+')
		case !query && (c == '$' || c == '&' || c == '+' || c == ':' || c == '=' || c == '@'):
			dst = append(dst, c)
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// plainJSON says whether s goes into a JSON string as it is: the common case of IDs
// and codes, without json.Marshal's allocation.
func plainJSON(s string) bool {
	high := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	return !high || utf8.ValidString(s)
}

// CompileJSONString compiles src as the content of a JSON string literal: its literal
// text JSON-escaped now, its substitutions when the template runs.
func CompileJSONString(src string, scope *Scope) (*Template, error) {
	t, err := Compile(src, scope, JSON)
	if err != nil {
		return nil, err
	}
	if t.isStatic {
		return Static(string(escapeTo(nil, t.static, JSON))), nil
	}
	for i := range t.parts {
		if p := &t.parts[i]; p.slot < 0 && p.fn == nil {
			p.lit = string(escapeTo(nil, p.lit, JSON))
		}
	}
	return t, nil
}

// Join is the templates one after another.
func Join(ts ...*Template) *Template {
	out := &Template{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out.parts = append(out.parts, part{lit: lit.String(), slot: -1})
			lit.Reset()
		}
	}
	for _, t := range ts {
		out.src += t.src
		if t.isStatic {
			lit.WriteString(t.static)
			continue
		}
		for _, p := range t.parts {
			if p.slot < 0 && p.fn == nil {
				lit.WriteString(p.lit)
				continue
			}
			flush()
			out.parts = append(out.parts, p)
		}
	}
	if len(out.parts) == 0 {
		return Static(lit.String())
	}
	flush()
	return out
}
