package portal

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCatalogueSearch(t *testing.T) {
	w := newWorld(t, nil)
	tests := []struct {
		q, level string
		want     string
		min      int
	}{
		{"khai sinh", "", "1.001193", 3},
		{"Khai Sinh", "", "1.001193", 3},
		{"thuong tru", "", "1.004194", 2},
		{"BHYT", "", BundleBirth, 1},
		{"district", "", "2.000528", 5},
		{"ly lich tu phap", "province", "2.000488", 1},
		{"", "", "1.000656", 30},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			code, body := w.do(http.MethodGet, "/api/v1/procedures?q="+strings.ReplaceAll(tt.q, " ", "+")+"&level="+tt.level, "", nil)
			require.Equal(t, http.StatusOK, code)
			list := body["procedures"].([]any)
			assert.GreaterOrEqual(t, len(list), tt.min)
			var codes []string
			for _, p := range list {
				codes = append(codes, p.(map[string]any)["code"].(string))
			}
			assert.Contains(t, codes, tt.want)
		})
	}
	code, p := w.do(http.MethodGet, "/api/v1/procedures/1.004194", "", nil)
	require.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 10000, p["fee_vnd"])
	code, _ = w.do(http.MethodGet, "/api/v1/procedures/nope", "", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = w.do(http.MethodGet, "/api/v1/procedures?level=district", "", nil)
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestUnitsAPI(t *testing.T) {
	w := newWorld(t, nil)
	_, body := w.do(http.MethodGet, "/api/v1/provinces", "", nil)
	assert.Len(t, body["provinces"], 34)
	_, body = w.do(http.MethodGet, "/api/v1/units?limit=5000", "", nil)
	assert.EqualValues(t, 3321, body["total"])
	_, body = w.do(http.MethodGet, "/api/v1/units?province=01", "", nil)
	assert.EqualValues(t, 126, body["total"], "Hanoi has 126 communes and wards")
	_, body = w.do(http.MethodGet, "/api/v1/units?type=special_zone", "", nil)
	assert.EqualValues(t, 13, body["total"])
	_, body = w.do(http.MethodGet, "/api/v1/units?q=ba+dinh", "", nil)
	assert.GreaterOrEqual(t, body["total"], 1.0)
	code, u := w.do(http.MethodGet, "/api/v1/units/00004", "", nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "Ba Đình", u["name"])
	code, _ = w.do(http.MethodGet, "/api/v1/units/99999", "", nil)
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = w.do(http.MethodGet, "/api/v1/units?limit=abc", "", nil)
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestAttachments(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxAttachmentBytes = 1000 })
	tok, _ := w.citizen(0)
	other, _ := w.citizen(1)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	path := "/api/v1/dossiers/" + d["id"].(string) + "/attachments?name=giay-chung-sinh.pdf"
	tests := []struct {
		name, token, ct string
		body            []byte
		code            int
	}{
		{"pdf", tok, "application/pdf", bytes.Repeat([]byte("%"), 1000), http.StatusCreated},
		{"too large", tok, "application/pdf", bytes.Repeat([]byte("%"), 1001), http.StatusRequestEntityTooLarge},
		{"wrong type", tok, "application/zip", []byte("PK"), http.StatusUnsupportedMediaType},
		{"empty", tok, "image/png", nil, http.StatusBadRequest},
		{"someone else's dossier", other, "image/png", []byte("png"), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := w.do(http.MethodPost, path, tt.token, tt.body, "Content-Type", tt.ct)
			assert.Equal(t, tt.code, code, body)
		})
	}
	// A body that hides its length (chunked) is cut off at the limit too.
	req, _ := http.NewRequest(http.MethodPost, w.url+path, io.MultiReader(bytes.NewReader(make([]byte, 800)), bytes.NewReader(make([]byte, 800))))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/pdf")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	code, again := w.do(http.MethodPost, path, tok, bytes.Repeat([]byte("%"), 1000), "Content-Type", "application/pdf")
	assert.Equal(t, http.StatusOK, code, "a retried upload is the same attachment")
	_, got := w.do(http.MethodGet, "/api/v1/dossiers/"+d["id"].(string), tok, nil)
	require.Len(t, got["attachments"], 1)
	assert.Equal(t, again["id"], got["attachments"].([]any)[0].(map[string]any)["id"])
}

func TestPaymentIssuesOneEReceipt(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(0)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, map[string]any{"procedure_code": "1.004194", "unit_code": "00004"})
	path := "/api/v1/dossiers/" + d["id"].(string) + "/payment"
	code, first := w.do(http.MethodPost, path, tok, map[string]string{"method": "vnpay"})
	require.Equal(t, http.StatusCreated, code, first)
	assert.Regexp(t, `^BLDT-\d{2}-\d{10}$`, first["e_receipt"])
	assert.EqualValues(t, 10000, first["amount_vnd"])
	code, again := w.do(http.MethodPost, path, tok, map[string]string{"method": "vnpay"})
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, first["e_receipt"], again["e_receipt"], "a retried payment never charges twice")
	_, free := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	code, _ = w.do(http.MethodPost, "/api/v1/dossiers/"+free["id"].(string)+"/payment", tok, `{}`)
	assert.Equal(t, http.StatusConflict, code)
}

func TestOfficialsQueue(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(0)
	_, here := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	_, there := w.do(http.MethodPost, "/api/v1/dossiers", tok, map[string]any{"procedure_code": "1.001193", "unit_code": "00008"})
	cb := w.official("00004")
	code, q := w.do(http.MethodGet, "/api/v1/officials/queue", cb, nil)
	require.Equal(t, http.StatusOK, code)
	list := q["dossiers"].([]any)
	require.Len(t, list, 1, "only the official's own unit")
	assert.Equal(t, here["id"], list[0].(map[string]any)["id"])

	id := here["id"].(string)
	steps := []struct {
		action string
		code   int
		status string
	}{
		{"complete", http.StatusConflict, ""},
		{"request-info", http.StatusOK, StatusNeedsInfo},
		{"accept", http.StatusOK, StatusProcessing},
		{"complete", http.StatusOK, StatusCompleted},
		{"reject", http.StatusConflict, ""},
		{"archive", http.StatusNotFound, ""},
	}
	for _, st := range steps {
		code, body := w.do(http.MethodPost, "/api/v1/officials/dossiers/"+id+"/"+st.action, cb, map[string]string{"note": "ok"})
		require.Equal(t, st.code, code, "%s: %v", st.action, body)
		if st.status != "" {
			assert.Equal(t, st.status, body["status"])
		}
	}
	code, _ = w.do(http.MethodPost, "/api/v1/officials/dossiers/"+there["id"].(string)+"/accept", cb, nil)
	assert.Equal(t, http.StatusNotFound, code, "another unit's dossier")
	code, _ = w.do(http.MethodGet, "/api/v1/officials/queue", tok, nil)
	assert.Equal(t, http.StatusForbidden, code, "citizens have no queue")
	_, d := w.do(http.MethodGet, "/api/v1/dossiers/"+id, tok, nil)
	assert.Len(t, d["history"], 4)
}

func TestReconciliationListsEveryReceipt(t *testing.T) {
	w := newWorld(t, nil)
	tok, _ := w.citizen(0)
	want := map[string]bool{}
	for range 5 {
		_, d := w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
		want[d["receipt"].(string)] = true
	}
	got := map[string]bool{}
	after := ""
	for range 10 {
		code, page := w.do(http.MethodGet, "/admin/v1/receipts?limit=2"+after, w.admin(), nil)
		require.Equal(t, http.StatusOK, code)
		for _, r := range page["receipts"].([]any) {
			got[r.(map[string]any)["receipt"].(string)] = true
		}
		next, ok := page["next_after"]
		if !ok {
			break
		}
		after = "&after=" + strconv.FormatInt(int64(next.(float64)), 10)
	}
	assert.Equal(t, want, got)
	code, _ := w.do(http.MethodGet, "/admin/v1/receipts", "", nil)
	assert.Equal(t, http.StatusUnauthorized, code)
}

func TestHealthReadinessMetricsOpenAPI(t *testing.T) {
	w := newWorld(t, nil)
	code, _ := w.do(http.MethodGet, "/healthz", "", nil)
	assert.Equal(t, http.StatusOK, code)
	tok, _ := w.citizen(0)
	w.do(http.MethodPost, "/api/v1/dossiers", tok, birthCert)
	resp, err := http.Get(w.url + "/metrics")
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"portal_http_requests_total", "portal_http_request_duration_seconds", "portal_breaker_state", "portal_shed_total",
		"portal_store_commit_batch_size", "portal_outbox_pending", "portal_admission_waiting", "portal_dependency_calls_total", "portal_dossiers_created_total",
		"portal_body_timeouts_total", `portal_quota_refusals_total{quota="citizen_attachment_bytes"}`} {
		assert.True(t, strings.Contains(string(raw), name), name)
	}
	resp, err = http.Get(w.url + "/openapi.yaml")
	require.NoError(t, err)
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(raw), "/api/v1/dossiers")

	// A portal that cannot reach identity is alive but not ready.
	cfg := w.cfg
	cfg.DataDir, cfg.IdentityURL = t.TempDir(), "http://127.0.0.1:1"
	p, err := New(context.Background(), cfg)
	require.NoError(t, err)
	defer p.Close()
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
}
