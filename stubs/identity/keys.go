package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// keyRing holds the signing key and the recently retired ones. Retired keys stay in
// the JWKS for a while so tokens signed just before a rotation still verify.
type keyRing struct {
	mu   sync.RWMutex
	keys []signingKey // newest first
	keep int
}

type signingKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newKeyRing(keep int) (*keyRing, error) {
	r := &keyRing{keep: keep}
	if _, err := r.rotate(); err != nil {
		return nil, err
	}
	return r, nil
}

// rotate makes a new signing key and drops keys beyond keep retired ones.
func (r *keyRing) rotate() (string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate ES256 key: %w", err)
	}
	tp, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key thumbprint: %w", err)
	}
	kid := base64.RawURLEncoding.EncodeToString(tp[:12])
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys = append([]signingKey{{kid, priv}}, r.keys...)
	if len(r.keys) > r.keep+1 {
		r.keys = r.keys[:r.keep+1]
	}
	return kid, nil
}

func (r *keyRing) current() signingKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[0]
}

func (r *keyRing) jwks() jose.JSONWebKeySet {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := jose.JSONWebKeySet{}
	for _, k := range r.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: "ES256", Use: "sig"})
	}
	return set
}
