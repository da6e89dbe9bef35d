package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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

// writeScenario writes a scenario file for a test and returns its path.
func writeScenario(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// requireNothingFailed holds a run to a verdict in which nothing failed: pass, or
// inconclusive because the harness itself was saturated — the machine is shared, and
// another process taking the cores must not turn a test red. Any other doubt (nothing
// judged, load dropped) and any failure still do. What the tests check is in the
// journal and the reconciliation either way.
func requireNothingFailed(t *testing.T, code int, stdout, stderr, dir string) reports.Summary {
	t.Helper()
	if code == slo.ExitInconclusive {
		sum := readSummary(t, dir)
		// The harness's own doubts only: starved, or it dropped what fell due.
		for _, d := range sum.Doubts {
			require.Regexp(t, `saturated|the harness dropped`, d, "inconclusive only for a saturated harness:\n%s", stdout)
		}
		for _, o := range sum.Objectives {
			if o.Status == slo.StatusFailed { // the journal is read only to say why
				require.NotEqual(t, slo.StatusFailed, o.Status, "%s failed:\n%s\nfailed windows:\n%s", o.Name, stdout, failedWindows(dir))
			}
		}
		t.Logf("inconclusive, the harness saturated: %v", sum.Doubts)
		return sum
	}
	if code != slo.ExitPass { // the journal is read only to say why
		require.Equal(t, slo.ExitPass, code, "stdout:\n%s\nstderr:\n%s\nfailed windows:\n%s", stdout, stderr, failedWindows(dir))
	}
	return readSummary(t, dir)
}

// failedWindows says what each failed objective's windows held, class by class, from
// the run's journal: when an end-to-end run fails, the answers that failed it.
func failedWindows(dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, reports.SummaryFile))
	if err != nil {
		return err.Error()
	}
	var sum reports.Summary
	if err := json.Unmarshal(data, &sum); err != nil {
		return err.Error()
	}
	rec, err := journal.Read(dir)
	if err != nil {
		return err.Error()
	}
	byIndex := rec.ByIndex()
	var b strings.Builder
	for _, o := range sum.Objectives {
		for i, p := range o.Failed {
			if i == 5 {
				fmt.Fprintf(&b, "%s: %d more windows\n", o.Name, len(o.Failed)-i)
				break
			}
			fmt.Fprintf(&b, "%s: window %d (%s, %v in): %v\n", o.Name, p.Index, p.Scenario.Format("15:04:05"), p.Start, p.Value)
			if p.Index < 0 || p.Index >= len(byIndex) {
				continue
			}
			for _, w := range byIndex[p.Index] {
				fmt.Fprintf(&b, "  %s: sent %d, late %d, codes %v, p95 %v, max %v, errors %v\n",
					w.Class, w.Sent, w.Late, w.Codes, w.Percentile(95), w.Percentile(100), w.Errors)
			}
		}
	}
	return b.String()
}

const urlScenario = `version: 1
name: url-portal
clock: {start: 2025-07-01 08:00, end: +12m, compress: 60}
load: {baseline: 60/s, users: 10, timeout: 3s}
mix:
  - {class: catalogue, weight: 3}
  - {class: status, weight: 2}
  - {class: login, weight: 1}
  - {class: submit, weight: 2}
faults:
  - {name: front door slow, at: +4m, for: 3s, link: client->portal, toxic: latency, latency: 300ms}
sut:
  portal:
    url: %s
    receipts: {client_id: thongsuot-harness, client_secret_env: URL_E2E_SERVICE_SECRET}
  identity: {url: %s}
slos:
  window: 1m
  min_requests: 5
  objectives:
    - {name: availability, kind: availability, target: 99%%}
    - {name: no dossier lost, kind: zero_loss}
`

// A portal already running, judged through sut.portal.url: the reference portal as its
// own process (with identity and registry processes behind it), a local proxy in front
// of it carrying a latency fault on client->portal — in the journal, in the windows it
// slowed and on the plots — and zero loss reconciled through the receipts contract the
// scenario names, as the identity provider's service client.
func TestRunJudgesAPortalByURL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and runs 12 s of load")
	}
	bin := runtimetest.Binary(t)
	const admin = "url-e2e-admin"
	identity, portalArgs := referenceProcesses(t, bin, admin, "url-e2e-registry")
	_, portal := stubProcess(t, bin, "portal", append(portalArgs, "--data", t.TempDir())...)
	t.Setenv("URL_E2E_SERVICE_SECRET", admin)

	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", writeScenario(t, fmt.Sprintf(urlScenario, portal, identity)), "--out", out, "-q")
	sum := requireNothingFailed(t, code, stdout, stderr, out)
	assert.Equal(t, "embedded", sum.Runtime)
	assert.Equal(t, "url "+portal, sum.SUT["portal"])
	assert.Equal(t, "url "+identity, sum.SUT["identity"])
	require.Len(t, sum.Faults, 1)
	assert.Equal(t, "client->portal", sum.Faults[0].Link)
	require.NotNil(t, sum.Reconciliation)
	assert.Empty(t, sum.Reconciliation.Error)
	assert.Positive(t, sum.Reconciliation.Acknowledged)
	assert.Empty(t, sum.Reconciliation.Missing, "no acknowledged dossier lost")
	for _, f := range []string{"faults.png", reports.LatencyFile} {
		assert.FileExists(t, filepath.Join(out, f))
	}
	html, err := os.ReadFile(filepath.Join(out, reports.HTMLFile))
	require.NoError(t, err)
	assert.Contains(t, string(html), "front door slow", "the fault timeline lists it")

	// The windows wholly inside the fault answered at least its 300 ms later than those
	// before it: a bound the toxic sets, not the machine.
	rec, err := journal.Read(out)
	require.NoError(t, err)
	p50 := map[int]time.Duration{}
	for _, w := range rec.Windows {
		if w.Class == "catalogue" && w.Latency.TotalCount() > 0 {
			p50[w.Index] = time.Duration(w.Latency.ValueAtQuantile(50)) * time.Microsecond
		}
	}
	require.Contains(t, p50, 5, "window 5 lies wholly inside the fault (+4m for 3 minutes of scenario time)")
	assert.GreaterOrEqual(t, p50[5], 300*time.Millisecond)
	var before []time.Duration
	for i := range 4 {
		if d, ok := p50[i]; ok {
			before = append(before, d)
		}
	}
	require.NotEmpty(t, before)
	sort.Slice(before, func(i, j int) bool { return before[i] < before[j] })
	assert.Less(t, before[len(before)/2], p50[5], "slower inside the fault than before it")
}

const imageScenario = `version: 1
name: image-portal
clock: {start: 2025-07-01 08:00, end: +30m, compress: 60}
load: {baseline: 60/s, users: 10, timeout: 2s}
mix:
  - {class: catalogue, weight: 4}
  - {class: status, weight: 2}
  - {class: login, weight: 1}
  - {class: submit, weight: 3}
faults:
  - {name: portal killed, at: +8m, for: 3s, role: portal, action: kill}
  - {name: portal restarted, at: +18m, role: portal, action: restart}
sut:
  portal:
    image: %s
    port: %d
    env:
      NPSP_IDP_URL: ${THONGSUOT_IDENTITY_URL}
      NPSP_REGISTRY_URL: ${THONGSUOT_REGISTRY_URL}
    command: [--listen, "0.0.0.0:%d", --identity, "${NPSP_IDP_URL}", --registry, "${NPSP_REGISTRY_URL}", --data, /var/lib/npsp]
    health: {path: /readyz, status: 200}
    volumes: [/var/lib/npsp]
    receipts: {path: /admin/v1/receipts}
slos:
  window: 1m
  min_requests: 5
  recovery_windows: 2
  objectives:
    - {name: availability, kind: availability, target: 99%%, outside_faults: true}
    - {name: back within 20s, kind: recovery, max: 20s}
    - {name: no dossier lost, kind: zero_loss}
`

// The reference portal packaged as another team's image would be — its own name and
// tag, port 9090, its binary elsewhere, its own variable names mapped from the contract
// by env and command — judged through sut.portal.image: the containers runtime is
// chosen for it, the portal is killed and later restarted under load, and every
// dossier it acknowledged is still there at the end. The report names the image with
// the engine's digest; the run leaves nothing behind.
func TestRunJudgesAPortalImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an image and runs 30 s of load in containers")
	}
	runtimetest.RequireDocker(t)
	image := runtimetest.PackagedPortal(t)
	port := runtimetest.PackagedPortalPort

	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", writeScenario(t, fmt.Sprintf(imageScenario, image, port, port)), "--out", out, "-q")
	sum := requireNothingFailed(t, code, stdout, stderr, out)
	assert.Equal(t, "containers", sum.Runtime, "an image selects the containers runtime")
	assert.True(t, strings.HasPrefix(sum.SUT["portal"], "image "+image+" (sha256:"), sum.SUT["portal"])
	assert.True(t, strings.HasPrefix(sum.SUT["identity"], "reference, thongsuot "), sum.SUT["identity"])
	require.Len(t, sum.Faults, 2)
	assert.Equal(t, "kill", sum.Faults[0].Action)
	assert.Equal(t, "restart", sum.Faults[1].Action)
	for _, f := range sum.Faults {
		assert.Empty(t, f.Error, f.Name)
	}
	require.NotNil(t, sum.Reconciliation)
	assert.Empty(t, sum.Reconciliation.Error)
	assert.Positive(t, sum.Reconciliation.Acknowledged)
	assert.Empty(t, sum.Reconciliation.Missing, "the volume kept every acknowledged dossier across the kill")
	assert.Empty(t, sum.Reconciliation.Duplicated)
	junit, err := os.ReadFile(filepath.Join(out, reports.JUnitFile))
	require.NoError(t, err)
	assert.Contains(t, string(junit), `<property name="sut.portal" value="image `+image)
	assert.Empty(t, runtimetest.Left(t, os.Getpid()), "the run's containers, network and volumes are gone")
}

// What the system under test cannot do is bad input: exit 2 before anything starts,
// each problem at its file:line and field, or at the flag that set it.
func TestRunRefusesWhatTheSystemCannotDo(t *testing.T) {
	url := smokeWith(t, "slos:", "sut:\n  portal: {url: 'http://127.0.0.1:9'}\n  identity: {url: 'http://127.0.0.1:9'}\nslos:")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a registry fault behind a running portal", []string{url}, url + ":33: faults[0].link: the portal is already running at http://127.0.0.1:9: its calls to registry do not go through thongsuot"},
		{"an image on the embedded runtime", []string{"smoke", "--portal", "image=npsp/portal:1.4.2", "--runtime", "embedded"},
			"sut.portal.image: an image runs on the containers runtime; --runtime embedded cannot start it (leave --runtime out, or say containers) (set by --portal)"},
		{"zero_loss and a crash on a running portal", []string{"portal-crash", "--portal", "url=http://127.0.0.1:9"},
			"faults[0].role: the portal is already running at http://127.0.0.1:9: thongsuot has no process of it"},
		{"zero_loss without a listing", []string{"portal-crash", "--portal", "image=npsp/portal:1.4.2"},
			"slos.objectives[4]: zero_loss reconciles against the portal's receipts listing, and this image portal has none"},
		{"a host off this machine", []string{"smoke", "--portal", "url=https://staging.npsp.example"},
			"sut.portal.url: staging.npsp.example is not this machine: thongsuot sends load there only when told to, with sut.allow: [staging.npsp.example] or --allow-target staging.npsp.example (set by --portal)"},
		{"an unknown portal", []string{"smoke", "--portal", "mainframe"}, `--portal "mainframe": want reference, naive, image=NAME:TAG or url=URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := execute(t, append(append([]string{"run"}, tt.args...), "--out", t.TempDir(), "-q")...)
			assert.Equal(t, slo.ExitError, code)
			assert.Contains(t, stderr, tt.want)
		})
	}
	code, _, stderr := execute(t, "validate", url)
	assert.Equal(t, slo.ExitError, code, "validate knows it too")
	assert.Contains(t, stderr, url+":33: faults[0].link")
}
