package load

import "strings"

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
