package reports

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden files pin the exact structure and wording of summary.json and junit.xml for
// a failing and a killed run. Rewrite them after a deliberate change:
//
//	go test ./reports -run Golden -update
func TestGoldenSummaryAndJUnit(t *testing.T) {
	eachRun(t, func(t *testing.T, verdict, dir string) {
		for _, file := range []string{SummaryFile, JUnitFile} {
			data, err := os.ReadFile(filepath.Join(dir, file))
			require.NoError(t, err)
			got := strings.ReplaceAll(string(data), dir, "RUN_DIR") // the temporary directory varies
			golden := filepath.Join("testdata", verdict+"."+file+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "%s differs from %s (go test ./reports -run Golden -update after a deliberate change)", file, golden)
		}
	})
}

// junit.xml validates against the JUnit XML schema Jenkins uses (testdata/junit-10.xsd)
// with libxml2's validator, xmllint (Debian: libxml2-utils, installed by make test).
// Without xmllint the test is skipped, except in CI.
func TestJUnitValidatesAgainstJenkinsSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is missing: install libxml2-utils (make test-deps)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	eachRun(t, func(t *testing.T, _, dir string) {
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit-10.xsd"), filepath.Join(dir, JUnitFile)).CombinedOutput()
		assert.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "validates")
	})
	// The validator does reject what the schema forbids.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	require.NoError(t, os.WriteFile(bad, []byte(`<testsuites><testsuite tests="1"><testcase/></testsuite></testsuites>`), 0o644))
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit-10.xsd"), bad).CombinedOutput()
	assert.Error(t, err, "a suite without a name and a case without a name must fail: %s", out)
}
