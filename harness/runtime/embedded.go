package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/census"
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

// Up starts registry and identity, the proxies in front of them, the portal behind
// those proxies, and the client-side proxy in front of the portal.
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

	people := census.New(opts.Seed, opts.Citizens)
	reg, err := registry.New(registry.Config{Census: people})
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	regAddr, stop, err := serve(reg)
	if err != nil {
		return nil, err
	}
	closers = append(closers, stop, reg.Close)

	idp, err := identity.New(identity.Config{Issuer: Issuer, Audience: Audience, TokenTTL: opts.TokenTTL, Census: people})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	idAddr, stop, err := serve(idp)
	if err != nil {
		return nil, err
	}
	closers = append(closers, stop, idp.Close)

	proxies := map[string]*toxiproxy.Proxy{}
	link := func(name, upstream string) (string, error) {
		p, err := tp.Proxy(name, "127.0.0.1:0", upstream)
		if err != nil {
			return "", err
		}
		proxies[name] = p
		return "http://" + p.Listen, nil
	}
	// portal->registry is the trunk every registry call crosses; each registry has its
	// own link in front of it, so a fault can hit one registry or all of them.
	regURL, err := link("portal->registry", regAddr)
	if err != nil {
		return nil, err
	}
	registries := map[string]string{}
	for _, name := range scenarios.Registries {
		if registries[name], err = link(scenarios.RegistryLink(name), strings.TrimPrefix(regURL, "http://")); err != nil {
			return nil, err
		}
	}
	idForPortal, err := link("portal->identity", idAddr)
	if err != nil {
		return nil, err
	}
	idForClients, err := link("client->identity", idAddr)
	if err != nil {
		return nil, err
	}

	dataDir := opts.DataDir
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp("", "thongsuot-portal-*"); err != nil {
			return nil, fmt.Errorf("portal data directory: %w", err)
		}
		closers = append(closers, func() error { return os.RemoveAll(dataDir) })
	}
	ptl, err := portal.New(ctx, portal.Config{DataDir: dataDir, IdentityURL: idForPortal, RegistryURL: regURL, Registries: registries,
		Issuer: Issuer, Audience: Audience, Naive: opts.Naive})
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	closers = append(closers, ptl.Close)
	ptlAddr, stop, err := serve(ptl)
	if err != nil {
		return nil, err
	}
	closers = append(closers, stop)
	portalURL, err := link("client->portal", ptlAddr)
	if err != nil {
		return nil, err
	}
	// Each link tier reaches the portal over its own link, then through the portal's
	// front door (client->portal) like every client.
	tiers := map[string]string{}
	for _, tier := range scenarios.Tiers {
		if tiers[tier], err = link(scenarios.TierLink(tier), strings.TrimPrefix(portalURL, "http://")); err != nil {
			return nil, err
		}
		if err := fault.Standing(tier, opts.Tiers[tier], proxies[scenarios.TierLink(tier)]); err != nil {
			return nil, err
		}
	}

	if err := waitReady(ctx, portalURL+"/readyz", readyTimeout); err != nil {
		return nil, err
	}
	return &Stack{
		Runtime: "embedded", Portal: portalURL, Identity: idForClients, Tiers: tiers,
		Proxies: proxies, ToxiproxyAPI: tp.Addr,
		Citizen: people.Citizen,
		close:   shutdown,
	}, nil
}

// serve runs h on a fresh 127.0.0.1 port and returns its address and how to stop it.
func serve(h http.Handler) (string, func() error, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	stop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
		return nil
	}
	return ln.Addr().String(), stop, nil
}
