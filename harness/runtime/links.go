package runtime

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/harness/fault/toxics"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/credential"
)

// Role names of a stack: the portal, identity, the reference registry server, and a
// registry the scenario replaces (registry.<name>, scenarios.RoleRegistry).
const (
	rolePortal   = "portal"
	roleIdentity = "identity"
	roleRegistry = "registry"
)

// linkSpec is one link of the system under test: a toxiproxy proxy in front of a role,
// or chained in front of another link's proxy.
type linkSpec struct {
	name   string // as scenarios name it (scenarios.Links)
	role   string // leads to this role (portal, identity, registry, registry.<name>)…
	via    string // …or through this link's proxy (a chain)
	client bool   // the load reaches it from outside; otherwise a service calls it
}

// roleSpec is one role a stack has, and where it comes from.
type roleSpec struct {
	name string
	src  scenarios.Role
}

// stackRoles lists the roles of a stack for sut: the portal and identity; the reference
// registry server and each registry the scenario replaces, unless the portal is already
// running — then its registries are its own and the harness never sees them.
func stackRoles(sut scenarios.SUT) []roleSpec {
	rs := []roleSpec{{rolePortal, sut.Portal}, {roleIdentity, sut.Identity}}
	if sut.Portal.Source() == scenarios.SourceURL {
		return rs
	}
	rs = append(rs, roleSpec{roleRegistry, scenarios.Role{}})
	for _, r := range scenarios.Registries {
		if src, ok := sut.Registries[r]; ok {
			rs = append(rs, roleSpec{scenarios.RoleRegistry(r), src})
		}
	}
	return rs
}

// topology lists every link of a stack, each after the link it chains onto.
// portal->registry is the trunk to the reference registry server, with one link per
// registry in front of it, so a fault can hit one registry or all; a registry the
// scenario replaces has its own link straight to it. Each link tier reaches the portal
// over its own link, then the province's aggregation link and the data-centre trunk,
// then the front door (client->portal), like every client; and identity over its own
// link to identity, then client->identity. A portal already running calls what it calls: it has no outbound links.
func topology(sut scenarios.SUT) []linkSpec {
	var ls []linkSpec
	if sut.Portal.Source() != scenarios.SourceURL {
		ls = append(ls, linkSpec{name: "portal->registry", role: roleRegistry})
		for _, r := range scenarios.Registries {
			if _, replaced := sut.Registries[r]; replaced {
				ls = append(ls, linkSpec{name: scenarios.RegistryLink(r), role: scenarios.RoleRegistry(r)})
			} else {
				ls = append(ls, linkSpec{name: scenarios.RegistryLink(r), via: "portal->registry"})
			}
		}
		ls = append(ls, linkSpec{name: "portal->identity", role: roleIdentity})
	}
	ls = append(ls,
		linkSpec{name: "client->identity", role: roleIdentity, client: true},
		linkSpec{name: "client->portal", role: rolePortal, client: true},
	)
	// The communes' links meet at the province, which reaches the data centre over its
	// trunk (F28, F29): the tiers' portal traffic goes through both.
	ls = append(ls,
		linkSpec{name: scenarios.TrunkLink, via: "client->portal", client: true},
		linkSpec{name: scenarios.AggregationLink, via: scenarios.TrunkLink, client: true},
	)
	for _, t := range scenarios.Tiers {
		ls = append(ls, linkSpec{name: scenarios.TierLink(t), via: scenarios.AggregationLink, client: true})
	}
	// Logins go over the user's tier too: a tier's link to identity, in front of its
	// front door, with the tier's standing condition.
	for _, t := range scenarios.Tiers {
		ls = append(ls, linkSpec{name: scenarios.TierIdentityLink(t), via: "client->identity", client: true})
	}
	return append(ls, provinceLinks(sut)...) // the exchange to the provincial systems (province.go)
}

// target is the role a link leads to, following chains.
func target(ls []linkSpec, link string) string {
	for _, l := range ls {
		if l.name == link {
			if l.via != "" {
				return target(ls, l.via)
			}
			return l.role
		}
	}
	return ""
}

// urlRole is what a link needs of a role already running: where its proxy sends
// (host:port), and how URLs through the proxy are written (scheme, path, the host the
// requests must name).
type urlRole struct {
	upstream, scheme, path, host string
}

// urlRoles reads the url roles of sut.
func urlRoles(sut scenarios.SUT) (map[string]urlRole, error) {
	out := map[string]urlRole{}
	for _, r := range stackRoles(sut) {
		if r.src.Source() != scenarios.SourceURL {
			continue
		}
		u, err := url.Parse(r.src.URL)
		if err != nil {
			return nil, fmt.Errorf("%s url: %w", r.name, err)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		out[r.name] = urlRole{upstream: net.JoinHostPort(u.Hostname(), port), scheme: u.Scheme, path: u.EscapedPath(), host: u.Host}
	}
	return out, nil
}

// wiring is what the services and the load need from the links: base URLs by link
// name, and the host each proxy address stands for.
type wiring struct {
	urls  map[string]string
	names map[string]string // proxy host:port → the host the url role's URL names
}

func newWiring() wiring { return wiring{urls: map[string]string{}, names: map[string]string{}} }

// add sets link's base URL at addr (a proxy's address as its user reaches it): plain
// http to a role the runtime started, the role's own scheme and path to a url role.
func (w wiring) add(ls []linkSpec, link, addr string, roles map[string]urlRole) {
	if ur, ok := roles[target(ls, link)]; ok {
		w.urls[link] = ur.scheme + "://" + addr + ur.path
		w.names[addr] = ur.host
		return
	}
	w.urls[link] = "http://" + addr
}

// registries are the portal's outbound URLs per registry, each over its own link.
func (w wiring) registries() map[string]string {
	out := map[string]string{}
	for _, r := range scenarios.Registries {
		out[r] = w.urls[scenarios.RegistryLink(r)]
	}
	return out
}

func (w wiring) tiers() map[string]string {
	out := map[string]string{}
	for _, t := range scenarios.Tiers {
		out[t] = w.urls[scenarios.TierLink(t)]
	}
	return out
}

// identityTiers are the identity provider's base URLs per tier, over each tier's link.
func (w wiring) identityTiers() map[string]string {
	out := map[string]string{}
	for _, t := range scenarios.Tiers {
		if u, ok := w.urls[scenarios.TierIdentityLink(t)]; ok {
			out[t] = u
		}
	}
	return out
}

// standing puts each tier's standing conditions (bandwidth, latency, loss) on its link.
func standing(tiers map[string]scenarios.Tier, proxies map[string]*toxiproxy.Proxy) error {
	for _, tier := range scenarios.Tiers {
		for _, link := range []string{scenarios.TierLink(tier), scenarios.TierIdentityLink(tier)} {
			p, ok := proxies[link]
			if !ok {
				continue
			}
			if err := fault.Standing(tier, tiers[tier], p); err != nil {
				return fmt.Errorf("link tier %s (%s): %w", tier, link, err)
			}
		}
	}
	return nil
}

// LinkBytes are the bytes a link carried so far: Up from its clients towards the role
// it leads to (requests), Down back (responses).
type LinkBytes struct {
	Up, Down int64
}

// meter puts a meter toxic first on each direction of every link (before the tiers'
// standing toxics and any fault), under keys unique to this stack, and returns the
// stack's reading of them. The counts live in the process that runs the toxiproxy
// server: counts reads them there, in one go (toxics.Meters here, the server's
// MetersPath for a toxiproxy in a container).
func meter(proxies map[string]*toxiproxy.Proxy, counts func() (map[string]int64, error)) (read func() map[string]LinkBytes, forget func() error, err error) {
	stack := credential.NewSecret()[:12]
	key := func(link, stream string) string { return stack + "|" + link + "|" + stream }
	for link, p := range proxies {
		for _, stream := range []string{"upstream", "downstream"} {
			if _, err := p.AddToxic("meter-"+stream, toxics.Meter, stream, 1, toxiproxy.Attributes{"key": key(link, stream)}); err != nil {
				return nil, nil, fmt.Errorf("link %s: meter: %w", link, err)
			}
		}
	}
	read = func() map[string]LinkBytes {
		all, err := counts()
		if err != nil {
			return nil // no reading this time: the sampler keeps the last one
		}
		out := make(map[string]LinkBytes, len(proxies))
		for link := range proxies {
			out[link] = LinkBytes{Up: all[key(link, "upstream")], Down: all[key(link, "downstream")]}
		}
		return out
	}
	forget = func() error {
		for link := range proxies {
			toxics.ForgetMeter(key(link, "upstream"))
			toxics.ForgetMeter(key(link, "downstream"))
		}
		return nil
	}
	return read, forget, nil
}

// localMeters reads the meters of a toxiproxy server in this process.
func localMeters() (map[string]int64, error) { return toxics.Meters(), nil }

// remoteMeters reads the meters of the toxiproxy server whose API is at api (host:port).
func remoteMeters(api string) func() (map[string]int64, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	return func() (map[string]int64, error) {
		resp, err := client.Get("http://" + api + MetersPath)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("toxiproxy meters: %s", resp.Status)
		}
		out := map[string]int64{}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
			return nil, fmt.Errorf("toxiproxy meters: %w", err)
		}
		return out, nil
	}
}
