package load

import (
	"net/http"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// overTier is u sent over tier's link: a URL on the identity provider (a login, an
// identity call) goes to the identity provider's URL over that tier, as the user's
// portal requests go to the portal's; any other URL, or a tier without a link, is u.
func (ep Endpoints) overTier(u, tier string) string {
	base, ok := ep.IdentityTiers[tier]
	if !ok || ep.Identity == "" || !strings.HasPrefix(u, ep.Identity) {
		return u
	}
	return base + strings.TrimPrefix(u, ep.Identity)
}

// tier is the link tier of the walk's unit ("" when it has none).
func (w *walk) tier() string {
	if w.unit < 0 || w.unit >= len(w.x.pop.Tiers) {
		return ""
	}
	return w.x.pop.Tiers[w.unit]
}

// unitHeader is h naming the walk's unit, for the bytes per province (bytes.go).
func (w *walk) unitHeader(h http.Header) http.Header {
	if w.unit < 0 || w.unit >= len(w.x.pop.Units) {
		return h
	}
	return withUnit(h, w.x.pop.Units[w.unit].Code)
}

// tagUnit names on tgt the unit arrival n's user is drawn from, as portal(n) draws it.
func (e *env) tagUnit(tgt *vegeta.Target, n uint64) {
	if e.pop == nil {
		return
	}
	if i := e.pop.Pick(e.pick(n, 5), e.tier); i >= 0 {
		tgt.Header = withUnit(tgt.Header, e.pop.Units[i].Code)
	}
}

// unitTier is the link tier of the unit arrival n's user is drawn from, as portal(n)
// draws it ("" when there is none).
func (e *env) unitTier(n uint64) string {
	if e.pop == nil {
		return ""
	}
	if i := e.pop.Pick(e.pick(n, 5), e.tier); i >= 0 {
		return e.pop.Tiers[i]
	}
	return ""
}
