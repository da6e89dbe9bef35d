package identity

import "github.com/golang-jwt/jwt/v5"

// Roles a token can carry.
const (
	RoleCitizen  = "citizen"
	RoleOfficial = "official"
	RoleService  = "service"
)

// Claims is the token body. The portal parses tokens into this type too, so the
// two sides cannot drift apart.
type Claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	// LoA is the VNeID account level of a citizen: 2 may submit dossiers, 1 may not.
	LoA int `json:"loa,omitempty"`
	// Unit is the commune-level unit an official works at.
	Unit string `json:"unit,omitempty"`
	// Scope is space-separated, for service clients (e.g. "admin").
	Scope string `json:"scope,omitempty"`
	Name  string `json:"name,omitempty"`
}
