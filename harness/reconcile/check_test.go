package reconcile

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/harness/runtime"
)

func TestLedgerKeepsOnlyAcknowledgedDossiers(t *testing.T) {
	dir := t.TempDir()
	_, err := journal.Create(dir, journal.RunInfo{})
	require.NoError(t, err)
	l, err := OpenLedger(dir)
	require.NoError(t, err)
	hdr := func(loc, key string) http.Header {
		return http.Header{"Location": {loc}, "Idempotency-Key": {key}}
	}
	tests := []struct {
		name string
		res  vegeta.Result
		kept bool
	}{
		{"created", vegeta.Result{Method: "POST", Code: 201, Headers: hdr("/api/v1/dossiers/d1", "k1")}, true},
		{"shed", vegeta.Result{Method: "POST", Code: 503, Headers: hdr("/api/v1/dossiers/d2", "k2")}, false},
		{"a read", vegeta.Result{Method: "GET", Code: 200, Headers: hdr("/api/v1/dossiers/d3", "")}, false},
		{"an attachment", vegeta.Result{Method: "POST", Code: 201, Headers: hdr("/api/v1/dossiers/d1/attachments/a1", "")}, false},
		{"no location", vegeta.Result{Method: "POST", Code: 201}, false},
	}
	for _, tt := range tests {
		l.Observe(&tt.res)
	}
	require.NoError(t, l.Close())
	acks, err := readLedger(dir)
	require.NoError(t, err)
	assert.Equal(t, []ack{{ID: "d1", Key: "k1"}}, acks)
}

// Against the real portal: what it acknowledged is stored; an acknowledgement it never
// stored is missing; one key acknowledged with two dossiers is a duplicate.
func TestCheckAgainstThePortal(t *testing.T) {
	ctx := context.Background()
	st, err := runtime.Embedded{}.Up(ctx, runtime.Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: t.TempDir()})
	require.NoError(t, err)
	defer st.Close()
	dir := t.TempDir()
	// A journal that reads back: journal.Read holds run.json to what a run writes.
	_, err = journal.Create(dir, journal.RunInfo{Window: time.Second, Windows: 1, Classes: []string{"submit"}})
	require.NoError(t, err)
	l, err := OpenLedger(dir)
	require.NoError(t, err)

	client := &http.Client{Timeout: 5 * time.Second}
	form := url.Values{"grant_type": {"password"}, "username": {st.Citizen(0).PersonalID}, "password": {"x"}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	req, _ := http.NewRequest(http.MethodPost, st.Identity+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.NoError(t, getJSON(client, req, &tok))
	var ids []string
	for _, key := range []string{"a", "b", "a"} { // "a" twice: the replay is the same dossier
		req, _ := http.NewRequest(http.MethodPost, st.Portal+"/api/v1/dossiers", strings.NewReader(`{"procedure_code":"1.001193","unit_code":"00004"}`))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Idempotency-Key", key)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		l.Observe(&vegeta.Result{Method: "POST", Code: 201, Headers: resp.Header})
		ids = append(ids, resp.Header.Get("Location"))
	}
	assert.Equal(t, ids[0], ids[2])
	l.Observe(&vegeta.Result{Method: "POST", Code: 201, Headers: http.Header{"Location": {"/api/v1/dossiers/lost-1"}, "Idempotency-Key": {"c"}}})
	l.Observe(&vegeta.Result{Method: "POST", Code: 201, Headers: http.Header{"Location": {"/api/v1/dossiers/lost-2"}, "Idempotency-Key": {"b"}}})
	require.NoError(t, l.Close())

	r := Check(ctx, client, serviceListing(st.Portal, st.Identity, st.ServiceClient(), st.AdminToken), dir)
	assert.Empty(t, r.Error)
	assert.Equal(t, 4, r.Acknowledged, "distinct dossiers acknowledged")
	assert.Equal(t, 2, r.Stored)
	assert.Equal(t, []string{"lost-1", "lost-2"}, r.Missing)
	assert.Equal(t, []string{"b"}, r.Duplicated)
	assert.False(t, r.Held())

	rec, err := journal.Read(dir)
	require.NoError(t, err)
	require.NotNil(t, rec.Reconciliation)
	assert.Equal(t, r.Missing, rec.Reconciliation.Missing)

	other := t.TempDir()
	_, err = journal.Create(other, journal.RunInfo{})
	require.NoError(t, err)
	l, err = OpenLedger(other)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r = Check(ctx, client, serviceListing(st.Portal, st.Identity, st.ServiceClient(), "thongsuot-harness-secret"), other)
	assert.Contains(t, r.Error, "401", "the old well-known secret gets no service token")
}

func TestCheckThatCannotRunSaysWhy(t *testing.T) {
	dir := t.TempDir()
	_, err := journal.Create(dir, journal.RunInfo{})
	require.NoError(t, err)
	l, err := OpenLedger(dir)
	require.NoError(t, err)
	require.NoError(t, l.Close())
	r := Check(context.Background(), &http.Client{Timeout: time.Second}, serviceListing("http://127.0.0.1:1", "http://127.0.0.1:1", "c", "secret"), dir)
	assert.Contains(t, r.Error, "the listing's token")
	assert.False(t, r.Held())
}

// serviceListing is the reference portal's listing, asked with a client-credentials
// token of the service client id at identity.
func serviceListing(portal, identity, id, secret string) Listing {
	tokens := load.ServiceTokens(identity+"/oauth2/token", id, secret, &http.Client{Timeout: 5 * time.Second})
	return Listing{URL: portal + "/admin/v1/receipts", Bearer: func(ctx context.Context) (string, error) { return tokens.Token(ctx, "") }}
}
