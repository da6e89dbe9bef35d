package province

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/stubs/knobs"
)

func post(t *testing.T, s *Server, path, token, body string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

func TestProvincesTakeEachDossierOnce(t *testing.T) {
	s, err := New(Config{AdminToken: "admin", ClientToken: "portal"})
	require.NoError(t, err)
	assert.Len(t, Codes(), 34)
	at := time.Now().Add(-1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	dossier := func(id, unit string) string {
		return `{"id":"` + id + `","unit_code":"` + unit + `","procedure_code":"1.004194","submitted_at":"` + at + `"}`
	}
	tests := []struct {
		name, path, token, body string
		code                    int
	}{
		{"first time", "/79/v1/dossiers", "portal", dossier("d1", "25747"), http.StatusCreated},
		{"again: once by id", "/79/v1/dossiers", "portal", dossier("d1", "25747"), http.StatusOK},
		{"another province's", "/01/v1/dossiers", "portal", dossier("d2", "00004"), http.StatusCreated},
		{"a unit of another province", "/01/v1/dossiers", "portal", dossier("d3", "25747"), http.StatusUnprocessableEntity},
		{"no credential", "/79/v1/dossiers", "", dossier("d4", "25747"), http.StatusUnauthorized},
		{"the admin's is not the portal's", "/79/v1/dossiers", "admin", dossier("d4", "25747"), http.StatusUnauthorized},
		{"no id", "/79/v1/dossiers", "portal", `{"unit_code":"25747"}`, http.StatusBadRequest},
		{"no such province", "/99/v1/dossiers", "portal", dossier("d5", "25747"), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, post(t, s, tt.path, tt.token, tt.body))
		})
	}
	got := map[string]Intake{}
	for _, in := range s.Received() {
		got[in.Province] = in
	}
	assert.Equal(t, int64(1), got["79"].Dossiers)
	assert.Equal(t, int64(1), got["01"].Dossiers)
	assert.Zero(t, got["11"].Dossiers)
	assert.InDelta(t, 1500, got["79"].LagMax, 500, "the delay since submission")

	// One province's knob leaves the others alone.
	require.NoError(t, s.Knobs().Knob("79").Set(knobs.Settings{Maintenance: true}))
	assert.Equal(t, http.StatusServiceUnavailable, post(t, s, "/79/v1/dossiers", "portal", dossier("d6", "25747")))
	assert.Equal(t, http.StatusCreated, post(t, s, "/01/v1/dossiers", "portal", dossier("d7", "00004")))

	req := httptest.NewRequest(http.MethodGet, "/admin/v1/received", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "the intake is the harness's to read")
	req.Header.Set("Authorization", "Bearer admin")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	var body struct{ Provinces []Intake }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Len(t, body.Provinces, 34)
}
