package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/invopop/jsonschema"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites golden files and docs/summary-schema.json from what the code makes now:
//
//	go test ./reports -run 'Golden|Schema' -update
var update = flag.Bool("update", false, "rewrite golden files and docs/summary-schema.json")

// schemaFile is the documented schema of summary.json, relative to this package.
const schemaFile = "../docs/summary-schema.json"

// summarySchema generates the JSON Schema of summary.json from the Go types and their
// doc comments (so it must run in the source tree, as tests do).
func summarySchema(t *testing.T) []byte {
	t.Helper()
	r := &jsonschema.Reflector{AllowAdditionalProperties: true, ExpandedStruct: true}
	t.Chdir("..") // comment paths are read relative to the module root
	for _, dir := range []string{"reports", "harness/slo", "harness/metrics", "harness/journal"} {
		require.NoError(t, r.AddGoComments("github.com/thongsuot/thongsuot", dir))
	}
	s := r.Reflect(&Summary{})
	s.ID = "urn:thongsuot:summary:v1"
	s.Title = "thongsuot summary.json, " + SummarySchema
	s.Description = "The outcome of one thongsuot run: the verdict (pass, fail, incomplete), each objective's outcome, totals per request class, faults as applied, and where it ran. " +
		"The schema field names this version; within v1 fields may be added, never removed or changed in meaning, so consumers should ignore fields they do not know. " +
		"Generated from the Go types (reports.Summary): go test ./reports -run Schema -update."
	data, err := json.MarshalIndent(s, "", "  ")
	require.NoError(t, err)
	return append(data, '\n')
}

// The schema in docs/ is the one the code produces: a change to the types without
// regenerating it fails here.
func TestSummarySchemaIsCurrent(t *testing.T) {
	path, err := filepath.Abs(schemaFile)
	require.NoError(t, err)
	got := summarySchema(t) // changes the working directory
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got),
		"docs/summary-schema.json is out of date: go test ./reports -run Schema -update, and bump SummarySchema if a field was removed or changed meaning")
}

// Every kind of summary validates against the documented schema.
func TestSummariesValidateAgainstTheSchema(t *testing.T) {
	c := jsv.NewCompiler()
	doc, err := jsv.UnmarshalJSON(openFile(t, schemaFile))
	require.NoError(t, err)
	require.NoError(t, c.AddResource("schema.json", doc))
	schema, err := c.Compile("schema.json")
	require.NoError(t, err)

	eachRun(t, func(t *testing.T, _, dir string) {
		v, err := jsv.UnmarshalJSON(openFile(t, filepath.Join(dir, SummaryFile)))
		require.NoError(t, err)
		assert.NoError(t, schema.Validate(v))
	})

	broken := map[string]any{"schema": SummarySchema, "verdict": "pass"}
	assert.Error(t, schema.Validate(broken), "a summary missing its required fields does not validate")
}

func openFile(t *testing.T, path string) *bytes.Reader {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return bytes.NewReader(data)
}
