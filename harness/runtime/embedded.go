package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/portal"
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

// Up listens for each role first, so that every proxy can be created with its upstream
// known, then starts the registry, identity and the portal behind their proxies.
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

	tp, err := StartToxiproxy("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	closers = append(closers, tp.Close)
	listeners := map[string]net.Listener{}
	for _, role := range []string{"registry", "identity", "portal"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", role, err)
		}
		listeners[role] = ln
		closers = append(closers, func() error { ln.Close(); return nil })
	}
	proxies := map[string]*toxiproxy.Proxy{}
	urls := wiring{}
	for _, l := range topology() {
		upstream := proxies[l.via]
		addr := ""
		if upstream != nil {
			addr = upstream.Listen
		} else {
			addr = listeners[l.role].Addr().String()
		}
		p, err := tp.Proxy(l.name, "127.0.0.1:0", addr)
		if err != nil {
			return nil, err
		}
		proxies[l.name], urls[l.name] = p, "http://"+p.Listen
	}
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
		"registry": func(context.Context) (handler, error) {
			return registry.New(registry.Config{Census: people, AdminToken: adminToken, ClientToken: registryToken})
		},
		"identity": func(context.Context) (handler, error) {
			return identity.New(identity.Config{Issuer: Issuer, Audience: Audience, TokenTTL: opts.TokenTTL, Census: people, AdminToken: adminToken})
		},
		"portal": func(ctx context.Context) (handler, error) {
			return portal.New(ctx, portal.Config{DataDir: dataDir, IdentityURL: urls["portal->identity"],
				RegistryURL: urls["portal->registry"], Registries: urls.registries(), RegistryToken: registryToken,
				Issuer: Issuer, Audience: Audience, Naive: opts.Naive})
		},
	}
	roles := &embeddedRoles{procs: map[string]*inproc{}, proxies: proxies}
	closers = append(closers, roles.close)
	for _, role := range []string{"registry", "identity", "portal"} {
		p := &inproc{role: role, addr: listeners[role].Addr().String(), build: builds[role], links: roleLinks(role)}
		roles.procs[role] = p
		// The role's context is the stack's, not this call's: a restarted portal keeps
		// running its outbox after Up has returned.
		if err := p.start(context.Background(), listeners[role]); err != nil {
			return nil, err
		}
	}

	if err := waitReady(ctx, urls["client->portal"]+"/readyz", readyTimeout); err != nil {
		return nil, err
	}
	return &Stack{
		Runtime: "embedded", Portal: urls["client->portal"], Identity: urls["client->identity"], Tiers: urls.tiers(),
		Proxies: proxies, ToxiproxyAPI: tp.Addr,
		Citizen: people.Citizen, Roles: roles, AdminToken: adminToken,
		close: shutdown,
	}, nil
}
