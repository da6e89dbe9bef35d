package runtime

import (
	"fmt"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/scenarios"
)

// linkSpec is one link of the system under test: a toxiproxy proxy in front of a role,
// or chained in front of another link's proxy.
type linkSpec struct {
	name   string // as scenarios name it (scenarios.Links)
	role   string // leads to this role (portal, identity, registry)…
	via    string // …or through this link's proxy (a chain)
	client bool   // the load reaches it from outside; otherwise a service calls it
}

// topology lists every link, each after the link it chains onto. portal->registry is
// the trunk every registry call crosses, with one link per registry in front of it, so
// a fault can hit one registry or all; each link tier reaches the portal over its own
// link and then through the front door (client->portal), like every client.
func topology() []linkSpec {
	ls := []linkSpec{{name: "portal->registry", role: "registry"}}
	for _, r := range scenarios.Registries {
		ls = append(ls, linkSpec{name: scenarios.RegistryLink(r), via: "portal->registry"})
	}
	ls = append(ls,
		linkSpec{name: "portal->identity", role: "identity"},
		linkSpec{name: "client->identity", role: "identity", client: true},
		linkSpec{name: "client->portal", role: "portal", client: true},
	)
	for _, t := range scenarios.Tiers {
		ls = append(ls, linkSpec{name: scenarios.TierLink(t), via: "client->portal", client: true})
	}
	return ls
}

// wiring is what the portal and the load need from the links: base URLs by link name.
type wiring map[string]string

// portalConfig are the portal's outbound URLs: identity, the registry trunk, and each
// registry's own link.
func (w wiring) registries() map[string]string {
	out := map[string]string{}
	for _, r := range scenarios.Registries {
		out[r] = w[scenarios.RegistryLink(r)]
	}
	return out
}

func (w wiring) tiers() map[string]string {
	out := map[string]string{}
	for _, t := range scenarios.Tiers {
		out[t] = w[scenarios.TierLink(t)]
	}
	return out
}

// standing puts each tier's standing conditions (bandwidth, latency, loss) on its link.
func standing(tiers map[string]scenarios.Tier, proxies map[string]*toxiproxy.Proxy) error {
	for _, tier := range scenarios.Tiers {
		if err := fault.Standing(tier, tiers[tier], proxies[scenarios.TierLink(tier)]); err != nil {
			return fmt.Errorf("link tier %s: %w", tier, err)
		}
	}
	return nil
}
