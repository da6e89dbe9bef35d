package load

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journey"
	"github.com/thongsuot/thongsuot/scenarios"
)

// scripted parses a scenario whose mix is one YAML journey, given as the journeys: list.
func scripted(t testing.TB, journeys, load string) *scenarios.Scenario {
	t.Helper()
	src := fmt.Sprintf(`name: t
clock: {start: 2025-07-01 08:00, end: +1m, compress: 60}
load: {baseline: 30/s, users: 0, timeout: 2s%s}
journeys:
%s
mix: [{journey: j, weight: 1, think: 0s}]
slos:
  window: 1m
  objectives: [{name: a, kind: availability, target: 99%%}]
`, load, journeys)
	s, err := scenarios.Parse([]byte(src), "t.yaml")
	require.NoError(t, err)
	return s
}

// results runs the scenario's plan against base and returns every result by class.
func results(t *testing.T, s *scenarios.Scenario, ep Endpoints) map[string][]*vegeta.Result {
	t.Helper()
	plan, err := NewPlan(s)
	require.NoError(t, err)
	assert.False(t, plan.NeedsReference(), "a journey reading no ref.* needs no reference set-up")
	var mu sync.Mutex
	out := map[string][]*vegeta.Result{}
	err = Attack(context.Background(), plan, ep, &Setup{Citizens: []string{"001095000001", "001095000002", "001095000003"}},
		Options{Seed: 1, Timeout: 2 * time.Second, MaxWorkers: 50},
		SinkFuncs{OnSent: func(class int, res *vegeta.Result, _ time.Time) {
			mu.Lock()
			defer mu.Unlock()
			out[plan.Classes[class]] = append(out[plan.Classes[class]], res)
		}})
	require.NoError(t, err)
	return out
}

// A login that sometimes answers without the token the journey captures fails that
// step with the reason and ends that journey — a failure counted on the step's class,
// never a crash — while a failed check of a step that says on_failure: continue is
// counted and the journey goes on.
func TestAMissingCaptureEndsTheJourneyAndFailedChecksAreCounted(t *testing.T) {
	var logins atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			if logins.Add(1)%3 == 0 {
				fmt.Fprint(w, `{"error":"busy"}`) // 200, and no token
				return
			}
			fmt.Fprintf(w, `{"session":{"token":"t-%s"}}`, r.PostFormValue("u"))
		case "/read":
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer t-00109500000") {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			state := "ok"
			if r.URL.Query().Get("n") == "odd" {
				state = "stale"
			}
			fmt.Fprintf(w, `{"state":%q}`, state)
		case "/logout":
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	s := scripted(t, `  - name: j
    steps:
      - {name: login, url: /login, form: {u: "{{ vu.id }}"}, capture: {token: {json: session.token}}}
      - name: read
        url: /read
        query: {n: "{{ choice odd even }}"}
        headers: {Authorization: "Bearer {{ token }}"}
        check: {status: [200], json: {state: ok}}
        on_failure: continue
      - {name: logout, method: POST, url: /logout, check: {status: [204]}}`, "")
	got := results(t, s, Endpoints{Portal: srv.URL, Identity: srv.URL})
	login, read, logout := got["j.login"], got["j.read"], got["j.logout"]
	require.NotEmpty(t, login)
	missing := 0
	for _, r := range login {
		if r.Error != "" {
			assert.Equal(t, CheckFailedPrefix+"capture token: no session.token in the answer", r.Error)
			missing++
		}
	}
	assert.Positive(t, missing, "some logins came without a token")
	assert.Len(t, read, len(login)-missing, "a journey without its token ended at the login")
	stale := 0
	for _, r := range read {
		assert.Equal(t, uint16(200), r.Code, "the captured token was sent: %s", r.Error)
		if r.Error != "" {
			assert.Equal(t, CheckFailedPrefix+`state is "stale", want "ok"`, r.Error)
			stale++
		}
	}
	assert.Positive(t, stale, "some reads failed their check")
	assert.Less(t, stale, len(read))
	assert.Len(t, logout, len(read), "on_failure: continue went on after a failed check")
}

// A token step signs each virtual user in once and keeps the token while it is fresh:
// with three users and thirty journeys, three token requests — each a request of the
// step's class — and every later step carries its user's own token.
func TestATokenStepIsCachedPerVirtualUser(t *testing.T) {
	var mu sync.Mutex
	issued := map[string]string{} // token → user
	grants := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/realms/npsp/token":
			if r.PostFormValue("grant_type") != "password" || r.PostFormValue("client_id") != "web" || r.PostFormValue("password") != "pw-"+r.PostFormValue("username") {
				http.Error(w, "bad grant", http.StatusBadRequest)
				return
			}
			mu.Lock()
			grants++
			tok := fmt.Sprintf("tok-%d", grants)
			issued[tok] = r.PostFormValue("username")
			mu.Unlock()
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": 3600})
		case "/me":
			mu.Lock()
			user := issued[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
			mu.Unlock()
			if user == "" || user != r.URL.Query().Get("id") {
				http.Error(w, "not you", http.StatusForbidden)
				return
			}
			fmt.Fprint(w, "{}")
		}
	}))
	defer srv.Close()
	s := scripted(t, `  - name: j
    steps:
      - name: token
        target: identity
        url: /realms/npsp/token
        token: {client_id: web, username: "{{ vu.id }}", password: "pw-{{ vu.id }}"}
      - {name: me, url: /me, query: {id: "{{ vu.id }}"}, headers: {Authorization: "Bearer {{ token }}"}, check: {status: [200]}}`, "")
	got := results(t, s, Endpoints{Portal: srv.URL, Identity: srv.URL})
	require.NotEmpty(t, got["j.me"])
	for _, r := range got["j.me"] {
		assert.Empty(t, r.Error)
	}
	assert.Len(t, got["j.token"], grants, "each token request is one of the step's class")
	assert.LessOrEqual(t, grants, 3, "one token per virtual user")
	assert.Greater(t, len(got["j.me"]), grants)
}

// A held token is refreshed once three quarters of its life are gone.
func TestHeldTokensAreRefreshedBeforeTheyExpire(t *testing.T) {
	now := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	tk := &Tokens{now: func() time.Time { return now }}
	_, err := tk.hold("u1", []byte(`{"access_token":"a","expires_in":100}`), now)
	require.NoError(t, err)
	tok, ok := tk.held("u1")
	assert.True(t, ok)
	assert.Equal(t, "a", tok)
	_, ok = tk.held("u2")
	assert.False(t, ok, "another user has none")
	now = now.Add(76 * time.Second)
	_, ok = tk.held("u1")
	assert.False(t, ok, "due for a refresh")
	_, err = tk.hold("u1", []byte(`{"error":"x"}`), now)
	assert.Error(t, err)
}

// stepBench compiles a one-step journey and builds a walk that can send it.
func stepBench(b *testing.B, step string, srv string) (*script, *walk, *journey.Values) {
	s := scripted(b, "  - name: j\n    steps:\n      - {name: open, url: /open, capture: {case_id: {json: id}}}\n"+step, "")
	prog, err := s.Program("j")
	require.NoError(b, err)
	sc, err := newScript(prog)
	require.NoError(b, err)
	plan, err := NewPlan(s)
	require.NoError(b, err)
	x := &executor{env: &env{ep: Endpoints{Portal: srv, Identity: srv}, setup: &Setup{Citizens: []string{"001095000001"}}, seed: 1},
		pop: plan.Population, client: NewClient(5 * time.Second), classes: plan.Classes, sink: SinkFuncs{}, recent: &recentUnits{}}
	w := &walk{ctx: context.Background(), x: x, f: plan.Flows[0], n: 1, unit: 0, base: srv}
	v := &journey.Values{Slots: make([]string, len(prog.Slots)), Set: make([]bool, len(prog.Slots)), Rand: journey.NewRand(1)}
	w.fill(prog, v, []bool{true, true})
	v.Slots[prog.Slot("case_id")] = "HS-000001"
	return sc, w, v
}

const (
	staticStep = `      - name: s
        method: POST
        url: /ho-so/HS-000001/tep?u=001095000001
        headers: {Authorization: Bearer 0123456789abcdef, X-Unit: "00004"}
        json: {don_vi: "00004", nguoi_nop: {so_dinh_danh: "001095000001", ho_ten: Nguyễn Văn An}, ma: "HS-000001"}
        capture: {next: {json: id}}`
	templatedStep = `      - name: s
        method: POST
        url: /ho-so/{{ case_id }}/tep?u={{ vu.id }}
        headers: {Authorization: "Bearer {{ journey.key }}", X-Unit: "{{ vu.commune }}"}
        json: {don_vi: "{{ vu.commune }}", nguoi_nop: {so_dinh_danh: "{{ vu.id }}", ho_ten: "{{ vi_name }}"}, ma: "{{ case_id }}"}
        capture: {next: {json: id}}`
)

// The per-request cost of a step: building its request (BenchmarkStepRequest), and
// building, sending over loopback and reading the answer with its capture
// (BenchmarkStepSent), static beside templated. bench/journeys runs them.
func BenchmarkStepRequest(b *testing.B) {
	for _, tc := range []struct{ name, step string }{{"static", staticStep}, {"templated", templatedStep}} {
		b.Run(tc.name, func(b *testing.B) {
			sc, w, v := stepBench(b, tc.step, "http://127.0.0.1:9")
			st := sc.prog.Steps[1]
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sc.request(w, 1, st, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStepSent(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":"HS-000001"}`)
	}))
	defer srv.Close()
	for _, tc := range []struct{ name, step string }{{"static", staticStep}, {"templated", templatedStep}} {
		b.Run(tc.name, func(b *testing.B) {
			sc, w, v := stepBench(b, tc.step, srv.URL)
			st := sc.prog.Steps[1]
			b.ReportAllocs()
			for b.Loop() {
				h, err := sc.request(w, 1, st, v)
				if err != nil {
					b.Fatal(err)
				}
				res, body := w.x.send(h, "j.s", 1)
				if sc.answer(w, 1, st, v, res, body, "", time.Now()) != stepOK {
					b.Fatal(res.Error)
				}
			}
		})
	}
}

// An optional capture that finds nothing leaves its variable unset: the steps whose
// when: names it are not taken (an empty queue ends the session, no failure), and a
// header naming a capture of a failed step that went on is left out.
func TestOptionalCapturesWhenAndUnsetHeaders(t *testing.T) {
	var mu sync.Mutex
	var withAuth, withoutAuth, opened int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/login":
			http.Error(w, "down", http.StatusUnauthorized)
		case "/queue":
			if r.Header.Get("Authorization") != "" {
				withAuth++
			} else {
				withoutAuth++
			}
			if r.URL.Query().Get("empty") == "yes" {
				fmt.Fprint(w, `{"dossiers":[]}`)
				return
			}
			fmt.Fprint(w, `{"dossiers":[{"id":"a"},{"id":"b"}]}`)
		default:
			opened++
			fmt.Fprint(w, "{}")
		}
	}))
	defer srv.Close()
	s := scripted(t, `  - name: j
    steps:
      - {name: login, method: POST, url: /login, capture: {token: {json: t}}, on_failure: continue}
      - name: queue
        url: /queue
        query: {empty: "{{ choice yes no }}"}
        headers: {Authorization: "Bearer {{ token }}"}
        capture: {id: {json: "dossiers[*].id", optional: true}}
      - {name: open, url: "/d/{{ id }}", when: "{{ id }}", check: {status: [200]}}`, "")
	got := results(t, s, Endpoints{Portal: srv.URL, Identity: srv.URL})
	require.NotEmpty(t, got["j.queue"])
	for _, r := range got["j.queue"] {
		assert.Empty(t, r.Error, "an empty queue is no failure")
	}
	assert.Zero(t, withAuth, "no token, no Authorization header")
	assert.Equal(t, len(got["j.queue"]), withoutAuth)
	assert.Positive(t, len(got["j.open"]))
	assert.Less(t, len(got["j.open"]), len(got["j.queue"]), "walks that found an empty queue did not open")
	for _, r := range got["j.open"] {
		assert.Regexp(t, `/d/[ab]$`, r.URL)
	}
}
