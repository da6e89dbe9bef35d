package credential

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	tests := []struct {
		name   string
		guard  *Guard
		header string
		code   int
	}{
		{"the secret", NewGuard("s3cret"), "Bearer s3cret", http.StatusOK},
		{"no header", NewGuard("s3cret"), "", http.StatusUnauthorized},
		{"another secret", NewGuard("s3cret"), "Bearer s3cre", http.StatusUnauthorized},
		{"a longer one", NewGuard("s3cret"), "Bearer s3crets", http.StatusUnauthorized},
		{"not a bearer", NewGuard("s3cret"), "s3cret", http.StatusUnauthorized},
		{"an empty bearer against a made-up secret", NewGuard(""), "Bearer ", http.StatusUnauthorized},
		{"nil admits no one", nil, "Bearer ", http.StatusUnauthorized},
		{"open admits everyone", Open(), "", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/admin/v1/knobs", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			w := httptest.NewRecorder()
			tt.guard.Wrap(ok).ServeHTTP(w, r)
			assert.Equal(t, tt.code, w.Code)
			if tt.code == http.StatusUnauthorized {
				assert.Contains(t, w.Header().Get("WWW-Authenticate"), "Bearer")
				assert.JSONEq(t, `{"error":"this needs a bearer credential"}`, w.Body.String())
			}
		})
	}
}

func TestMadeUpSecretsAreRandom(t *testing.T) {
	a, b := NewGuard(""), NewGuard("")
	assert.Len(t, a.Secret(), 64)
	assert.NotEqual(t, a.Secret(), b.Secret())
	assert.Equal(t, "given", NewGuard("given").Secret())
	assert.Empty(t, Open().Secret())
	assert.True(t, Open().IsOpen())
	assert.False(t, a.IsOpen())
}
