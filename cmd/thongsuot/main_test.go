package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/reports"
)

// execute runs the CLI in-process and returns its exit code and output.
func execute(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	var ee *exitError
	switch {
	case err == nil:
		code = slo.ExitPass
	case errors.As(err, &ee):
		code = ee.code
		if ee.err != nil {
			errOut.WriteString(ee.err.Error())
		}
	default:
		code = slo.ExitError
		errOut.WriteString(err.Error())
	}
	return code, out.String(), errOut.String()
}

// writeVariant writes a copy of a scenario file with edits applied.
func writeVariant(t *testing.T, src []byte, replace ...string) string {
	t.Helper()
	text := string(src)
	for i := 0; i+1 < len(replace); i += 2 {
		require.Contains(t, text, replace[i])
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	path := filepath.Join(t.TempDir(), "variant.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func smokeWith(t *testing.T, replace ...string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "smoke.yaml"))
	require.NoError(t, err)
	return writeVariant(t, src, replace...)
}

func TestValidateNamesFileLineAndField(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     string
	}{
		{"typo'd field", "  users: 50", "  usres: 50", `:20: load.usres: unknown field "usres" (did you mean "users"?)`},
		{"bad duration", "    for: 5s", "    for: five seconds", `:32: faults[0].for: bad duration "five seconds"`},
		{"end before start", "  end: +20m", "  end: 2025-07-01 07:00", ":11: clock.end: 2025-07-01T07:00:00+07:00 is not after clock.start"},
		{"weight below zero", "{class: submit, weight: 15}", "{class: submit, weight: -15}", ":27: mix[3].weight: must be between 0 and 1000000, got -15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := smokeWith(t, tt.from, tt.to)
			code, _, stderr := execute(t, "validate", path)
			assert.Equal(t, slo.ExitError, code)
			assert.Contains(t, stderr, path+tt.want)
		})
	}
	code, stdout, _ := execute(t, "validate", "smoke")
	assert.Equal(t, slo.ExitPass, code)
	assert.Contains(t, stdout, "scenarios/smoke.yaml: ok")
}

func TestRunRejectsBadInputWithExit2(t *testing.T) {
	code, _, stderr := execute(t, "run", "no-such-scenario", "--out", t.TempDir())
	assert.Equal(t, slo.ExitError, code)
	assert.Contains(t, stderr, "no built-in scenario")
	code, _, stderr = execute(t, "run", "smoke", "--runtime", "mainframe", "--out", t.TempDir())
	assert.Equal(t, slo.ExitError, code)
	assert.Contains(t, stderr, `unknown runtime "mainframe"`)
}

// The foundation's end-to-end check: smoke passes, writes its reports, and its journal
// shows the fault: submit p95 rises above the toxic's latency inside the fault window,
// and the windows clear of it are faster than the ones inside. No bound here is tighter
// than the scenario's own objectives, so a busy machine does not turn it red.
func TestRunSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 20 s smoke scenario")
	}
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", "smoke", "--out", dir)
	requireNothingFailed(t, code, stdout, stderr, dir)
	assert.Regexp(t, `smoke: (PASS|INCONCLUSIVE)`, stdout)
	for _, f := range []string{"summary.json", "junit.xml", "latency.png", "scenario.yaml"} {
		info, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		assert.Positive(t, info.Size(), f)
	}

	var sum reports.Summary
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Contains(t, []string{slo.VerdictPass, slo.VerdictInconclusive}, sum.Verdict)
	assert.Equal(t, sum.Totals.Intended, sum.Totals.Sent+sum.Totals.Dropped, "every request due was sent or dropped")
	assert.Equal(t, float64(sum.Totals.Intended), sum.Totals.Planned, "as many fell due as the plan has arrivals")
	assert.LessOrEqual(t, float64(sum.Totals.Dropped), 0.01*sum.Totals.Planned, "next to nothing dropped")
	require.Len(t, sum.Faults, 1)
	f := sum.Faults[0]
	assert.Empty(t, f.Error)
	if sum.Verdict == slo.VerdictInconclusive {
		// The harness said it was starved: its timers and its samples inside the fault
		// are not what this test measures; the counts above still had to add up.
		t.Logf("inconclusive (harness saturated): fault timing and the latency bump not checked\n%s", stdout)
		return
	}
	assert.InDelta(t, 10*time.Second, f.Start, float64(time.Second), "the fault starts at +10m scenario = 10 s wall")
	// Ended on time, or late by what a busy machine does to a timer and a toxiproxy call.
	assert.GreaterOrEqual(t, f.End-f.Start, 4500*time.Millisecond, "the fault lasted the 5 s asked")
	assert.LessOrEqual(t, f.End-f.Start, 7500*time.Millisecond, "the fault lasted the 5 s asked")

	rec, err := journal.Read(dir)
	require.NoError(t, err)
	const toxic = 400 * time.Millisecond
	var inside, outside []time.Duration
	for _, w := range rec.Windows {
		if w.Class != "submit" || w.Answered() < 10 {
			continue
		}
		end := w.Start + rec.Run.Window
		switch {
		case w.Start >= f.Start && end <= f.End: // wholly inside the fault
			inside = append(inside, w.Percentile(95))
			assert.Greater(t, w.Percentile(95), toxic, "window %d inside the fault: every submit waited for the slow registry", w.Index)
		case end <= f.Start || w.Start >= f.End+time.Second: // clear of it (and of its tail)
			outside = append(outside, w.Percentile(95))
		}
	}
	require.GreaterOrEqual(t, len(inside), 3)
	require.GreaterOrEqual(t, len(outside), 8)
	slices.Sort(inside)
	slices.Sort(outside)
	assert.Less(t, outside[len(outside)/2], inside[0], "a typical window clear of the fault is faster than any inside it")
}

// A copy of smoke with an impossible SLO fails with exit 1, and junit.xml says which.
func TestRunImpossibleSLOExits1(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke scenario")
	}
	path := smokeWith(t, "      max: 500ms ", "      max: 1us ", "compress: 60 ", "compress: 120 ")
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", dir, "--quiet")
	require.Equal(t, slo.ExitFail, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "FAIL catalogue p95")

	var suites struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(data, &suites))
	require.Len(t, suites.Suites, 1)
	s := suites.Suites[0]
	assert.Equal(t, "smoke", s.Name)
	assert.Equal(t, 1, s.Failures)
	failed := map[string]string{}
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed[c.Name] = c.Failure.Message
		}
	}
	require.Contains(t, failed, "catalogue p95")
	assert.Contains(t, failed["catalogue p95"], "p95 ≤ 1µs")
	assert.Equal(t, len(failed), s.Failures, "the suite counts what its cases say")
}

// The same smoke scenario, unchanged, on the containers runtime.
func TestRunSmokeOnContainers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the smoke scenario in containers")
	}
	runtimetest.RequireDocker(t)
	runtimetest.Binary(t)
	dir := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", "smoke", "--runtime", "containers", "--out", dir)
	require.Equal(t, slo.ExitPass, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Contains(t, stdout, "smoke: PASS")
	assert.Contains(t, stderr, "containers runtime")
	var sum reports.Summary
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &sum))
	assert.Equal(t, "containers", sum.Runtime)
	require.Len(t, sum.Faults, 1)
	assert.Empty(t, sum.Faults[0].Error, "the toxic was applied through the container's toxiproxy")
	// The links' meters count in the toxiproxy container, and the run reads them there.
	rec, err := journal.Read(filepath.Join(dir))
	require.NoError(t, err)
	var down int64
	for _, w := range rec.Links {
		if w.Link == "client->portal" {
			down += w.Down
		}
	}
	assert.Positive(t, down, "journal/links.jsonl: what client->portal carried")
}

// portal-crash on both runtimes, unchanged: the portal is killed under load and
// restarted; the run reports the outage window, a recovery time, and no acknowledged
// dossier lost.
func TestPortalCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the 30 s portal-crash scenario")
	}
	for _, rt := range []string{"embedded", "containers"} {
		t.Run(rt, func(t *testing.T) {
			if rt == "containers" {
				runtimetest.RequireDocker(t)
				runtimetest.Binary(t)
			}
			dir := filepath.Join(t.TempDir(), "run")
			code, stdout, stderr := execute(t, "run", "portal-crash", "--runtime", rt, "--out", dir)
			requireNothingFailed(t, code, stdout, stderr, dir)
			var sum reports.Summary
			data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(data, &sum))

			require.Len(t, sum.Faults, 1)
			f := sum.Faults[0]
			assert.Equal(t, "portal", f.Role)
			assert.Equal(t, "kill", f.Action)
			assert.Empty(t, f.Error)
			// The outage: the 5 s asked for, plus the time the kill and the start take.
			assert.GreaterOrEqual(t, f.End-f.Start, 4500*time.Millisecond, "the outage window: 5 s asked for, give or take a late timer")
			assert.Less(t, f.End-f.Start, 9*time.Second, "the outage window")
			assert.Positive(t, sum.Totals.Failed, "the outage is visible: requests failed while the portal was down")

			require.NotNil(t, sum.Reconciliation)
			assert.Positive(t, sum.Reconciliation.Acknowledged)
			assert.Empty(t, sum.Reconciliation.Missing, "no acknowledged dossier lost")
			assert.Empty(t, sum.Reconciliation.Duplicated)

			var recovery *slo.Outcome
			for i, o := range sum.Objectives {
				if o.Kind == "recovery" {
					recovery = &sum.Objectives[i]
				}
			}
			require.NotNil(t, recovery)
			assert.True(t, recovery.Met)
			require.Len(t, recovery.Recoveries, 1)
			t.Logf("%s: recovered %v after the restart; %d acknowledged, %d stored", rt,
				recovery.Recoveries[0], sum.Reconciliation.Acknowledged, sum.Reconciliation.Stored)
		})
	}
}
