package portal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// FuzzDossierDecode sends whatever body, content type and Idempotency-Key the
// fuzzer makes up to POST /api/v1/dossiers or /api/v1/bundles, with a valid
// citizen token, through the whole handler (guards, body reading, decoding,
// validation, the store). The portal must answer every one with JSON, never 500,
// never panic. Seeds: testdata/fuzz/FuzzDossierDecode (run by plain `go test`).
func FuzzDossierDecode(f *testing.F) {
	// Positive applicant checks are cached, so the fuzzer mostly measures decoding.
	w := newWorld(f, func(c *Config) { c.ApplicantCacheTTL = time.Hour; c.RegistryTimeout = 2 * time.Second })
	tok, _ := w.citizen(0)
	f.Fuzz(func(t *testing.T, body []byte, contentType, key string, bundle bool) {
		path := "/api/v1/dossiers"
		if bundle {
			path = "/api/v1/bundles"
		}
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		w.portal.ServeHTTP(rec, r)
		assert.Less(t, rec.Code, http.StatusInternalServerError, "%s %q: %s", path, body, rec.Body)
		assert.True(t, json.Valid(rec.Body.Bytes()), "the answer is JSON: %s", rec.Body)
	})
}
