package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/units"
)

// OfficialUsername is the login of official n (1-based) at a unit.
func OfficialUsername(unitCode string, n int) string { return fmt.Sprintf("cb.%s.%d", unitCode, n) }

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope,omitempty"`
}

func oauthError(w http.ResponseWriter, code int, kind, desc string) {
	jsonapi.Write(w, code, map[string]string{"error": kind, "error_description": desc})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "form body: "+err.Error())
		return
	}
	var claims Claims
	var ok bool
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "password":
		claims, ok = s.passwordGrant(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if !ok {
			oauthError(w, http.StatusUnauthorized, "invalid_grant", "unknown user or wrong password")
			return
		}
	case "client_credentials":
		id, secret, basic := r.BasicAuth()
		if !basic {
			id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		}
		c, known := s.cfg.Clients[id]
		if !known || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
			return
		}
		claims = Claims{Role: RoleService, Scope: c.Scope}
		claims.Subject = id
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type "+strconv.Quote(gt)+" is not supported")
		return
	}
	tok, err := s.Issue(claims)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	jsonapi.Write(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer",
		ExpiresIn: int(s.cfg.TokenTTL / time.Second), Scope: claims.Scope})
}

// passwordGrant authenticates a citizen (12-digit personal ID) or an official
// (cb.<unit>.<n>).
func (s *Server) passwordGrant(username, password string) (Claims, bool) {
	if password == "" {
		return Claims{}, false
	}
	if rest, ok := strings.CutPrefix(username, "cb."); ok {
		unit, nStr, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(nStr)
		u, known := units.Lookup(unit)
		if err != nil || !known || n < 1 || n > s.cfg.OfficialsPerUnit {
			return Claims{}, false
		}
		c := Claims{Role: RoleOfficial, Unit: unit, Name: fmt.Sprintf("Cán bộ %d, %s", n, u.Name)}
		c.Subject = username
		return c, true
	}
	cz, ok := s.cfg.Census.Lookup(username)
	if !ok {
		return Claims{}, false
	}
	if s.cfg.CheckPasswords && subtle.ConstantTimeCompare([]byte(s.cfg.Census.Password(username)), []byte(password)) != 1 {
		return Claims{}, false
	}
	c := Claims{Role: RoleCitizen, LoA: cz.Level, Name: cz.FullName}
	c.Subject = cz.PersonalID
	return c, true
}

func newJTI() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
