package jsonapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDecode(t *testing.T) {
	type body struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	tests := []struct {
		name, ct, body string
		code           int
	}{
		{"ok", "application/json", `{"name":"a","n":1}`, 0},
		{"no content type", "", `{"name":"a"}`, 0},
		{"syntax", "application/json", `{"name":`, 400},
		{"empty", "application/json", ``, 400},
		{"wrong type", "application/json", `{"n":"x"}`, 400},
		{"unknown field", "application/json", `{"zzz":1}`, 400},
		{"trailing", "application/json", `{"n":1} {"n":2}`, 400},
		{"too big", "application/json", `{"name":"` + strings.Repeat("a", 100) + `"}`, 413},
		{"not json", "text/plain", `{}`, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			w := httptest.NewRecorder()
			var b body
			err := Decode(w, r, 64, &b)
			if tt.code == 0 {
				assert.NoError(t, err)
				return
			}
			Fail(w, err, 500)
			assert.Equal(t, tt.code, w.Code)
			assert.Contains(t, w.Body.String(), `"error"`)
		})
	}
}
