package load

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The citizens' journeys. Each one signs in through the identity provider first (since
// 1 July the portal takes VNeID logins only: calibration F5).
func init() {
	walks["citizen-dossier"] = citizenDossier
	walks["citizen-lookup"] = citizenLookup
	walks["birth-bundle"] = bundle("LT.KS-TT-BHYT", "khai sinh")
	walks["death-bundle"] = bundle("LT.KT-XTT-MT", "khai tử")
}

// assumption: a scanned attachment of 64 KiB (one compressed page); the link tiers'
// bandwidth faults make its size matter.
const scanSize = 64 << 10

// scan is the attachment every upload sends: a PDF header and deterministic filler.
var scan = func() []byte {
	b := make([]byte, scanSize)
	copy(b, "%PDF-1.4\n% thongsuot scan\n")
	for i := 32; i < len(b); i++ {
		b[i] = byte(splitmix64(uint64(i)) % 251)
	}
	return b
}()

// citizen is the personal ID of the citizen walking arrival w.
func (w *walk) citizen() string {
	ids := w.x.env.setup.Citizens
	if len(ids) == 0 {
		if len(w.x.env.setup.Users) == 0 {
			return "001095000001"
		}
		return w.x.env.setup.Users[w.pick(2)%uint64(len(w.x.env.setup.Users))].ID
	}
	return ids[w.pick(2)%uint64(len(ids))]
}

// login signs in at the token endpoint (a password grant at the identity provider, as
// the reference takes it): a journey is a session of its own, so its token is not the
// one set-up holds.
func (w *walk) login(username string) bool {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	var c hit
	c.method, c.url, c.header, c.body = w.x.env.tokens().Login(username)
	c.url = w.x.env.ep.overTier(c.url, w.tier()) // over the user's tier (tier.go)
	ok := w.doJSON("login", c, &tok)
	w.token = tok.AccessToken
	return ok && w.token != ""
}

func (w *walk) get(step, path string, out any) bool {
	h := http.Header{}
	if w.token != "" {
		h.Set("Authorization", "Bearer "+w.token)
	}
	return w.doJSON(step, hit{method: http.MethodGet, url: w.base + path, header: h}, out)
}

func (w *walk) post(step, path string, body any, h http.Header, out any) bool {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Authorization", "Bearer "+w.token)
	var data []byte
	switch b := body.(type) {
	case []byte:
		data = b
	default:
		data, _ = json.Marshal(b)
		h.Set("Content-Type", "application/json")
	}
	return w.doJSON(step, hit{method: http.MethodPost, url: w.base + path, header: h, body: data}, out)
}

func (w *walk) searchTerm(k uint64) string {
	return searchTerms[w.pick(k)%uint64(len(searchTerms))]
}

// idempotencyKey is the same for the same seed, flow and arrival: a retried run files
// no duplicates, another seed files new dossiers.
func (w *walk) idempotencyKey() string {
	return fmt.Sprintf("j%d-%s-%d", w.x.env.seed, w.f.Name, w.n)
}

// poll reads the dossier's status as often as the journey's status step repeats.
func (w *walk) poll(id string) {
	st, _ := w.f.Journey.Step("status")
	for range st.Repeat {
		if !w.get("status", "/api/v1/dossiers/"+url.PathEscape(id), nil) && w.ctx.Err() != nil {
			return
		}
	}
}

func citizenDossier(w *walk) {
	if !w.login(w.citizen()) {
		return
	}
	w.get("catalogue", "/api/v1/procedures?q="+url.QueryEscape(w.searchTerm(3)), nil)
	unit := w.unitCode()
	w.get("unit", "/api/v1/units/"+unit, nil)
	pay, _ := w.f.Journey.Step("pay")
	pays := float64(w.pick(4)>>11)/(1<<53) < pay.Share
	proc, ok := w.procedure(pays)
	if !ok {
		return
	}
	var created struct {
		ID  string `json:"id"`
		Fee int64  `json:"fee_vnd"`
	}
	if !w.post("submit", "/api/v1/dossiers", json.RawMessage(dossierBody(proc, unit, w.citizen())),
		http.Header{"Idempotency-Key": {w.idempotencyKey()}}, &created) || created.ID == "" {
		return
	}
	w.x.recent.add(unit)
	id := url.PathEscape(created.ID)
	w.post("upload", "/api/v1/dossiers/"+id+"/attachments?name=scan.pdf", scan, http.Header{"Content-Type": {"application/pdf"}}, nil)
	if pays && created.Fee > 0 {
		w.post("pay", "/api/v1/dossiers/"+id+"/payment", map[string]string{"method": "vnpay"}, nil, nil)
	}
	w.poll(created.ID)
}

// procedure picks the procedure of a dossier, one with a fee when pays; false when the
// portal's catalogue gave none.
func (w *walk) procedure(pays bool) (string, bool) {
	procs := w.x.env.setup.FreeProcedures
	if pays {
		procs = w.x.env.setup.FeeProcedures
	}
	if len(procs) == 0 {
		procs = w.x.env.setup.Procedures
	}
	if len(procs) == 0 {
		return "", false
	}
	return procs[w.pick(5)%uint64(len(procs))], true
}

func citizenLookup(w *walk) {
	// The lookup pages are public: a failed login does not stop the citizen reading them.
	w.login(w.citizen())
	unit := w.unitCode()
	name := ""
	if w.unit >= 0 {
		name = w.x.pop.Units[w.unit].Name
	}
	w.get("units", "/api/v1/units?limit=20&q="+url.QueryEscape(name), nil)
	w.get("unit", "/api/v1/units/"+unit, nil)
	w.get("catalogue", "/api/v1/procedures?q="+url.QueryEscape(w.searchTerm(3)), nil)
}

// bundle is a linked-procedure journey: sign in, find the bundle, file it, poll it.
func bundle(code, term string) func(w *walk) {
	return func(w *walk) {
		applicant := w.citizen()
		if !w.login(applicant) {
			return
		}
		w.get("catalogue", "/api/v1/procedures?q="+url.QueryEscape(term), nil)
		form := map[string]string{}
		now := time.Now()
		if code == "LT.KS-TT-BHYT" {
			form["child_name"] = "Nguyễn Văn An"
			form["child_sex"] = []string{"male", "female"}[w.pick(6)%2]
			form["child_birth_date"] = now.AddDate(0, 0, -int(w.pick(7)%60)-1).Format("2006-01-02")
			form["mother_id"] = applicant
		} else {
			form["deceased_id"] = w.otherCitizen(applicant)
			form["date_of_death"] = now.AddDate(0, 0, -int(w.pick(7)%30)-1).Format("2006-01-02")
		}
		var created struct {
			ID string `json:"id"`
		}
		body := map[string]any{"procedure_code": code, "unit_code": w.unitCode(), "form": form}
		if !w.post("submit", "/api/v1/bundles", body, http.Header{"Idempotency-Key": {w.idempotencyKey()}}, &created) || created.ID == "" {
			return
		}
		w.poll(created.ID)
	}
}

// otherCitizen is a citizen other than id (the deceased of a death bundle).
func (w *walk) otherCitizen(id string) string {
	ids := w.x.env.setup.Citizens
	for k := uint64(8); k < 16 && len(ids) > 1; k++ {
		if c := ids[w.pick(k)%uint64(len(ids))]; c != id {
			return c
		}
	}
	return id
}
