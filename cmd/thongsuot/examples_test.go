package main

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

// ciExamples are the pipelines examples/ci gives to copy.
var ciExamples = []string{"github-actions.yml", "gitlab-ci.yml"}

// The CI examples decode as YAML, and every thongsuot command they run — its
// subcommand and each flag — exists in this build, so a pipeline copied from them
// does not fail on a name that went away. Each gates on an image build and publishes
// junit.xml and report.html.
func TestCIExamplesUseCommandsThatExist(t *testing.T) {
	for _, name := range ciExamples {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", name))
			require.NoError(t, err)
			var doc yaml.Node
			require.NoError(t, yaml.Unmarshal(data, &doc), "decodes as YAML")
			var commands [][]string
			for _, script := range scripts(&doc) {
				commands = append(commands, thongsuotCommands(script)...)
			}
			require.NotEmpty(t, commands)
			gates := 0
			for _, args := range commands {
				assert.NoError(t, commandExists(args), strings.Join(args, " "))
				if len(args) > 1 && args[0] == "run" && slicesHasPrefix(args, "image=") {
					gates++
				}
			}
			assert.Equal(t, 1, gates, "one gate run on the portal's image")
			for _, report := range []string{"junit.xml", "report.html"} {
				assert.Contains(t, string(data), "out/gate/"+report, "publishes %s", report)
			}
		})
	}
}

// The check itself catches a command or flag that does not exist.
func TestCommandExistsRefusesWhatIsNot(t *testing.T) {
	for _, args := range [][]string{{"gate", "july1-gate"}, {"run", "july1-gate", "--sut-image", "x"}, {"up", "--naive"}} {
		assert.Error(t, commandExists(args), strings.Join(args, " "))
	}
	assert.Equal(t, [][]string{{"run", "s", "--portal", "image=CI_EXPR", "--out", "o"}},
		thongsuotCommands("cd x && thongsuot run s \\\n  --portal \"image=${{ github.sha }}\" --out o # gate"))
}

// scripts are what a pipeline runs: GitHub's run: steps, GitLab's script: lines.
func scripts(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i].Value; k == "run" || k == "script" {
				out = append(out, scalars(n.Content[i+1])...)
			}
		}
	}
	for _, c := range n.Content {
		out = append(out, scripts(c)...)
	}
	return out
}

// scalars are the strings of a node: itself, or a list's items.
func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, scalars(c)...)
	}
	return out
}

// ciExpression is a CI system's own substitution, one word to a shell: ${{ github.sha }}.
var ciExpression = regexp.MustCompile(`\$\{\{[^}]*\}\}`)

// thongsuotCommands finds the thongsuot command lines of a script (continuations
// joined) and splits each into its arguments, as a shell would.
func thongsuotCommands(script string) [][]string {
	script = strings.ReplaceAll(ciExpression.ReplaceAllString(script, "CI_EXPR"), "\\\n", " ")
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		words := shellWords(line)
		for i, w := range words {
			if w == "thongsuot" && (i == 0 || words[i-1] == "&&" || words[i-1] == ";") {
				args := words[i+1:]
				for j, a := range args {
					if a == "&&" || a == ";" || a == "|" || strings.HasPrefix(a, "#") {
						args = args[:j]
						break
					}
				}
				out = append(out, args)
			}
		}
	}
	return out
}

// shellWords splits a line into words: quotes group, a backslash escapes.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for i, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '\\' && i+1 < len(line):
			continue
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// commandExists finds args' subcommand in the command tree and parses its flags.
func commandExists(args []string) error {
	root := newRootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if cmd == root {
		return fmt.Errorf("no thongsuot command %q", strings.Join(args, " "))
	}
	return cmd.ParseFlags(rest)
}

func slicesHasPrefix(args []string, prefix string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, prefix) {
			return true
		}
	}
	return false
}

// The sut: examples README points to are valid scenarios.
func TestSUTExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "sut", "*.yaml"))
	require.NoError(t, err)
	require.Len(t, files, 2)
	code, stdout, stderr := execute(t, append([]string{"validate"}, files...)...)
	assert.Zero(t, code, "%s%s", stdout, stderr)
}
