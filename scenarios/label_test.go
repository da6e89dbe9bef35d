package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// A number of a scenario is a value with a digit in it — a count, a rate, a share, a
// factor, a duration, a time, a bandwidth — except the fields that are text (names,
// labels, classes, links) and the schema version. Each must say where it comes from:
// a published figure or the seeds (`# source: calibration F10`, `# source: seeds`) or
// an assumption (`# assumption: …`), in a comment on its own line, on the line of a
// mapping or list item that holds it, or in the comment lines just above either.
var (
	labelRe    = regexp.MustCompile(`#.*\b(source: (calibration [FS]\d+|seeds)|assumption:)`)
	textFields = map[string]bool{"version": true, "name": true, "description": true, "label": true, "class": true,
		"journey": true, "shape": true, "link": true, "toxic": true, "kind": true, "zone": true, "tier": true,
		"log": true, "format": true, "path": true, "method": true, "stream": true, "role": true, "action": true,
		"mode": true, "image": true, "knob": true}
)

// unlabelled lists the numbers of one scenario file that have neither a source nor an
// assumption, as "line: field: value".
func unlabelled(t *testing.T, data []byte) []string {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(data, &doc))
	lines := strings.Split(string(data), "\n")
	// labelled: line l (1-based) has a label on it or in the comment lines just above.
	labelled := func(l int) bool {
		if l < 1 || l > len(lines) {
			return false
		}
		if labelRe.MatchString(lines[l-1]) {
			return true
		}
		for k := l - 1; k >= 1 && strings.HasPrefix(strings.TrimSpace(lines[k-1]), "#"); k-- {
			if labelRe.MatchString(lines[k-1]) {
				return true
			}
		}
		return false
	}
	var out []string
	var walk func(n *yaml.Node, field string, blocks []int)
	walk = func(n *yaml.Node, field string, blocks []int) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, field, nil) // the file's header comment labels nothing
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				inner := append(blocks, k.Line)
				if n == doc.Content[0] {
					inner = nil // a section (load:, slos:) is no block: its comment labels nothing
				}
				walk(n.Content[i+1], k.Value, inner)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, field, append(blocks, c.Line))
			}
		case yaml.AliasNode: // an anchor's numbers are checked where it is written
		case yaml.ScalarNode:
			if textFields[field] || !strings.ContainsAny(n.Value, "0123456789") {
				return
			}
			if labelled(n.Line) {
				return
			}
			for _, l := range blocks {
				if labelled(l) {
					return
				}
			}
			out = append(out, fmt.Sprintf("%d: %s: %s", n.Line, field, n.Value))
		}
	}
	walk(&doc, "", nil)
	return out
}

// Every number of every built-in scenario says where it comes from.
func TestEveryScenarioNumberHasASource(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	replays, err := filepath.Glob(filepath.Join("replay", "*.yaml"))
	require.NoError(t, err)
	files = append(files, replays...)
	require.GreaterOrEqual(t, len(files), 10, "the built-in scenarios and the replay sample")
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Empty(t, unlabelled(t, data), "numbers without # source: or # assumption:")
		})
	}
}

// The check finds a number without a label, and takes one on its line, on its block's
// line or in the comments above.
func TestUnlabelledNumbersAreFound(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bare", "load:\n  scale: 0.3\n", []string{"2: scale: 0.3"}},
		{"on its line", "load:\n  scale: 0.3   # assumption: two cores\n", nil},
		{"a seed label", "load:\n  scale: 0.3   # source: seeds\n", nil},
		{"a figure", "load:\n  scale: 0.3   # source: calibration F12\n", nil},
		{"not a figure", "load:\n  scale: 0.3   # source: somewhere\n", []string{"2: scale: 0.3"}},
		{"above it", "load:\n  # assumption: two cores\n  scale: 0.3\n", nil},
		{"its block's line", "mix:\n  - {class: catalogue, rate: 20/s}   # assumption: 1.7 M a day\n", nil},
		{"above its block", "mix:\n  # assumption: 1.7 M a day\n  - {class: catalogue,\n     rate: 20/s}\n", nil},
		{"text is not a number", "name: f24-overload\nfaults:\n  - {link: client->identity, toxic: down}\n", nil},
		{"the file header labels nothing", "# assumption: everything\nload:\n  scale: 0.3\n", []string{"3: scale: 0.3"}},
		{"a time", "clock:\n  start: 2025-06-27 18:00\n", []string{"2: start: 2025-06-27 18:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, unlabelled(t, []byte(tt.yaml)))
		})
	}
}
