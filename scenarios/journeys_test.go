package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// journeyScenario is a scenario whose journeys: section is steps (indented under one
// journey j), walked by the mix.
func journeyScenario(steps string) string {
	return `version: 1
name: t
clock: {start: 2025-07-01 08:00, end: +10m, compress: 60}
load: {baseline: 10/s, users: 0, timeout: 5s}
journeys:
  - name: j
    data: accounts.csv
    steps:
` + steps + `
mix: [{journey: j, weight: 1}]
slos:
  window: 1m
  objectives:
    - {name: a, kind: availability, target: 99%}
`
}

// writeJourneyScenario writes the scenario and its data file into a folder of its own.
func writeJourneyScenario(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte("user,password\ncd001,pw1\n"), 0o644))
	path := filepath.Join(dir, "s.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

const goodSteps = `      - name: login
        method: POST
        url: /login
        form: {u: "{{ data.user }}", p: "{{ data.password }}"}
        capture: {token: {cookie: tok}, me: {json: user.id}}
        check: {status: [200, 302]}
      - name: case
        url: /cases
        headers: {X-Token: "{{ token }}"}
        json: {owner: "{{ me }}", unit: "{{ vu.commune }}", n: 3, tags: [a, "{{ uuid }}"]}
        capture: {id: {header: Location}}
        receipt: "{{ id }}"
      - {name: look, url: "/cases/{{ id }}", check: {json: {state: open}, body_contains: ok}}`

func TestAJourneyScenarioLoadsAndCompiles(t *testing.T) {
	s, err := Open(writeJourneyScenario(t, journeyScenario(goodSteps)))
	require.NoError(t, err)
	assert.Equal(t, []string{"j.login", "j.case", "j.look"}, s.ClassNames())
	prog, err := s.Program("j")
	require.NoError(t, err)
	require.Len(t, prog.Steps, 3)
	assert.Equal(t, "POST", prog.Steps[1].Method, "a body makes a POST")
	assert.Equal(t, "GET", prog.Steps[2].Method)
	assert.Equal(t, TargetPortal, prog.Steps[0].Target)
	assert.NotNil(t, prog.Steps[1].Receipt)
	assert.Equal(t, []string{"user", "password"}, prog.Data.Columns)
	assert.False(t, prog.Setup)
	j, ok := s.Journey("j")
	require.True(t, ok)
	assert.Len(t, j.Steps, 3)

	// The resolved scenario a run writes reads back, its data file found where it was.
	out, err := Marshal(s)
	require.NoError(t, err)
	again, err := Parse(out, filepath.Join(t.TempDir(), ResolvedFile))
	require.NoError(t, err, string(out))
	assert.Equal(t, s.ClassNames(), again.ClassNames())
	twice, err := Marshal(again)
	require.NoError(t, err)
	assert.Equal(t, string(out), string(twice))
}

// Every kind of mistake in a journey is found when the scenario is loaded, before any
// traffic, with its file, line and field.
func TestJourneyMistakesAreFoundAtLoadTime(t *testing.T) {
	for _, tc := range []struct {
		name, steps string
		line        int // of the field, counted in the whole file
		field, msg  string
	}{
		{"unknown variable", `      - {name: a, url: "/x/{{ vu.nope }}"}`, 9, "journeys[0].steps[0].url", `unknown variable "vu.nope"`},
		{"unknown data column", `      - {name: a, url: "/x/{{ data.email }}"}`, 9, "journeys[0].steps[0].url", `unknown variable "data.email"`},
		{"bad template", `      - {name: a, url: /x, headers: {X-A: "{{ vu.id"}}`, 9, "journeys[0].steps[0].headers.X-A", "a {{ with no }}"},
		{"unknown function", "      - name: a\n        url: /x\n        json: {n: \"{{ upper vu.id }}\"}", 11, "journeys[0].steps[0].json", `unknown function "upper"`},
		{"capture used before it is made", "      - {name: a, url: \"/x/{{ id }}\"}\n      - {name: b, url: /y, capture: {id: {json: id}}}", 9, "journeys[0].steps[0].url", "id is used before it is captured (by step 2 (b))"},
		{"capture used in its own step", "      - name: a\n        url: /x\n        headers: {X-Id: \"{{ id }}\"}\n        capture: {id: {json: id}}", 11, "journeys[0].steps[0].headers.X-Id", "id is used before it is captured (by step 1 (a))"},
		{"capture never made", `      - {name: a, url: "/x/{{ id }}"}`, 9, "journeys[0].steps[0].url", `unknown variable "id"`},
		{"unknown target", `      - {name: a, target: registry, url: /x}`, 9, "journeys[0].steps[0].target", `unknown target "registry" (known: portal, identity`},
		{"absolute URL with a target", `      - {name: a, target: portal, url: "http://127.0.0.1:1/x"}`, 9, "journeys[0].steps[0].target", "the URL is absolute"},
		{"relative URL", `      - {name: a, url: x/y}`, 9, "journeys[0].steps[0].url", "want a path starting with /"},
		{"bad capture", `      - {name: a, url: /x, capture: {id: {json: a, header: B}}}`, 9, "journeys[0].steps[0].capture.id", "exactly one of json, header, cookie or regex"},
		{"bad regex", `      - {name: a, url: /x, capture: {id: {regex: "("}}}`, 9, "journeys[0].steps[0].capture.id", "regex:"},
		{"capture named like a function", `      - {name: a, url: /x, capture: {uuid: {json: a}}}`, 9, "journeys[0].steps[0].capture.uuid", "a template function's name"},
		{"two bodies", `      - {name: a, url: /x, json: {a: 1}, form: {b: c}}`, 9, "journeys[0].steps[0]", "give one body at most"},
		{"step twice", "      - {name: a, url: /x}\n      - {name: a, url: /y}", 10, "journeys[0].steps[1].name", `step "a" is named twice`},
		{"timeout above load.timeout", `      - {name: a, url: /x, timeout: 10s}`, 9, "journeys[0].steps[0].timeout", "longer than load.timeout 5s"},
		{"bad check path", `      - {name: a, url: /x, check: {json: {"a[": "1"}}}`, 9, "journeys[0].steps[0].check.json.a[", "a [ with no ]"},
		{"bad on_failure", `      - {name: a, url: /x, on_failure: retry}`, 9, "journeys[0].steps[0].on_failure", "want end"},
		{"token without client", `      - {name: a, url: /token, token: {grant: password}}`, 9, "journeys[0].steps[0].token.client_id", "missing"},
		{"upload without content", `      - {name: a, url: /x, upload: {field: f}}`, 9, "journeys[0].steps[0].upload", "give file"},
		{"receipt of nothing", `      - {name: a, url: /x, receipt: "{{ case }}"}`, 9, "journeys[0].steps[0].receipt", `unknown variable "case"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeJourneyScenario(t, journeyScenario(tc.steps))
			_, err := Open(path)
			require.Error(t, err)
			want := fmt.Sprintf("%s:%d: %s: ", path, tc.line, tc.field)
			found := false
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(line, want) && strings.Contains(line, tc.msg) {
					found = true
				}
			}
			assert.True(t, found, "want %q … %q in\n%v", want, tc.msg, err)
		})
	}
}

func TestJourneySectionMistakes(t *testing.T) {
	for _, tc := range []struct{ name, from, to, want string }{
		{"unknown journey in the mix", "mix: [{journey: j,", "mix: [{journey: k,", `mix[0].journey: unknown journey "k" (known: j, citizen-dossier`},
		{"a built-in's name", "  - name: j\n", "  - name: citizen-lookup\n", `"citizen-lookup" is a built-in journey's name`},
		{"no steps", "    steps:\n" + goodSteps, "    steps: []", "journeys[0].steps: empty"},
		{"checks objective without checks", "    - {name: a, kind: availability, target: 99%}", "    - {name: a, kind: checks, class: j.case, target: 99%}", "no step of a journey in the mix checks anything in class j.case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := journeyScenario(goodSteps)
			require.Contains(t, text, tc.from)
			_, err := Open(writeJourneyScenario(t, strings.Replace(text, tc.from, tc.to, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A data file that is not there: found before a run (CheckRun), at its line; a run
	// directory's scenario, which need not hold it, still reads.
	s, err := Open(writeJourneyScenario(t, strings.Replace(journeyScenario(goodSteps), "data: accounts.csv", "data: nobody.csv", 1)))
	require.NoError(t, err)
	err = s.CheckRun(RunOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), ":7: journeys[0].data: open ")
	assert.Contains(t, err.Error(), "nobody.csv: no such file")
	// An absolute URL off this machine is refused before a run unless allowed.
	s, err = Open(writeJourneyScenario(t, strings.Replace(journeyScenario(goodSteps), "url: /login", "url: https://sso.example.gov.vn/login", 1)))
	require.NoError(t, err)
	err = s.CheckRun(RunOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), ":11: journeys[0].steps[0].url: sso.example.gov.vn is not this machine")
	assert.NoError(t, s.CheckRun(RunOptions{Allow: []string{"sso.example.gov.vn"}}))
	// The checks objective, where a step checks.
	text := strings.Replace(journeyScenario(goodSteps), "    - {name: a, kind: availability, target: 99%}", "    - {name: a, kind: checks, target: 99.5%}", 1)
	_, err = Open(writeJourneyScenario(t, text))
	assert.NoError(t, err)
}

// The built-in journeys are YAML files that decode strictly, compile, and are listed.
func TestBuiltinJourneysCompile(t *testing.T) {
	specs, err := readBuiltinJourneys()
	require.NoError(t, err)
	assert.Len(t, specs, len(builtinJourneyOrder), "every file is in builtinJourneyOrder and every name has a file")
	require.Len(t, Journeys, len(builtinJourneyOrder))
	for i, j := range Journeys {
		assert.Equal(t, builtinJourneyOrder[i], j.Name)
		assert.NotEmpty(t, j.Doc, j.Name)
		s := &Scenario{}
		prog, err := s.Program(j.Name)
		require.NoError(t, err, j.Name)
		assert.True(t, prog.Setup, "%s reads the reference set-up (ref.*)", j.Name)
		first := 0
		if j.Steps[0].Name == "page" { // a citizen's browser loads the portal's page, then signs in
			first = 1
		}
		assert.Equal(t, "login", j.Steps[first].Name, "%s signs in first", j.Name)
	}
	dossier, ok := FindJourney("citizen-dossier")
	require.True(t, ok)
	pay, _ := dossier.Step("pay")
	status, _ := dossier.Step("status")
	assert.Equal(t, 0.4, pay.Share)
	assert.Equal(t, 2, status.Repeat)
	assert.Equal(t, ChannelOnline, dossier.Channel)
}
