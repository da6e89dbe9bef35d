package load

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journey"
	"github.com/thongsuot/thongsuot/units"
)

// A YAML journey's walk: its compiled steps (harness/journey) sent in order, each the
// request class "<entry>.<step>". A step fails when it gets no answer, an answer its
// checks refuse, an answer without a value it must capture, or — with no status
// check — a status outside 2xx and 3xx; a failed step ends the journey unless it says
// on_failure: continue.

// CheckFailedPrefix starts the error of a response whose step's checks (or captures)
// failed: harness/metrics counts such responses per class, for the checks objective.
const CheckFailedPrefix = "check failed: "

// ReceiptHeader carries, on a response the load hands on, the dossier a step's
// receipt: names, for the reconciliation ledger (harness/reconcile).
const ReceiptHeader = "Thongsuot-Receipt"

// script is a compiled YAML journey and what its walks share.
type script struct {
	prog   *journey.Program
	tokens []*Tokens // by step: a token step's cache, shared by every walk
	secret []string  // by step: a token step's client secret, read from the environment
	pass   []string  // by step: a token step's password from password_env
}

func newScript(p *journey.Program) (*script, error) {
	s := &script{prog: p, tokens: make([]*Tokens, len(p.Steps)), secret: make([]string, len(p.Steps)), pass: make([]string, len(p.Steps))}
	for k, st := range p.Steps {
		t := st.Token
		if t == nil {
			continue
		}
		s.tokens[k] = &Tokens{Grant: t.Grant, ClientID: t.ClientID, Scope: t.Scope}
		var err error
		if s.secret[k], err = secret(fmt.Sprintf("steps[%d].token.client_secret_env", k), t.ClientSecretEnv); err != nil {
			return nil, err
		}
		if s.pass[k], err = secret(fmt.Sprintf("steps[%d].token.password_env", k), t.PasswordEnv); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// walk walks one arrival through the steps.
func (s *script) walk(w *walk) {
	p := s.prog
	v := &journey.Values{Slots: make([]string, len(p.Slots)), Set: make([]bool, len(p.Slots)), Rand: journey.NewRand(w.pick(9))}
	// Which steps this walk takes is drawn first: ref.dossier_procedure depends on it.
	taken := make([]bool, len(p.Steps))
	for k, st := range p.Steps {
		taken[k] = st.Share >= 1 || float64(w.pick(uint64(32+k))>>11)/(1<<53) < st.Share
	}
	w.fill(p, v, taken)
	jar := &walkJar{}
	for k, st := range p.Steps {
		if !taken[k] || st.When != nil && !journey.Truthy(st.When.String(v)) {
			continue
		}
		for range st.Repeat {
			switch s.step(w, k, st, v, jar) {
			case stepNotSent:
				return
			case stepFailed:
				if !st.Continue {
					return
				}
			}
		}
	}
}

type stepOutcome int

const (
	stepOK stepOutcome = iota
	stepFailed
	stepNotSent // the run is ending or was stopped
)

// step sends step k once and takes what it must from the answer.
func (s *script) step(w *walk, k int, st *journey.Step, v *journey.Values, jar *walkJar) stepOutcome {
	think := st.Think
	if think == 0 {
		think = w.f.Think
	}
	var key string
	if st.Token != nil {
		key = st.Token.Username.String(v)
		if st.Token.Grant == "client_credentials" && !st.Token.SUT {
			key = ""
		}
		if !st.Token.NoCache {
			if tok, ok := s.tokens[k].held(key); ok {
				set(v, st.Token.Slot, tok)
				return stepOK // held and fresh: no request, as a browser keeps its token
			}
		}
	}
	if !w.wait(think) {
		return stepNotSent
	}
	h, err := s.request(w, k, st, v)
	h.jar = jar
	h.header = w.unitHeader(h.header) // the unit, for the bytes per province (tier.go)
	class := w.f.Classes[k]
	if err != nil {
		res := &vegeta.Result{Attack: w.x.classes[class], Seq: w.n, Method: st.Method, Timestamp: time.Now(), Error: err.Error()}
		w.sent(k, res)
		return stepFailed
	}
	issued := time.Now()
	res, body := w.x.send(h, w.x.classes[class], w.n)
	outcome := s.answer(w, k, st, v, res, body, key, issued)
	w.sent(k, res)
	return outcome
}

// answer judges a step's answer and takes its captures, marking res when a check fails.
func (s *script) answer(w *walk, k int, st *journey.Step, v *journey.Values, res *vegeta.Result, body []byte, key string, issued time.Time) stepOutcome {
	if res.Code == 0 || res.Code >= 500 {
		return stepFailed // no answer: availability's business, not the checks'
	}
	a := &journey.Answer{Status: int(res.Code), Header: res.Headers, Body: body}
	fail := func(err error) stepOutcome {
		res.Error = CheckFailedPrefix + err.Error()
		return stepFailed
	}
	if err := st.Checks.Verify(a, v); err != nil {
		return fail(err)
	}
	if len(st.Checks.Status) == 0 && (res.Code < 200 || res.Code >= 400) {
		return stepFailed // an error status, already the result's error
	}
	for _, c := range st.Captures {
		val, err := c.Extract(a, v.Rand)
		switch {
		case err != nil && c.Optional:
			v.Slots[c.Slot], v.Set[c.Slot] = "", false // not a value an earlier repeat left
		case err != nil:
			return fail(err)
		default:
			set(v, c.Slot, val)
		}
	}
	if st.Token != nil {
		var tok string
		var err error
		if st.Token.NoCache {
			tok, _, err = accessToken(body)
		} else {
			tok, err = s.tokens[k].hold(key, body, issued)
		}
		if err != nil {
			return fail(fmt.Errorf("token: %w", err))
		}
		set(v, st.Token.Slot, tok)
	}
	if st.Receipt != nil {
		if id := st.Receipt.String(v); id != "" {
			if res.Headers == nil {
				res.Headers = http.Header{}
			}
			res.Headers.Set(ReceiptHeader, id)
			if st.MarksUnit {
				w.x.recent.add(w.unitCode())
			}
		}
	}
	return stepOK
}

func set(v *journey.Values, slot int, val string) {
	if slot >= 0 {
		v.Slots[slot], v.Set[slot] = val, true
	}
}

// request makes step k's request from the walk's values.
func (s *script) request(w *walk, k int, st *journey.Step, v *journey.Values) (hit, error) {
	h := hit{method: st.Method, timeout: st.Timeout}
	buf := make([]byte, 0, 128)
	switch st.Target {
	case "portal":
		buf = append(buf, strings.TrimSuffix(w.base, "/")...)
	case "identity":
		// Over the user's tier, as every request of theirs goes (tier.go).
		buf = append(buf, strings.TrimSuffix(w.x.env.ep.overTier(w.x.env.ep.Identity, w.tier()), "/")...)
	}
	buf = st.URL.Append(buf, v)
	if len(st.Query) > 0 {
		sep := byte('?')
		if bytes.IndexByte(buf, '?') >= 0 {
			sep = '&'
		}
		for _, q := range st.Query {
			buf = append(buf, sep)
			buf = append(buf, q.Name...)
			buf = append(buf, '=')
			buf = q.Value.Append(buf, v)
			sep = '&'
		}
	}
	h.url = string(buf)
	h.header = make(http.Header, len(st.Headers)+1)
	for _, f := range st.Headers {
		if unset(f.Value, v) {
			continue // names a capture the walk does not have: its step failed and it went on
		}
		h.header[f.Name] = []string{f.Value.String(v)}
	}
	contentType := ""
	switch st.Body {
	case journey.BodyJSON:
		h.body, contentType = st.JSON.Append(make([]byte, 0, 256), v), "application/json"
	case journey.BodyRaw:
		h.body = st.Raw.Append(nil, v)
	case journey.BodyForm:
		h.body, contentType = []byte(form(st.Form, v).Encode()), "application/x-www-form-urlencoded"
	case journey.BodyUpload:
		var err error
		if h.body, contentType, err = upload(st, v); err != nil {
			return h, err
		}
	}
	if st.Token != nil && st.Token.SUT {
		method, u, header, body := w.x.env.tokens().Login(st.Token.Username.String(v))
		h.method, h.url, h.body = method, u, body
		for name, vals := range header {
			h.header[name] = vals
		}
	} else if st.Token != nil {
		f := url.Values{"grant_type": {st.Token.Grant}, "client_id": {st.Token.ClientID}}
		if sec := s.secret[k]; sec != "" {
			f.Set("client_secret", sec)
		}
		if st.Token.Scope != "" {
			f.Set("scope", st.Token.Scope)
		}
		if st.Token.Grant != "client_credentials" {
			f.Set("username", st.Token.Username.String(v))
			pass := st.Token.Password.String(v)
			if s.pass[k] != "" {
				pass = s.pass[k]
			} else if pass == "" {
				pass = anyPassword
			}
			f.Set("password", pass)
		}
		h.body, contentType = []byte(f.Encode()), "application/x-www-form-urlencoded"
	}
	if contentType != "" && h.header.Get("Content-Type") == "" {
		h.header.Set("Content-Type", contentType)
	}
	return h, nil
}

// walkJar is a walk's cookies, as a browser keeps them: the jar is made when the
// first answer sets a cookie, so a journey whose portal sets none pays nothing.
type walkJar struct{ jar *cookiejar.Jar }

func (j *walkJar) Cookies(u *url.URL) []*http.Cookie {
	if j.jar == nil {
		return nil
	}
	return j.jar.Cookies(u)
}

func (j *walkJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	if j.jar == nil {
		j.jar, _ = cookiejar.New(nil) // no options: cannot fail
	}
	j.jar.SetCookies(u, cookies)
}

// unset says whether t names a variable the walk has no value for.
func unset(t *journey.Template, v *journey.Values) bool {
	if t.IsStatic() {
		return false
	}
	for _, slot := range t.Slots() {
		if !v.Set[slot] {
			return true
		}
	}
	return false
}

func form(fields []journey.Field, v *journey.Values) url.Values {
	out := make(url.Values, len(fields))
	for _, f := range fields {
		out.Set(f.Name, f.Value.String(v))
	}
	return out
}

// upload is an upload step's body: the file raw, or in a multipart form with the step's
// form fields.
func upload(st *journey.Step, v *journey.Values) ([]byte, string, error) {
	u := st.Upload
	if u.Field == "" {
		return u.Content, u.ContentType, nil
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range st.Form {
		if err := mw.WriteField(f.Name, f.Value.String(v)); err != nil {
			return nil, "", err
		}
	}
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, u.Field, u.Filename))
	hdr.Set("Content-Type", u.ContentType)
	part, err := mw.CreatePart(hdr)
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(u.Content); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), mw.FormDataContentType(), nil
}

// fill gives the walk's own variables their values: those the steps read.
func (w *walk) fill(p *journey.Program, v *journey.Values, taken []bool) {
	ids := w.x.env.setup.Citizens
	index := 0
	id := w.citizen()
	if len(ids) > 0 {
		index = int(w.pick(2) % uint64(len(ids)))
	}
	// Officials work where there is work: an official's walk moves to a unit that
	// recently received dossiers (a unit's queue is where its dossiers land), before
	// any variable names the unit.
	if k := p.Slot("ref.recent_official"); k >= 0 && p.Used[k] {
		if c, ok := w.x.recent.pick(w.pick(3)); ok {
			w.setUnit(c, w.f.Tier)
		}
	}
	var unit units.Unit
	if w.unit >= 0 {
		unit = w.x.pop.Units[w.unit]
	} else if u, ok := units.Lookup(w.unitCode()); ok {
		unit = u
	}
	tier := ""
	if w.unit >= 0 {
		tier = w.x.pop.Tiers[w.unit]
	}
	for i, name := range p.Slots {
		if !p.Used[i] {
			continue
		}
		val, ok := "", true
		switch name {
		case "vu.id":
			val = id
		case "vu.index":
			val = strconv.Itoa(index)
		case "vu.commune":
			val = unit.Code
		case "vu.commune_name":
			val = unit.Name
		case "vu.province":
			val = unit.ProvinceCode
		case "vu.province_name":
			val = unit.ProvinceName
		case "vu.tier":
			val = tier
		case "journey.n":
			val = strconv.FormatUint(w.n, 10)
		case "journey.key":
			val = w.idempotencyKey()
		case "run.seed":
			val = strconv.FormatUint(w.x.env.seed, 10)
		case "ref.procedure":
			val = w.pickOf(w.x.env.setup.Procedures, 5)
		case "ref.dossier_procedure":
			pays := false
			for k, st := range p.Steps {
				pays = pays || st.Name == "pay" && taken[k]
			}
			val, _ = w.procedure(pays)
		case "ref.free_procedure":
			val, _ = w.procedure(false)
		case "ref.fee_procedure":
			val, _ = w.procedure(true)
		case "ref.other_citizen":
			val = w.otherCitizen(id)
		case "ref.official":
			val = fmt.Sprintf("cb.%s.%d", unit.Code, 1+w.pick(4)%officialsPerUnit)
		case "ref.recent_official":
			val = fmt.Sprintf("cb.%s.%d", unit.Code, 1+w.pick(4)%officialsPerUnit)
		case "ref.search":
			val = w.searchTerm(3)
		default:
			if col, isData := strings.CutPrefix(name, "data."); isData && p.Data != nil {
				val = dataValue(p.Data, index, col)
			} else {
				ok = false // a capture: set by its step
			}
		}
		if ok {
			v.Slots[i], v.Set[i] = val, true
		}
	}
}

func dataValue(d *journey.Data, row int, col string) string {
	r := d.Row(row)
	for i, c := range d.Columns {
		if c == col && i < len(r) {
			return r[i]
		}
	}
	return ""
}

// pickOf is one of list, drawn by draw k; "" for none.
func (w *walk) pickOf(list []string, k uint64) string {
	if len(list) == 0 {
		return ""
	}
	return list[w.pick(k)%uint64(len(list))]
}

// NeedsReference says whether the plan needs the reference portal's set-up before it
// runs (Prepare: users signed in, the catalogue read): single classes, replays and Go
// walks do, and YAML journeys that read ref.* variables; other YAML journeys do not.
func (p *Plan) NeedsReference() bool {
	for _, f := range p.Flows {
		if f.Journey == nil || f.Journey.script == nil || f.Journey.script.prog.Setup {
			return true
		}
	}
	return false
}
