package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.yaml
var builtinFS embed.FS

// BuiltinNames lists the built-in scenarios by name.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtinFS, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// builtin returns a built-in scenario's bytes and the name messages should use for it.
func builtin(name string) ([]byte, string, bool) {
	file := strings.TrimSuffix(path.Base(name), ".yaml") + ".yaml"
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, "", false
	}
	return data, "scenarios/" + file, true
}
