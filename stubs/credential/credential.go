// Package credential guards the stubs' admin and personal-data routes with a shared
// secret presented as "Authorization: Bearer <secret>". Every guard has a secret
// unless it is explicitly opened (Open, the --no-auth flag): a stub started without
// one makes up a random secret rather than serve its admin API to anyone.
package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// The environment variables the stub commands read their secrets from, so that the
// containers runtime need not put them on command lines.
const (
	// AdminTokenEnv is the harness's secret: Bearer on identity's and the
	// registry's /admin/, and the thongsuot-harness client's secret at identity.
	AdminTokenEnv = "THONGSUOT_ADMIN_TOKEN"
	// RegistryTokenEnv is the portal's secret: Bearer on the registries' routes.
	RegistryTokenEnv = "THONGSUOT_REGISTRY_TOKEN"
)

// Guard admits requests that present its secret and answers every other 401.
// A nil Guard admits no one.
type Guard struct {
	secret string
	open   bool
}

// NewGuard guards with secret; an empty secret is replaced by a random one (read it
// with Secret).
func NewGuard(secret string) *Guard {
	if secret == "" {
		secret = NewSecret()
	}
	return &Guard{secret: secret}
}

// Open is a guard that admits everyone: for poking a stub by hand, never for a run.
func Open() *Guard { return &Guard{open: true} }

// NewSecret returns 32 random bytes in hex.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return hex.EncodeToString(b[:])
}

// Secret is the secret to present; "" for an open guard.
func (g *Guard) Secret() string {
	if g == nil || g.open {
		return ""
	}
	return g.secret
}

// IsOpen says whether the guard admits everyone.
func (g *Guard) IsOpen() bool { return g != nil && g.open }

// Allows says whether r presents the secret.
func (g *Guard) Allows(r *http.Request) bool {
	if g == nil {
		return false
	}
	if g.open {
		return true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(tok), []byte(g.secret)) == 1
}

// Wrap admits to next the requests that present the secret.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Allows(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="thongsuot"`)
			jsonapi.Error(w, http.StatusUnauthorized, "this needs a bearer credential")
			return
		}
		next.ServeHTTP(w, r)
	})
}
