package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"gopkg.in/yaml.v3"
)

// Open reads a scenario from a file path or, when no such file exists, a built-in
// scenario by name ("smoke" or "smoke.yaml").
func Open(nameOrPath string) (*Scenario, error) {
	data, err := os.ReadFile(nameOrPath)
	if err == nil {
		return Parse(data, nameOrPath)
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
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{syntaxError(file, err)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Msg: "empty scenario"}}
	}
	index := indexPaths(root.Content[0])

	s := defaultScenario()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, decodeErrors(file, err, index)
	}
	s.File = file
	problems := s.resolve(index.written)
	problems = append(problems, s.validate()...)
	if len(problems) > 0 {
		return nil, locate(file, problems, index)
	}
	return &s, nil
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
}

func indexPaths(n *yaml.Node) pathIndex {
	idx := pathIndex{lines: map[string]int{}, values: map[[2]int]string{}}
	var walk func(path string, line int, n *yaml.Node)
	walk = func(path string, line int, n *yaml.Node) {
		idx.lines[path] = line
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
	for p, l := range idx.lines {
		if l != line || p == "" {
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

func syntaxError(file string, err error) Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineRe.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		return Error{File: file, Line: l, Msg: "YAML syntax: " + m[3]}
	}
	return Error{File: file, Msg: "YAML syntax: " + msg}
}

// decodeErrors turns yaml.v3's "line N: ..." messages into located, readable Errors.
func decodeErrors(file string, err error, idx pathIndex) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return Errors{syntaxError(file, err)}
	}
	var es Errors
	for _, raw := range te.Errors {
		m := lineRe.FindStringSubmatch(raw)
		if m == nil {
			es = append(es, Error{File: file, Msg: raw})
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
