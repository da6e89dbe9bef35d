package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"
)

// Open reads a scenario from a file path or, when no such file exists, a built-in
// scenario by name ("smoke" or "smoke.yaml").
func Open(nameOrPath string) (*Scenario, error) {
	data, err := ReadFile(nameOrPath)
	if err == nil {
		return Parse(data, nameOrPath)
	}
	var located Errors
	if errors.As(err, &located) { // too large: say so, do not look for a built-in
		return nil, err
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading scenario: %w", err)
	}
	if data, file, ok := builtin(nameOrPath); ok {
		return Parse(data, file)
	}
	return nil, fmt.Errorf("scenario %q: no such file and no built-in scenario of that name (built-in: %s)",
		nameOrPath, strings.Join(BuiltinNames(), ", "))
}

// Parse decodes, resolves and validates one scenario. Every problem found comes back
// as Errors, each with file, line and field.
func Parse(data []byte, file string) (*Scenario, error) {
	if len(data) > MaxFileSize {
		return nil, Errors{tooLarge(file, data)}
	}
	root, errs := document(data, file)
	if errs != nil {
		return nil, errs
	}
	index := indexPaths(root)

	s := defaultScenario()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, decodeErrors(file, data, err, index)
	}
	s.File, s.index = file, index
	problems := s.resolve(index.written)
	problems = append(problems, s.validate()...)
	if len(problems) > 0 {
		return nil, locate(file, problems, index).first(MaxErrors)
	}
	return &s, nil
}

// readTimeout bounds the wait for a pipe or FIFO that is slow to deliver its scenario.
const readTimeout = 10 * time.Second

// ReadFile reads a scenario file, at most MaxFileSize of it: /dev/zero, a pipe that
// never ends or a huge file is refused, not read whole.
func ReadFile(path string) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO that nobody writes to would otherwise wait forever
	// (it reads as empty instead); it does nothing to regular files.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_ = f.SetReadDeadline(time.Now().Add(readTimeout)) // pipes and FIFOs; a regular file has none
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, Errors{tooLarge(path, data)}
	}
	return data, nil
}

func tooLarge(file string, data []byte) Error {
	return Error{File: file, Line: bytes.Count(data[:MaxFileSize], []byte("\n")) + 1,
		Msg: fmt.Sprintf("the file is larger than %d bytes (1 MiB), the limit for a scenario", MaxFileSize)}
}

// document is the one YAML document of a scenario file, checked for what decoding
// would pass over in silence — a second document, empty list items (dropped) — and
// for mappings too large to decode (yaml.v3 compares every key with every other).
func document(data []byte, file string) (*yaml.Node, Errors) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, Errors{syntaxError(file, data, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Msg: "empty scenario"}}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, Errors{{File: file, Line: max(next.Line, 1),
			Msg: "a second YAML document: a scenario file holds one (remove this --- and what follows it, or put it in a file of its own)"}}
	case !errors.Is(err, io.EOF):
		return nil, Errors{syntaxError(file, data, err)}
	}
	root := doc.Content[0]
	var es Errors
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if keys := len(n.Content) / 2; n.Kind == yaml.MappingNode && keys > MaxMappingKeys {
			es = append(es, Error{File: file, Line: n.Line, Msg: fmt.Sprintf("a mapping of %d keys; the limit is %d", keys, MaxMappingKeys)})
			return
		}
		for _, c := range n.Content {
			if n.Kind == yaml.SequenceNode && c.ShortTag() == "!!null" {
				es = append(es, Error{File: file, Line: c.Line, Msg: "empty list item: write the entry, or remove its -"})
			}
			walk(c)
		}
	}
	walk(root)
	if es != nil {
		return nil, es
	}
	return root, nil
}

// ResolvedFile is the name of the resolved scenario inside a run directory.
const ResolvedFile = "scenario.yaml"

// Marshal writes the resolved scenario (defaults filled in, times absolute): the
// scenario.yaml of a run directory, which Parse reads back unchanged.
func Marshal(s *Scenario) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encoding scenario %s: %w", s.Name, err)
	}
	return b.Bytes(), enc.Close()
}

// problem is a validation finding before it is given a line.
type problem struct {
	field string
	msg   string
}

func problemf(field, format string, args ...any) problem {
	return problem{field: field, msg: fmt.Sprintf(format, args...)}
}

// pathIndex knows where each field path ("mix[1].weight") is written.
type pathIndex struct {
	lines  map[string]int    // path → line of its key (or of the item, in a list)
	values map[[2]int]string // line, column of a value → its path
	onLine map[int][]string  // line → the paths written on it, in order
}

func indexPaths(n *yaml.Node) pathIndex {
	idx := pathIndex{lines: map[string]int{}, values: map[[2]int]string{}, onLine: map[int][]string{}}
	var walk func(path string, line int, n *yaml.Node)
	walk = func(path string, line int, n *yaml.Node) {
		idx.lines[path] = line
		idx.onLine[line] = append(idx.onLine[line], path)
		if _, seen := idx.values[[2]int{n.Line, n.Column}]; !seen {
			idx.values[[2]int{n.Line, n.Column}] = path
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				p := k.Value
				if path != "" {
					p = path + "." + k.Value
				}
				walk(p, k.Line, n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(fmt.Sprintf("%s[%d]", path, i), c.Line, c)
			}
		}
	}
	walk("", n.Line, n)
	return idx
}

// line finds the line of path or, when the field is absent, of its nearest parent.
func (idx pathIndex) line(path string) int {
	for p := path; ; {
		if l, ok := idx.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			return idx.lines[""]
		}
		p = p[:i]
	}
}

// pathAt names the field a yaml.v3 error points at: the value at line:column when the
// column is known, else the shallowest field on the line (or the one named key).
func (idx pathIndex) pathAt(line, column int, key string) string {
	if p, ok := idx.values[[2]int{line, column}]; ok {
		return p
	}
	best := ""
	for _, p := range idx.onLine[line] { // not every path: a file can hold 100 000 errors
		if p == "" {
			continue
		}
		if key != "" && (p == key || strings.HasSuffix(p, "."+key)) {
			return p
		}
		if best == "" || len(p) < len(best) {
			best = p
		}
	}
	if key != "" && best != "" {
		return parentOf(best) + "." + key
	}
	return best
}

func parentOf(path string) string {
	if i := strings.LastIndexAny(path, "."); i >= 0 {
		return path[:i]
	}
	return ""
}

func locate(file string, problems []problem, idx pathIndex) Errors {
	es := make(Errors, len(problems))
	for i, p := range problems {
		es[i] = Error{File: file, Line: idx.line(p.field), Field: p.field, Msg: p.msg}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].Line < es[j].Line })
	return es
}

var (
	lineRe         = regexp.MustCompile(`^line (\d+): (?:column (\d+): )?(.*)$`)
	unknownFieldRe = regexp.MustCompile(`^field (\S+) not found in type (\S+)$`)
	yamlTypeRe     = regexp.MustCompile("cannot unmarshal !!(\\w+) (?:`([^`]*)` )?into (\\S+)")
)

func syntaxError(file string, data []byte, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		return Error{File: file, Line: max(l, 1), Msg: "YAML syntax: " + m[3]}
	}
	// yaml.v3 gives no line for a bad byte (invalid UTF-8, a control character).
	return Error{File: file, Line: lineOfBadByte(data), Msg: "YAML syntax: " + msg}
}

// lineOfBadByte is the line of the first byte YAML does not allow: invalid UTF-8 or a
// control character other than tab, line feed and carriage return. 1 when there is none.
func lineOfBadByte(data []byte) int {
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' ||
			r >= 0x7f && r <= 0x9f && r != 0x85 || r == 0xfffe || r == 0xffff {
			return line
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return 1
}

// decodeErrors turns yaml.v3's "line N: ..." messages into located, readable Errors.
func decodeErrors(file string, data []byte, err error, idx pathIndex) Errors {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return Errors{syntaxError(file, data, err)}
	}
	var es Errors
	for i, raw := range te.Errors {
		if i == MaxErrors { // yaml.v3 reports in file order: the rest come later
			return append(es, Error{File: file, Line: es[i-1].Line, Msg: fmt.Sprintf("and %d more problems", len(te.Errors)-i)})
		}
		m := lineRe.FindStringSubmatch(raw)
		if m == nil {
			es = append(es, Error{File: file, Line: max(idx.lines[""], 1), Msg: raw})
			continue
		}
		l, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		e := Error{File: file, Line: l, Field: idx.pathAt(l, col, ""), Msg: m[3]}
		if u := unknownFieldRe.FindStringSubmatch(m[3]); u != nil {
			e.Field = idx.pathAt(l, 0, u[1])
			e.Msg = "unknown field " + strconv.Quote(u[1])
			if s := suggest(u[1], u[2]); s != "" {
				e.Msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
		} else if t := yamlTypeRe.FindStringSubmatch(m[3]); t != nil {
			e.Msg = fmt.Sprintf("cannot use %s here: want %s", yamlKindWord(t[1], t[2]), goTypeWord(t[3]))
		}
		es = append(es, e)
	}
	return es
}

func yamlKindWord(tag, value string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	}
	return strconv.Quote(value)
}

func goTypeWord(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "int"):
		return "a whole number"
	case t == "string":
		return "text"
	case t == "bool":
		return "true or false"
	}
	return "a mapping"
}

// schemaTypes lists the struct types of the schema by yaml.v3's name for them, so an
// unknown field can be matched to the fields that type does have.
var schemaTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || m[t.String()] != nil {
			return
		}
		m[t.String()] = t
		for i := 0; i < t.NumField(); i++ {
			add(t.Field(i).Type)
		}
	}
	add(reflect.TypeOf(Scenario{}))
	add(reflect.TypeOf(faultFields{})) // what faults and the source decode into (defaults.go)
	add(reflect.TypeOf(sourceFields{}))
	return m
}()

// suggest finds the field of the named type closest to a misspelt one.
func suggest(field, typeName string) string {
	t, ok := schemaTypes[typeName]
	if !ok {
		return ""
	}
	best, bestDist := "", 3
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if d := levenshtein.ComputeDistance(field, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}
