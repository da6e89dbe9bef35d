package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/portal"
	"github.com/thongsuot/thongsuot/stubs/province"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// Issuer and Audience of the tokens in every runtime.
const (
	Issuer   = "https://vneid.thongsuot.test"
	Audience = "npsp"
)

// Embedded runs the stubs and a toxiproxy server in this process, on 127.0.0.1 ports
// the OS picks. Nothing to install, nothing to clean up but the process.
type Embedded struct{}

// Up listens for each role it starts first, so that every proxy can be created with its
// upstream known, then starts the registry, identity and the portal behind their
// proxies. A role already running (a url role) gets its proxies and nothing else.
func (Embedded) Up(ctx context.Context, opts Options) (st *Stack, err error) {
	var closers []func() error
	shutdown := func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, shutdown())
		}
	}()
	roles := append(stackRoles(opts.SUT), provinceRoles(opts.SUT)...)
	remote, err := urlRoles(opts.SUT)
	if err != nil {
		return nil, err
	}

	tp, err := StartToxiproxy("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	closers = append(closers, tp.Close)
	listeners := map[string]net.Listener{}
	direct := map[string]string{}
	var systems []System
	for _, r := range roles {
		systems = append(systems, systemOf(r, ""))
		switch r.src.Source() {
		case scenarios.SourceImage:
			return nil, fmt.Errorf("%s is an image (%s): images run on the containers runtime", r.name, r.src.Image)
		case scenarios.SourceURL:
			direct[r.name] = r.src.URL
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, err)
		}
		listeners[r.name] = ln
		direct[r.name] = "http://" + ln.Addr().String()
		closers = append(closers, func() error { ln.Close(); return nil })
	}
	ls := append(topology(opts.SUT), subsetLinks(opts.Subsets)...)
	proxies := map[string]*toxiproxy.Proxy{}
	links := map[string]string{}
	w := newWiring()
	for _, l := range ls {
		var addr string
		switch {
		case l.via != "":
			addr = proxies[l.via].Listen
		case remote[l.role].upstream != "":
			addr = remote[l.role].upstream
		default:
			addr = listeners[l.role].Addr().String()
		}
		p, err := tp.Proxy(l.name, "127.0.0.1:0", addr)
		if err != nil {
			return nil, err
		}
		proxies[l.name], links[l.name] = p, p.Listen
		w.add(ls, l.name, p.Listen, remote)
	}
	linkBytes, forgetMeters, err := meter(proxies, localMeters)
	if err != nil {
		return nil, err
	}
	closers = append(closers, forgetMeters)
	if err := standing(opts.Tiers, proxies); err != nil {
		return nil, err
	}

	people := census.New(opts.Seed, opts.Citizens)
	dataDir := opts.DataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "thongsuot-portal-*"); err != nil {
			return nil, fmt.Errorf("portal data directory: %w", err)
		}
		closers = append(closers, func() error { return os.RemoveAll(dataDir) })
	}
	// One secret for the harness, one for the portal, made up for this stack.
	adminToken, registryToken := credential.NewSecret(), credential.NewSecret()
	builds := map[string]func(context.Context) (handler, error){
		roleRegistry: func(context.Context) (handler, error) {
			return registry.New(registry.Config{Census: people, AdminToken: adminToken, ClientToken: registryToken})
		},
		roleProvince: func(context.Context) (handler, error) {
			return province.New(province.Config{AdminToken: adminToken, ClientToken: registryToken})
		},
		roleIdentity: func(context.Context) (handler, error) {
			return identity.New(identity.Config{Issuer: Issuer, Audience: Audience, TokenTTL: opts.TokenTTL, Census: people, AdminToken: adminToken})
		},
		rolePortal: func(ctx context.Context) (handler, error) {
			return portal.New(ctx, portal.Config{DataDir: dataDir, IdentityURL: w.urls["portal->identity"],
				RegistryURL: w.urls["portal->registry"], Registries: w.registries(), RegistryToken: registryToken, Provinces: w.provinces(),
				Issuer: Issuer, Audience: Audience, Naive: opts.SUT.Naive()})
		},
	}
	procs := &embeddedRoles{procs: map[string]*inproc{}, proxies: proxies}
	closers = append(closers, procs.close)
	for _, role := range []string{roleRegistry, roleProvince, roleIdentity, rolePortal} {
		ln, ok := listeners[role]
		if !ok {
			continue
		}
		p := &inproc{role: role, addr: ln.Addr().String(), build: builds[role], links: roleLinks(ls, role)}
		procs.procs[role] = p
		// The role's context is the stack's, not this call's: a restarted portal keeps
		// running its outbox after Up has returned.
		if err := p.start(context.Background(), ln); err != nil {
			return nil, err
		}
	}

	if _, started := listeners[rolePortal]; started {
		if err := waitReady(ctx, w.urls["client->portal"]+"/readyz", readyTimeout); err != nil {
			return nil, err
		}
	}
	return &Stack{
		Runtime: "embedded", Portal: w.urls["client->portal"], Identity: w.urls["client->identity"], Tiers: w.tiers(), IdentityTiers: w.identityTiers(),
		Names: w.names, Proxies: proxies, Links: links, Direct: direct, Systems: systems, ToxiproxyAPI: tp.Addr,
		Citizen: people.Citizen, Roles: procs, AdminToken: adminToken, Knobs: newAdminKnobs(roles, direct, adminToken), LinkBytes: linkBytes,
		close: shutdown,
	}, nil
}
