package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

// abuse.yaml on the embedded runtime: the citizens' objectives hold while every abusive
// request gets its refusal — counted per class, none answered otherwise, no 5xx, no
// transport error — and the reports carry the codes objectives.
func TestAbuse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 40 s abuse scenario")
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", "abuse", "--out", dir, "--quiet")
	require.Equal(t, slo.ExitPass, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	sum := readSummary(t, dir)

	refusals := map[string][]string{
		"forged-token": {"401"}, "expired-token": {"401"}, "enumerate": {"404"},
		"oversize-upload": {"413"}, "slow-upload": {"408"}, "burst": {"408", "429"},
	}
	legit := map[string]bool{"catalogue": true, "status": true, "login": true, "submit": true}
	for _, c := range sum.Classes {
		if legit[c.Class] {
			assert.Zero(t, c.Failed, "%s: no citizen's request failed", c.Class)
			continue
		}
		want, ok := refusals[c.Class]
		require.True(t, ok, "an abusive class the test knows: %s", c.Class)
		assert.Positive(t, c.Sent, c.Class)
		var refused int64
		for status, n := range c.Codes {
			assert.Contains(t, want, status, "%s answered %s %d times", c.Class, status, n)
			if assert.NotEqual(t, "0", status) {
				refused += n
			}
		}
		assert.Equal(t, c.Sent, refused, "%s: every request refused with %v", c.Class, want)
		delete(refusals, c.Class)
	}
	assert.Empty(t, refusals, "every abusive class ran")
	for _, c := range sum.Classes {
		if c.Class == "burst" {
			assert.Positive(t, c.Codes["429"], "the one client's limit of requests in progress bit")
		}
	}

	codes := 0
	for _, o := range sum.Objectives {
		assert.Equal(t, slo.StatusMet, o.Status, "%s: %s", o.Name, o.Objective)
		if o.Kind == "codes" {
			codes++
			assert.True(t, o.HigherIsBetter)
			assert.Equal(t, "%", o.Unit)
			assert.Positive(t, o.Evaluated, "%s judged windows", o.Name)
		}
	}
	assert.Equal(t, 6, codes, "a codes objective per abusive class")
	page, err := os.ReadFile(filepath.Join(dir, reports.HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(page), "forged tokens refused")
	assert.Contains(t, string(page), "408|429 ≥ 100%")
	junit, err := os.ReadFile(filepath.Join(dir, reports.JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `name="burst held to its limit"`)
}
