package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// foreignPortal is a provincial one-stop portal whose API is nothing like the
// reference's: a form login that answers XML, a session cookie, a CSRF token in a
// cookie that unsafe requests must echo in a header, a token in a header of its own,
// Vietnamese field names in JSON, a multipart upload, a status page in XML, and a
// receipts listing for the reconciliation. It refuses whatever a real one would.
type foreignPortal struct {
	mu       sync.Mutex
	sessions map[string]string // session id → user
	tokens   map[string]string // token → user
	cases    map[string]string // case id → user
	attached map[string]int
	next     int
	bad      map[string]int // refusals by reason
	// stale makes the status page lag: a new case still reads "moi".
	stale bool
}

func newForeignPortal() *foreignPortal {
	return &foreignPortal{sessions: map[string]string{}, tokens: map[string]string{}, cases: map[string]string{},
		attached: map[string]int{}, bad: map[string]int{}}
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (p *foreignPortal) refuse(w http.ResponseWriter, code int, reason string) {
	p.mu.Lock()
	p.bad[reason]++
	p.mu.Unlock()
	http.Error(w, reason, code)
}

// user is who a request comes from: its session cookie and its token must agree, and
// an unsafe request must carry the CSRF cookie's value in X-CSRFToken.
func (p *foreignPortal) user(w http.ResponseWriter, r *http.Request) (string, bool) {
	sid, err := r.Cookie("sessionid")
	if err != nil {
		p.refuse(w, http.StatusUnauthorized, "no session cookie")
		return "", false
	}
	p.mu.Lock()
	user, okS := p.sessions[sid.Value]
	tokUser, okT := p.tokens[r.Header.Get("X-Auth-Token")]
	p.mu.Unlock()
	if !okS || !okT || user != tokUser {
		p.refuse(w, http.StatusUnauthorized, "bad session or token")
		return "", false
	}
	if r.Method != http.MethodGet {
		ck, err := r.Cookie("csrftoken")
		if err != nil || ck.Value == "" || r.Header.Get("X-CSRFToken") != ck.Value {
			p.refuse(w, http.StatusForbidden, "CSRF check failed")
			return "", false
		}
	}
	return user, true
}

func (p *foreignPortal) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tai-khoan/dang-nhap", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			p.refuse(w, http.StatusUnsupportedMediaType, "login is a form")
			return
		}
		user, pass := r.PostFormValue("ten_dang_nhap"), r.PostFormValue("mat_khau")
		if user == "" || pass != "mk-"+user {
			p.refuse(w, http.StatusUnauthorized, "wrong password")
			return
		}
		sid, tok, csrf := randomHex(), randomHex(), randomHex()
		p.mu.Lock()
		p.sessions[sid], p.tokens[tok] = user, user
		p.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: sid, Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: csrf, Path: "/"})
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><phien><ma_xac_thuc>%s</ma_xac_thuc><nguoi_dung ma="%s"/></phien>`, tok, user)
	})
	mux.HandleFunc("POST /ho-so", func(w http.ResponseWriter, r *http.Request) {
		user, ok := p.user(w, r)
		if !ok {
			return
		}
		var in struct {
			ThuTuc  string `json:"thu_tuc"`
			DonVi   string `json:"don_vi"`
			NguoiNo struct {
				HoTen string `json:"ho_ten"`
			} `json:"nguoi_nop"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ThuTuc == "" || len(in.DonVi) != 5 || in.NguoiNo.HoTen == "" {
			p.refuse(w, http.StatusBadRequest, "bad case")
			return
		}
		p.mu.Lock()
		p.next++
		id := fmt.Sprintf("HS-%06d", p.next)
		p.cases[id] = user
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ket_qua":{"ma_ho_so":%q,"trang_thai":"moi","don_vi":%q}}`, id, in.DonVi)
	})
	mux.HandleFunc("POST /ho-so/{id}/tep", func(w http.ResponseWriter, r *http.Request) {
		user, ok := p.user(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		p.mu.Lock()
		owner := p.cases[id]
		p.mu.Unlock()
		if owner != user {
			p.refuse(w, http.StatusNotFound, "not your case")
			return
		}
		f, hdr, err := r.FormFile("tep")
		if err != nil || hdr.Filename != "don.pdf" {
			p.refuse(w, http.StatusBadRequest, "no file")
			return
		}
		n, _ := io.Copy(io.Discard, f)
		p.mu.Lock()
		p.attached[id]++
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `<tep ho_so="%s" kich_thuoc="%d"/>`, id, n)
	})
	mux.HandleFunc("GET /ho-so/{id}", func(w http.ResponseWriter, r *http.Request) {
		user, ok := p.user(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		p.mu.Lock()
		owner, files := p.cases[id], p.attached[id]
		p.mu.Unlock()
		if owner != user {
			p.refuse(w, http.StatusNotFound, "not your case")
			return
		}
		state := "dang_xu_ly"
		if p.stale {
			state = "moi"
		}
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<hoSo ma="%s"><trangThai>%s</trangThai><soTep>%d</soTep></hoSo>`, id, state, files)
	})
	// The receipts listing, in thongsuot's form, for the zero_loss objective.
	mux.HandleFunc("GET /ops/receipts", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		defer p.mu.Unlock()
		type receipt struct {
			ID string `json:"id"`
		}
		out := struct {
			Receipts  []receipt `json:"receipts"`
			NextAfter *int      `json:"next_after"`
		}{Receipts: []receipt{}}
		if r.URL.Query().Get("after") == "" || r.URL.Query().Get("after") == "0" {
			for id := range p.cases {
				out.Receipts = append(out.Receipts, receipt{id})
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}

// foreignScenario walks the foreign portal: log in with a form (XML answer: a token
// captured by regex, the CSRF token from a cookie), open a case (JSON: its ID captured
// by JSON path, fields checked, the receipt recorded), attach a file to it (multipart,
// both captures used), read its status (XML, checked against the captured ID).
const foreignScenario = `version: 1
name: foreign-portal
description: A provincial portal with an API unlike the reference's, walked by a YAML journey.
clock: {start: 2025-07-01 08:00, end: +12m, compress: 60}
load:
  baseline: 8/s
  users: 0
  timeout: 3s
  population: {citizens: 200}

journeys:
  - name: nop-ho-so
    description: log in, open a case, attach a scan, read the case's status
    data: accounts.csv
    steps:
      - name: login
        method: POST
        url: /tai-khoan/dang-nhap
        form: {ten_dang_nhap: "{{ data.user }}", mat_khau: "{{ data.password }}"}
        capture:
          token: {regex: "<ma_xac_thuc>([0-9a-f]+)</ma_xac_thuc>"}
          csrf: {cookie: csrftoken}
        check: {status: [200], body_contains: "ma=\"{{ data.user }}\""}
      - name: open
        url: /ho-so
        headers: {X-Auth-Token: "{{ token }}", X-CSRFToken: "{{ csrf }}"}
        json:
          thu_tuc: "{{ choice 1.001 2.002 3.003 }}"
          don_vi: "{{ vu.commune }}"
          nguoi_nop: {ho_ten: "{{ vi_name }}", so_dinh_danh: "{{ vu.id }}"}
          ma_yeu_cau: "{{ uuid }}"
        capture:
          case_id: {json: ket_qua.ma_ho_so}
        check:
          status: [200]
          json: {ket_qua.trang_thai: moi, ket_qua.don_vi: "{{ vu.commune }}"}
        receipt: "{{ case_id }}"
      - name: attach
        url: /ho-so/{{ case_id }}/tep
        headers: {X-Auth-Token: "{{ token }}", X-CSRFToken: "{{ csrf }}"}
        upload: {field: tep, filename: don.pdf, content_type: application/pdf, size: 16KiB}
        check: {status: [201], body_contains: "ho_so=\"{{ case_id }}\""}
      - name: status
        url: /ho-so/{{ case_id }}
        query: {fmt: xml}
        headers: {X-Auth-Token: "{{ token }}"}
        think: 20ms
        check:
          status: [200]
          body_contains: ["<hoSo ma=\"{{ case_id }}\">", "<trangThai>dang_xu_ly</trangThai>", "<soTep>1</soTep>"]

mix:
  - {journey: nop-ho-so, weight: 1, think: 50ms}

sut:
  portal:
    url: %s
    receipts: {path: /ops/receipts, auth: none}

slos:
  window: 1m
  min_requests: 3
  objectives:
    - {name: availability, kind: availability, target: 99%%}
    - {name: checks hold, kind: checks, target: 99.5%%}
    - {name: login p95, kind: latency, class: nop-ho-so.login, percentile: 95, max: 1s}
    - {name: status checks, kind: checks, class: nop-ho-so.status, target: 100%%}
    - {name: no case lost, kind: zero_loss}
`

// A QA engineer's own portal, unlike ours in every way the API can be, is walked by a
// journey written in the scenario alone — through sut.portal.url, a local toxiproxy in
// front — and judged: every step is its own class with its own metrics, every check
// held, each captured token and ID was accepted by the steps that used them (the
// portal refuses a wrong one), and every case the portal acknowledged is in its listing.
func TestRunWalksAForeignPortalWithAYAMLJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 12 s of load")
	}
	portal := newForeignPortal()
	srv := httptest.NewServer(portal.handler())
	defer srv.Close()
	dir := t.TempDir()
	var accounts strings.Builder
	accounts.WriteString("user,password\n")
	for i := range 40 {
		fmt.Fprintf(&accounts, "cd%03d,mk-cd%03d\n", i, i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte(accounts.String()), 0o644))
	path := filepath.Join(dir, "foreign.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(foreignScenario, srv.URL)), 0o644))

	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", out, "-q")
	sum := requireNothingFailed(t, code, stdout, stderr, out)
	assert.Equal(t, "url "+srv.URL, sum.SUT["portal"])
	byClass := map[string]int64{}
	for _, c := range sum.Classes {
		t.Logf("%-18s sent %4d  codes %v  p95 %.1f ms  checks failed %d", c.Class, c.Sent, c.Codes, c.P95, c.ChecksFailed)
		byClass[c.Class] = c.Sent
		assert.Zero(t, c.ChecksFailed, "%s: checks failed", c.Class)
		assert.Zero(t, c.Failed, c.Class)
	}
	for _, step := range []string{"login", "open", "attach", "status"} {
		assert.Positive(t, byClass["nop-ho-so."+step], "step %s sent", step)
	}
	assert.Empty(t, portal.bad, "the portal refused nothing: tokens, cookies, CSRF and IDs were right")
	for _, o := range sum.Objectives {
		if o.Kind == "checks" {
			assert.Positive(t, o.Evaluated, "%s judged windows", o.Name)
		}
	}
	require.NotNil(t, sum.Reconciliation)
	assert.Empty(t, sum.Reconciliation.Error)
	assert.Positive(t, sum.Reconciliation.Acknowledged)
	assert.Empty(t, sum.Reconciliation.Missing)
	assert.Equal(t, byClass["nop-ho-so.open"], int64(sum.Reconciliation.Acknowledged), "every case opened was recorded")
}

// The same portal with a status page that lags — every case still reads "moi" — answers
// 200 to everything: availability holds, and the checks objective on the status class
// fails the run, naming why in the journal.
func TestRunFailsAForeignPortalsChecks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 6 s of load")
	}
	portal := newForeignPortal()
	portal.stale = true
	srv := httptest.NewServer(portal.handler())
	defer srv.Close()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.csv"), []byte("user,password\ncd001,mk-cd001\ncd002,mk-cd002\n"), 0o644))
	path := filepath.Join(dir, "foreign.yaml")
	text := strings.Replace(fmt.Sprintf(foreignScenario, srv.URL), "end: +12m", "end: +6m", 1)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))

	out := filepath.Join(t.TempDir(), "run")
	code, stdout, stderr := execute(t, "run", path, "--out", out, "-q")
	// A harness saturated on a busy machine cannot blame its failed windows on the
	// system: inconclusive then, never a pass.
	require.Contains(t, []int{slo.ExitFail, slo.ExitInconclusive}, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	sum := readSummary(t, out)
	status := map[string]slo.Outcome{}
	for _, o := range sum.Objectives {
		status[o.Name] = o
	}
	for _, name := range []string{"status checks", "checks hold"} {
		if code == slo.ExitFail {
			assert.Equal(t, slo.StatusFailed, status[name].Status, name)
		}
		assert.NotEqual(t, slo.StatusMet, status[name].Status, name)
	}
	assert.NotEqual(t, slo.StatusFailed, status["availability"].Status, "every answer was a 200")
	for _, c := range sum.Classes {
		if c.Class == "nop-ho-so.status" {
			assert.Equal(t, c.Sent, c.ChecksFailed, "every status page failed its check")
			assert.Positive(t, c.Sent)
		} else {
			assert.Zero(t, c.ChecksFailed, c.Class)
		}
	}
	rec, err := journal.Read(out)
	require.NoError(t, err)
	why := 0
	for _, w := range rec.Windows {
		why += int(w.Errors[`check failed: the body does not contain "<trangThai>dang_xu_ly</trangThai>"`])
	}
	assert.Positive(t, why, "the journal says why")
}

// The example docs/journeys.md and README point to is a valid scenario, and the test
// above runs the same journey.
func TestTheJourneysExampleIsValid(t *testing.T) {
	code, stdout, stderr := execute(t, "validate", filepath.Join("..", "..", "examples", "journeys", "provincial-portal.yaml"))
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "journeys", "provincial-portal.yaml"))
	require.NoError(t, err)
	steps := func(s string) string { return s[strings.Index(s, "    steps:"):strings.Index(s, "\nmix:")] }
	norm := func(s string) string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			if line = strings.TrimRight(line, " "); line != "" && !strings.Contains(line, "think: ") {
				out = append(out, line)
			}
		}
		return strings.Join(out, "\n")
	}
	assert.Equal(t, norm(steps(foreignScenario)), norm(steps(string(example))), "the example's steps are the tested ones")
}
