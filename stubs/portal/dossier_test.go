package portal

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSubmitThenStatus(t *testing.T) {
	w := newWorld(t, nil)
	tok, id := w.citizen(0)
	code, body := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", "k1")
	require.Equal(t, http.StatusCreated, code, body)
	assert.Equal(t, StatusReceived, body["status"])
	assert.Regexp(t, `^00004-\d{6}-[A-Z2-7]{8}$`, body["receipt"])

	code, got := w.do(http.MethodGet, "/api/v1/dossiers/"+body["id"].(string), tok, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, body["receipt"], got["receipt"])
	assert.Equal(t, "1.001193", got["procedure_code"])
	assert.Equal(t, id, got["applicant"])
	assert.Len(t, got["history"], 1)

	code, list := w.do(http.MethodGet, "/api/v1/dossiers", tok, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Len(t, list["dossiers"], 1)
}

func TestIdempotentResubmit(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(1)
	_, first := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", "same")
	code, again, hdr := w.doRaw(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", "same")
	require.Equal(t, http.StatusCreated, code)
	assert.Equal(t, first["id"], again["id"])
	assert.Equal(t, first["receipt"], again["receipt"])
	assert.Equal(t, "true", hdr.Get("Idempotent-Replayed"))

	other := map[string]any{"procedure_code": "1.000656", "unit_code": "00004"}
	code, _ = w.do(http.MethodPost, "/api/v1/dossiers", tok, other, "Idempotency-Key", "same")
	assert.Equal(t, http.StatusUnprocessableEntity, code, "same key, different request")

	// The same key from another citizen is another dossier.
	tok2, _ := w.citizen(2)
	_, theirs := w.do(http.MethodPost, "/api/v1/dossiers", tok2, birthCert, "Idempotency-Key", "same")
	assert.NotEqual(t, first["id"], theirs["id"])

	// Without the registry, a replay still answers: it never reaches the registry.
	w.knob("population", "down=true")
	code, _ = w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", "same")
	assert.Equal(t, http.StatusCreated, code)
}

func TestConcurrentSameKeyMakesOneDossier(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(3)
	ids := make(chan any, 8)
	for range 8 {
		go func() {
			_, b := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert, "Idempotency-Key", "race")
			ids <- b["id"]
		}()
	}
	first := <-ids
	for range 7 {
		assert.Equal(t, first, <-ids)
	}
	_, list := w.do(http.MethodGet, "/api/v1/dossiers", tok, nil)
	assert.Len(t, list["dossiers"], 1)
}

func TestSubmitValidation(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(4)
	tests := []struct {
		name string
		body any
		code int
	}{
		{"malformed JSON", `{"procedure_code": "1.001193",`, http.StatusBadRequest},
		{"not an object", `[1,2]`, http.StatusBadRequest},
		{"wrong type", `{"procedure_code": 5}`, http.StatusBadRequest},
		{"unknown field", `{"procedure_code":"1.001193","unit_code":"00004","zzz":1}`, http.StatusBadRequest},
		{"form not an object", `{"procedure_code":"1.001193","unit_code":"00004","form":[1]}`, http.StatusBadRequest},
		{"unknown procedure", map[string]any{"procedure_code": "9.999999", "unit_code": "00004"}, http.StatusUnprocessableEntity},
		{"unknown unit", map[string]any{"procedure_code": "1.001193", "unit_code": "99999"}, http.StatusUnprocessableEntity},
		{"bundle code on dossiers", map[string]any{"procedure_code": BundleBirth, "unit_code": "00004"}, http.StatusUnprocessableEntity},
		{"any unit regardless of residence", map[string]any{"procedure_code": "1.001193", "unit_code": "32248"}, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(http.MethodPost, "/api/v1/dossiers", tok, tt.body, "Content-Type", "application/json")
			assert.Equal(t, tt.code, code, body)
			if code >= 400 {
				assert.NotEmpty(t, body["error"])
			}
		})
	}
}

func TestRegistryFailuresAreNot500(t *testing.T) {
	tests := []struct {
		name  string
		knob  string
		codes []int
	}{
		{"down", "down=true", []int{http.StatusServiceUnavailable}},
		{"hanging", "hang=true", []int{http.StatusGatewayTimeout}},
		{"erroring", "error_rate=1", []int{http.StatusServiceUnavailable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, nil)
			tok, _ := w.citizen(5)
			w.knob("population", tt.knob)
			code, body, hdr := w.doRaw(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
			assert.Contains(t, tt.codes, code, body)
			assert.NotEmpty(t, hdr.Get("Retry-After"))
		})
	}
}

func TestUnknownApplicantIsRefused(t *testing.T) {
	w := newWorld(t, nil)
	tok := w.token(claimsFor("001099999999", 2))
	code, _ := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	assert.Equal(t, http.StatusUnprocessableEntity, code)
}

func TestApplicantCache(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		code int
	}{{"off: every submission asks the registry", 0, http.StatusServiceUnavailable}, {"on: a recent check is reused", time.Minute, http.StatusCreated}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, func(c *Config) { c.ApplicantCacheTTL = tc.ttl })
			tok, _ := w.citizen(0)
			code, _ := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
			require.Equal(t, http.StatusCreated, code)
			w.knob("population", "down=true")
			code, _ = w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
			assert.Equal(t, tc.code, code)
			other, _ := w.citizen(1)
			code, _ = w.do(http.MethodPost, "/api/v1/dossiers", other, birthCert)
			assert.Equal(t, http.StatusServiceUnavailable, code, "a citizen never checked is still checked")
		})
	}
}

func TestExpiring(t *testing.T) {
	c := newExpiring[int](2)
	now := time.Now()
	c.put("a", 1, now.Add(time.Minute))
	c.put("b", 2, now.Add(-time.Second))
	v, ok := c.get("a", now)
	assert.True(t, ok)
	assert.Equal(t, 1, v)
	_, ok = c.get("b", now)
	assert.False(t, ok, "lapsed")
	c.put("c", 3, now.Add(time.Minute)) // full: lapsed "b" goes first
	_, ok = c.get("a", now)
	assert.True(t, ok)
	c.put("d", 4, now.Add(time.Minute)) // still full: everything goes
	_, ok = c.get("a", now)
	assert.False(t, ok)
	_, ok = c.get("d", now)
	assert.True(t, ok)
}

func TestPerRegistryTimeout(t *testing.T) {
	w := newWorld(t, func(c *Config) {
		c.RegistryTimeout = 5 * time.Second
		c.RegistryTimeouts = map[string]time.Duration{"population": 50 * time.Millisecond}
	})
	tok, _ := w.citizen(0)
	w.knob("population", "latency=3s")
	start := time.Now()
	code, _ := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	assert.Equal(t, http.StatusGatewayTimeout, code)
	assert.Less(t, time.Since(start), 2*time.Second, "the population timeout, not the default 5 s")
}

func TestCreatedNamesTheDossierInHeaders(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(0)
	for _, replay := range []bool{false, true} {
		req, err := http.NewRequest(http.MethodPost, w.url+"/api/v1/dossiers", strings.NewReader(`{"procedure_code":"1.001193","unit_code":"00004"}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Idempotency-Key", "hdr-1")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body struct{ ID string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		assert.Equal(t, "/api/v1/dossiers/"+body.ID, resp.Header.Get("Location"))
		assert.Equal(t, "hdr-1", resp.Header.Get("Idempotency-Key"))
		assert.Equal(t, replay, resp.Header.Get("Idempotent-Replayed") == "true")
	}
}
