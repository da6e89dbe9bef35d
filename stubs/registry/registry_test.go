package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/knobs"
)

// The credentials newServer gives the registry unless the test sets its own.
const (
	portalToken = "portal-secret"
	adminToken  = "admin-secret"
)

func newServer(t *testing.T, cfg Config) (*Server, *census.Census) {
	t.Helper()
	if cfg.Census == nil {
		cfg.Census = census.New(1, 1000)
	}
	if cfg.ClientToken == "" {
		cfg.ClientToken = portalToken
	}
	if cfg.AdminToken == "" {
		cfg.AdminToken = adminToken
	}
	s, err := New(cfg)
	require.NoError(t, err)
	return s, cfg.Census
}

// call sends a request with the credential its path needs — the harness's on
// /admin/, the portal's elsewhere — unless hdr sets Authorization itself.
func call(t *testing.T, h http.Handler, method, path, body string, hdr ...string) (int, map[string]any, http.Header) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+portalToken)
	if strings.HasPrefix(path, "/admin/") {
		r.Header.Set("Authorization", "Bearer "+adminToken)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out, w.Header()
}

func TestPopulationContract(t *testing.T) {
	s, pop := newServer(t, Config{})
	c := pop.Citizen(7)
	code, body, _ := call(t, s, http.MethodGet, "/population/v1/citizens/"+c.PersonalID, "")
	require.Equal(t, http.StatusOK, code)
	for _, k := range []string{"personal_id", "full_name", "birth_date", "sex", "province_code"} {
		assert.NotEmpty(t, body[k], k)
	}
	assert.Equal(t, c.FullName, body["full_name"])
	code, body, _ = call(t, s, http.MethodGet, "/population/v1/citizens/001099999999", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.NotEmpty(t, body["error"])
}

func TestEveryRegistryServesDeterministicRecords(t *testing.T) {
	a, pop := newServer(t, Config{})
	b, _ := newServer(t, Config{})
	id := pop.Citizen(42).PersonalID
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			code, ra, _ := call(t, a, http.MethodGet, "/"+name+"/v1/citizens/"+id, "")
			require.Equal(t, http.StatusOK, code)
			_, rb, _ := call(t, b, http.MethodGet, "/"+name+"/v1/citizens/"+id, "")
			assert.Equal(t, ra, rb)
			assert.Equal(t, id, ra["personal_id"])
		})
	}
}

func TestWritesAreIdempotent(t *testing.T) {
	s, pop := newServer(t, Config{})
	dead, heir := pop.Citizen(1).PersonalID, pop.Citizen(2).PersonalID
	tests := []struct {
		name, path, body, key string
		code                  int
	}{
		{"personal id", "/population/v1/personal-ids", `{"applicant_id":"` + heir + `","sex":"female","unit_code":"00004"}`, "p1", 201},
		{"population death", "/population/v1/deaths", `{"personal_id":"` + dead + `","applicant_id":"` + heir + `","unit_code":"00004"}`, "p2", 201},
		{"birth", "/civil-status/v1/births", `{"child_name":"Nguyễn Văn An","sex":"male","unit_code":"00004"}`, "b1", 201},
		{"death", "/civil-status/v1/deaths", `{"personal_id":"` + dead + `","unit_code":"00004"}`, "d1", 201},
		{"residence", "/residence/v1/permanent-registrations", `{"personal_id":"001225000001","unit_code":"00004"}`, "r1", 201},
		{"removal", "/residence/v1/removals", `{"personal_id":"` + dead + `","unit_code":"00004"}`, "x1", 201},
		{"card", "/health-insurance/v1/cards", `{"personal_id":"001225000001","unit_code":"00004"}`, "c1", 201},
		{"funeral", "/social-insurance/v1/funeral-allowances", `{"personal_id":"` + dead + `","beneficiary_id":"` + heir + `","unit_code":"00004"}`, "f1", 201},
		{"no key", "/civil-status/v1/deaths", `{"personal_id":"` + dead + `","unit_code":"00004"}`, "", 400},
		{"unknown person", "/civil-status/v1/deaths", `{"personal_id":"001099999999","unit_code":"00004"}`, "d2", 422},
		{"unknown unit", "/civil-status/v1/deaths", `{"personal_id":"` + dead + `","unit_code":"99999"}`, "d3", 422},
		{"malformed", "/civil-status/v1/deaths", `{"personal_id":`, "d4", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, first, _ := call(t, s, http.MethodPost, tt.path, tt.body, "Idempotency-Key", tt.key)
			require.Equal(t, tt.code, code, first)
			if code != 201 {
				return
			}
			code, again, hdr := call(t, s, http.MethodPost, tt.path, tt.body, "Idempotency-Key", tt.key)
			require.Equal(t, 201, code)
			assert.Equal(t, first, again)
			assert.Equal(t, "true", hdr.Get("Idempotent-Replayed"))
		})
	}
	ledger := s.Ledger()
	assert.Len(t, ledger, 8)
	for _, e := range ledger {
		assert.Equal(t, 2, e.Requests, e.Kind)
	}
}

func TestKnobsPerRegistry(t *testing.T) {
	s, pop := newServer(t, Config{Knobs: map[string]knobs.Settings{Population: {Down: true}}, AdminToken: "secret"})
	noCredential := []string{"Authorization", ""}
	id := pop.Citizen(3).PersonalID
	code, _, _ := call(t, s, http.MethodGet, "/population/v1/citizens/"+id, "")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	code, _, _ = call(t, s, http.MethodGet, "/tax/v1/citizens/"+id, "")
	assert.Equal(t, http.StatusOK, code, "other registries unaffected")

	code, _, _ = call(t, s, http.MethodPatch, "/admin/v1/knobs/population", `{"down":false}`, noCredential...)
	assert.Equal(t, http.StatusUnauthorized, code, "admin needs the token")
	code, _, _ = call(t, s, http.MethodPatch, "/admin/v1/knobs/population", `{"down":false}`, "Authorization", "Bearer secret")
	require.Equal(t, http.StatusOK, code)
	code, _, _ = call(t, s, http.MethodGet, "/population/v1/citizens/"+id, "")
	assert.Equal(t, http.StatusOK, code)

	code, body, _ := call(t, s, http.MethodGet, "/admin/v1/knobs", "", "Authorization", "Bearer secret")
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, body, len(Names))
	code, _, _ = call(t, s, http.MethodPut, "/admin/v1/knobs/nope", `{}`, "Authorization", "Bearer secret")
	assert.Equal(t, http.StatusNotFound, code)
	code, _, _ = call(t, s, http.MethodPut, "/admin/v1/knobs/tax", `{"error_rate":2}`, "Authorization", "Bearer secret")
	assert.Equal(t, http.StatusBadRequest, code)
}

// TestEveryAdminAndPersonalDataRouteNeedsItsCredential: the personal records and
// the bundles' writes answer only the portal's credential, the knobs and the
// ledger only the harness's; without one, or with the other, 401. NoAuth opens all.
func TestEveryAdminAndPersonalDataRouteNeedsItsCredential(t *testing.T) {
	pop := census.New(1, 1000)
	id, other := pop.Citizen(4).PersonalID, pop.Citizen(5).PersonalID
	type route struct {
		method, path, body string
		admin              bool
		code               int
	}
	var routes []route
	for _, name := range Names {
		routes = append(routes, route{http.MethodGet, "/" + name + "/v1/citizens/" + id, "", false, http.StatusOK})
	}
	unit := `"unit_code":"00004"`
	for path, body := range map[string]string{
		"/population/v1/personal-ids":             `{"applicant_id":"` + id + `","sex":"female",` + unit + `}`,
		"/population/v1/deaths":                   `{"personal_id":"` + other + `","applicant_id":"` + id + `",` + unit + `}`,
		"/civil-status/v1/births":                 `{"child_name":"An","sex":"male",` + unit + `}`,
		"/civil-status/v1/deaths":                 `{"personal_id":"` + other + `",` + unit + `}`,
		"/residence/v1/permanent-registrations":   `{"personal_id":"` + id + `",` + unit + `}`,
		"/residence/v1/removals":                  `{"personal_id":"` + other + `",` + unit + `}`,
		"/health-insurance/v1/cards":              `{"personal_id":"` + id + `",` + unit + `}`,
		"/social-insurance/v1/funeral-allowances": `{"personal_id":"` + other + `","beneficiary_id":"` + id + `",` + unit + `}`,
	} {
		routes = append(routes, route{http.MethodPost, path, body, false, http.StatusCreated})
	}
	routes = append(routes,
		route{http.MethodGet, "/admin/v1/knobs", "", true, http.StatusOK},
		route{http.MethodGet, "/admin/v1/knobs/tax", "", true, http.StatusOK},
		route{http.MethodPut, "/admin/v1/knobs/tax", `{"capacity":8}`, true, http.StatusOK},
		route{http.MethodPatch, "/admin/v1/knobs/tax", `{"capacity":4}`, true, http.StatusOK},
		route{http.MethodPost, "/admin/v1/knobs/reset", "", true, http.StatusNoContent},
		route{http.MethodGet, "/admin/v1/ledger", "", true, http.StatusOK},
		route{http.MethodGet, "/admin/v1/ledger?registry=population", "", true, http.StatusOK},
	)
	s, _ := newServer(t, Config{Census: pop})
	open, _ := newServer(t, Config{Census: pop, NoAuth: true})
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			right, wrong := "Bearer "+portalToken, "Bearer "+adminToken
			if rt.admin {
				right, wrong = wrong, right
			}
			for _, bad := range []string{"", wrong, "Bearer", right + "x"} {
				code, body, hdr := call(t, s, rt.method, rt.path, rt.body, "Authorization", bad, "Idempotency-Key", "k-"+rt.path)
				assert.Equal(t, http.StatusUnauthorized, code, "%q: %v", bad, body)
				assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
			}
			code, body, _ := call(t, s, rt.method, rt.path, rt.body, "Authorization", right, "Idempotency-Key", "k-"+rt.path)
			assert.Equal(t, rt.code, code, body)
			code, body, _ = call(t, open, rt.method, rt.path, rt.body, "Authorization", "", "Idempotency-Key", "k-"+rt.path)
			assert.Equal(t, rt.code, code, "NoAuth: %v", body)
		})
	}
}

func TestCredentialsAreMadeUpWhenNotGiven(t *testing.T) {
	a, err := New(Config{Census: census.New(1, 10)})
	require.NoError(t, err)
	b, err := New(Config{Census: census.New(1, 10)})
	require.NoError(t, err)
	assert.Len(t, a.AdminToken(), 64)
	assert.Len(t, a.ClientToken(), 64)
	assert.NotEqual(t, a.AdminToken(), a.ClientToken())
	assert.NotEqual(t, a.AdminToken(), b.AdminToken(), "random, not a well-known default")
	open, err := New(Config{Census: census.New(1, 10), NoAuth: true})
	require.NoError(t, err)
	assert.Empty(t, open.AdminToken())
}

func TestGarbageIsNever5xx(t *testing.T) {
	s, _ := newServer(t, Config{})
	bodies := []string{"", "null", "[]", `{"personal_id":1}`, `{"unit_code":"00004","applicant_id":null}`, "\xff\xfe", "{" + strings.Repeat(`"a":"b",`, 1000) + `"z":"z"}`}
	paths := []string{"/population/v1/citizens/%00", "/population/v1/citizens/" + strings.Repeat("9", 500), "/civil-status/v1/births",
		"/population/v1/personal-ids", "/social-insurance/v1/funeral-allowances", "/land/v1/citizens/abc", "/nope", "/admin/v1/knobs/population"}
	for _, p := range paths {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch} {
			for _, b := range bodies {
				code, body, _ := call(t, s, m, p, b, "Idempotency-Key", "k")
				assert.Less(t, code, 500, "%s %s %q: %v", m, p, b, body)
			}
		}
	}
}
