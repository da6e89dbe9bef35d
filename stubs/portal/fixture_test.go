package portal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// world is a portal with real identity and registry servers on loopback.
type world struct {
	t        testing.TB
	pop      *census.Census
	idp      *identity.Server
	reg      *registry.Server
	portal   *Server
	url      string
	idURL    string
	regURL   string
	cfg      Config
	shutdown func()
}

func newWorld(t testing.TB, tweak func(*Config)) *world {
	t.Helper()
	w := &world{t: t, pop: census.New(7, 2000)}
	var err error
	w.idp, err = identity.New(identity.Config{Census: w.pop})
	require.NoError(t, err)
	w.reg, err = registry.New(registry.Config{Census: w.pop})
	require.NoError(t, err)
	idSrv, regSrv := httptest.NewServer(w.idp), httptest.NewServer(w.reg)
	t.Cleanup(idSrv.Close)
	t.Cleanup(regSrv.Close)
	w.idURL, w.regURL = idSrv.URL, regSrv.URL
	w.cfg = Config{DataDir: t.TempDir(), IdentityURL: idSrv.URL, RegistryURL: regSrv.URL, RegistryToken: w.reg.ClientToken(),
		RegistryTimeout: 300 * time.Millisecond, BreakerCooldown: 200 * time.Millisecond,
		OutboxPoll: 10 * time.Millisecond, RetryBase: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond,
		JWKSRefresh: 10 * time.Millisecond}
	if tweak != nil {
		tweak(&w.cfg)
	}
	w.start()
	return w
}

// start (re)opens the portal on the world's data directory.
func (w *world) start() {
	p, err := New(context.Background(), w.cfg)
	require.NoError(w.t, err)
	srv := httptest.NewServer(p)
	w.portal, w.url = p, srv.URL
	w.shutdown = func() { srv.Close(); _ = p.Close() }
	w.t.Cleanup(w.shutdown)
	require.Eventually(w.t, func() bool {
		code, _ := w.do(http.MethodGet, "/readyz", "", nil)
		return code == http.StatusOK
	}, 5*time.Second, 5*time.Millisecond)
}

func (w *world) token(c identity.Claims) string {
	tok, err := w.idp.Issue(c)
	require.NoError(w.t, err)
	return tok
}

// citizen returns a level-2 citizen's token and personal ID (i%20 != 19).
func (w *world) citizen(i int) (string, string) {
	c := w.pop.Citizen(i)
	return w.token(identity.Claims{Role: identity.RoleCitizen, LoA: c.Level, RegisteredClaims: jwt.RegisteredClaims{Subject: c.PersonalID}}), c.PersonalID
}

func (w *world) official(unit string) string {
	return w.token(identity.Claims{Role: identity.RoleOfficial, Unit: unit, RegisteredClaims: jwt.RegisteredClaims{Subject: identity.OfficialUsername(unit, 1)}})
}

func (w *world) admin() string {
	return w.token(identity.Claims{Role: identity.RoleService, Scope: "admin", RegisteredClaims: jwt.RegisteredClaims{Subject: "thongsuot-harness"}})
}

// do sends a request; hdr is name/value pairs. It returns the status and the decoded JSON body.
func (w *world) do(method, path, token string, body any, hdr ...string) (int, map[string]any) {
	code, out, _ := w.doRaw(method, path, token, body, hdr...)
	return code, out
}

func (w *world) doRaw(method, path, token string, body any, hdr ...string) (int, map[string]any, http.Header) {
	w.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(w.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, w.url+path, rd)
	require.NoError(w.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(w.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, out, resp.Header
}

// metric reads one series (its full name with labels, as /metrics prints it) from
// the portal; a series not exported yet reads 0, as Prometheus takes it.
func (w *world) metric(series string) float64 {
	w.t.Helper()
	resp, err := http.Get(w.url + "/metrics")
	require.NoError(w.t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(w.t, err, series)
			return f
		}
	}
	require.NoError(w.t, sc.Err())
	return 0
}

func (w *world) knob(name, assignment string) {
	require.NoError(w.t, w.reg.Knobs().Assign(name+"."+assignment))
}

var birthCert = map[string]any{"procedure_code": "1.001193", "unit_code": "00004", "form": map[string]any{"child_name": "Nguyễn Minh An"}}

func claimsFor(sub string, loa int) identity.Claims {
	return identity.Claims{Role: identity.RoleCitizen, LoA: loa, RegisteredClaims: jwt.RegisteredClaims{Subject: sub}}
}
