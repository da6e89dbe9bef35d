package portal

import (
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGarbageIsNever5xx throws malformed input at every route with every kind of
// caller: whatever it is, the answer is a 4xx (or a 2xx), never a 5xx.
func TestGarbageIsNever5xx(t *testing.T) {
	w := newWorld(t, nil)
	citizen, _ := w.citizen(0)
	_, d := w.do(http.MethodPost, "/api/v1/dossiers", citizen, birthCert)
	id := d["id"].(string)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	bodies := []any{"", "null", "[]", "{}", "0", `"x"`, `{"procedure_code":null}`, `{"form":"x"}`, `{"form":{"a":[1,{"b":null}]}}`,
		strings.Repeat("[", 10000), `{"procedure_code":"1.001193","unit_code":"00004","form":{"x":"\xff\xfe"}}`, random,
		`{"procedure_code":"LT.KT-XTT-MT","unit_code":"00004","form":{"deceased_id":1}}`, `{"method":["a"]}`, `{"note":5}`}
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/procedures?q=%ff%fe&level=commune"}, {"GET", "/api/v1/procedures/" + url.PathEscape("../../etc")},
		{"GET", "/api/v1/units?limit=-1&offset=x"}, {"GET", "/api/v1/units/%00"},
		{"POST", "/api/v1/dossiers"}, {"GET", "/api/v1/dossiers?limit=0"}, {"GET", "/api/v1/dossiers/" + strings.Repeat("a", 3000)},
		{"POST", "/api/v1/dossiers/" + id + "/attachments"}, {"POST", "/api/v1/dossiers/" + id + "/attachments?name=x"},
		{"POST", "/api/v1/dossiers/" + id + "/payment"}, {"POST", "/api/v1/bundles"},
		{"GET", "/api/v1/officials/queue?status=%27;DROP"}, {"POST", "/api/v1/officials/dossiers/" + id + "/accept"},
		{"POST", "/api/v1/officials/dossiers/x'y/complete"}, {"GET", "/admin/v1/receipts?after=-5&limit=x"},
		{"DELETE", "/api/v1/dossiers/" + id}, {"PUT", "/api/v1/procedures"},
	}
	tokens := []string{"", "garbage", citizen, w.official("00004"), w.admin()}
	contentTypes := []string{"", "application/json", "application/pdf", "multipart/form-data; boundary=x"}
	for _, rt := range routes {
		for _, tok := range tokens {
			for i, body := range bodies {
				ct := contentTypes[i%len(contentTypes)]
				code, resp := w.do(rt.method, rt.path, tok, body, "Content-Type", ct, "Idempotency-Key", strings.Repeat("k", i*20))
				assert.Less(t, code, 500, "%s %s body #%d: %v", rt.method, rt.path, i, resp)
			}
		}
	}
}
