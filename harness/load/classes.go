package load

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/units"
)

// request fills in the request of one arrival. n numbers the arrivals of its class;
// every choice an arrival makes is drawn from pick(n, …) so that a seed reproduces it.
type request func(tgt *vegeta.Target, n uint64, env *env) error

// env is what requests draw on: where to send, who sends, what to ask for.
type env struct {
	ep    Endpoints
	setup *Setup
	seed  uint64
	pop   *Population // nil: every request goes to ep.Portal
	tier  string      // the flow's tier ("" = any)
}

// portal is the portal's base URL for arrival n: over the link tier of the unit the
// arrival's user is drawn from, when the runtime has a URL for that tier.
func (e *env) portal(n uint64) string {
	if e.pop == nil || len(e.ep.Tiers) == 0 {
		return e.ep.Portal
	}
	if i := e.pop.Pick(e.pick(n, 5), e.tier); i >= 0 {
		if u, ok := e.ep.unitPortal(e.pop, i); ok {
			return u
		}
	}
	return e.ep.Portal
}

// requests maps each class of the schema (scenarios.Classes) to its request.
var requests = map[string]request{
	"catalogue": func(tgt *vegeta.Target, n uint64, e *env) error {
		search := searchPaths[e.pick(n, 1)%uint64(len(searchPaths))]
		tgt.Method, tgt.URL = http.MethodGet, e.portal(n)+search
		return nil
	},
	"login": func(tgt *vegeta.Target, n uint64, e *env) error {
		tgt.Method, tgt.URL, tgt.Header, tgt.Body = e.tokens().Login(e.user(n).ID)
		tgt.URL = e.ep.overTier(tgt.URL, e.unitTier(n)) // over the user's tier (tier.go)
		return nil
	},
	"submit": func(tgt *vegeta.Target, n uint64, e *env) error {
		u := e.user(n)
		proc := e.setup.Procedures[e.pick(n, 2)%uint64(len(e.setup.Procedures))]
		tgt.Method, tgt.URL = http.MethodPost, e.portal(n)+"/api/v1/dossiers"
		tgt.Body = dossierBody(proc, unitFor(e.pick(n, 3)), u.ID)
		tgt.Header = http.Header{
			"Authorization":   {"Bearer " + e.bearer(u)},
			"Content-Type":    {"application/json"},
			"Idempotency-Key": {fmt.Sprintf("s%d-%d", e.seed, n)},
		}
		return nil
	},
	"status": func(tgt *vegeta.Target, n uint64, e *env) error {
		u := e.user(n)
		tgt.Method, tgt.URL = http.MethodGet, e.portal(n)+"/api/v1/dossiers/"+url.PathEscape(u.Dossier)
		tgt.Header = http.Header{"Authorization": {"Bearer " + e.bearer(u)}}
		return nil
	},
}

// Search terms citizens type into the catalogue: the procedures that moved to communes.
var searchTerms = []string{"khai sinh", "khai tử", "thường trú", "tạm trú", "kết hôn", "bảo hiểm y tế", "chứng thực", "hộ kinh doanh", "đất đai", "trợ cấp mai táng"}

// searchPaths are the catalogue searches for searchTerms, escaped once rather than per request.
var searchPaths = func() []string {
	p := make([]string, len(searchTerms))
	for i, t := range searchTerms {
		p[i] = "/api/v1/procedures?q=" + url.QueryEscape(t)
	}
	return p
}()

func (e *env) user(n uint64) User {
	return e.setup.Users[e.pick(n, 0)%uint64(len(e.setup.Users))]
}

// pick is a deterministic random number for arrival n's draw number k.
func (e *env) pick(n, k uint64) uint64 {
	return splitmix64(e.seed ^ splitmix64(n<<4|k))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unitFor picks a commune-level unit: since 1 July a procedure can be filed at any unit.
func unitFor(r uint64) string {
	all := units.All()
	return all[r%uint64(len(all))].Code
}

func dossierBody(procedure, unit, applicant string) []byte {
	b, _ := json.Marshal(map[string]any{
		"procedure_code": procedure,
		"unit_code":      unit,
		"form":           map[string]string{"applicant_id": applicant},
	})
	return b
}
