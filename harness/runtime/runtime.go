// Package runtime brings the system under test up and down: the reference portal,
// identity provider and registries, with a toxiproxy proxy on every link so the fault
// engine can break any of them. The embedded runtime runs everything in this process
// on 127.0.0.1; the containers runtime gives the same Stack.
package runtime

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/thongsuot/thongsuot/harness/fault"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/identity"
)

// Options shape the stack a runtime brings up.
type Options struct {
	Seed     int64         // the census: which citizens exist
	Citizens int           // census size
	TokenTTL time.Duration // identity token lifetime; must outlast the run
	DataDir  string        // where the portal keeps its store ("" = a temporary directory)
	// SUT says where each role comes from (the scenario's sut: section, resolved): the
	// zero value is the reference system.
	SUT scenarios.SUT
	// BaseDir is what the SUT's relative paths (volumes, CA files) are relative to: the
	// scenario file's folder.
	BaseDir string
	// Tiers are the standing conditions of the link tiers' links (scenario tiers:
	// section, resolved); a tier left out gets a link with no toxics.
	Tiers map[string]scenarios.Tier
	// Subsets are the faults that hit some units only, by their index in the scenario,
	// with the tiers each needs a link on (SubsetsOf).
	Subsets map[int][]string
}

// Stack is a running system under test, as the load and the fault engine see it.
type Stack struct {
	Runtime string
	// Portal and Identity are the base URLs clients use, through the client-side proxies.
	Portal, Identity string
	// Tiers gives, per link tier, the portal's base URL over that tier's link, and
	// IdentityTiers the identity provider's.
	Tiers, IdentityTiers map[string]string
	// Names maps the address of each proxy in front of a role already running (a url
	// role) to the host its URL names: requests through it carry that Host and TLS
	// server name.
	Names map[string]string
	// Proxies are the toxiproxy proxies, one per link of scenarios.Links the system has
	// (a portal already running has no outbound links).
	Proxies map[string]*toxiproxy.Proxy
	// Links gives each link's proxy as this machine reaches it (host:port), and Direct
	// each role the runtime started, without a proxy: for poking by hand.
	Links, Direct map[string]string
	// Systems says what each role is: reference, image (with its digest) or url.
	Systems []System
	// ToxiproxyAPI is the toxiproxy HTTP API address, for poking by hand.
	ToxiproxyAPI string
	// Citizen gives census citizen i (i < Options.Citizens), for virtual users.
	Citizen func(i int) census.Citizen
	// Roles acts on the processes (stop, kill, restart, pause, disconnect).
	Roles fault.Roles
	// Knobs turns the reference stubs' knobs (knob faults).
	Knobs fault.Knobs
	// AdminToken is the harness's credential, made up per stack: Bearer on
	// identity's and the registry's /admin/, and the secret of the
	// thongsuot-harness client, whose token opens the portal's /admin/.
	AdminToken string
	// LinkBytes reads what each link (by name) carried so far, each way: the meter
	// toxics' counts (links.go). nil where the runtime cannot read them (containers).
	LinkBytes func() map[string]LinkBytes

	close func() error
}

// ServiceClient is the identity provider's service client the harness signs in as, its
// secret the stack's AdminToken, to read the portal's admin listings.
func (s *Stack) ServiceClient() string { return identity.HarnessClient }

// Close tears the stack down.
func (s *Stack) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// Runtime brings a stack up.
type Runtime interface {
	Up(ctx context.Context, opts Options) (*Stack, error)
}

// Names lists the runtimes this build knows.
var Names = []string{"embedded", "containers"}

// New returns the runtime of the given name; progress (may be nil) hears about slow
// bring-up steps such as building an image.
func New(name string, progress io.Writer) (Runtime, error) {
	switch name {
	case "embedded", "":
		return Embedded{}, nil
	case "containers":
		return Containers{Progress: progress}, nil
	}
	return nil, fmt.Errorf("unknown runtime %q (known: %s)", name, strings.Join(Names, ", "))
}

// readyTimeout bounds how long a stack may take to become ready.
const readyTimeout = 30 * time.Second

// waitReady polls url until it answers 200: the portal is ready once its store is
// open and it has the identity provider's keys.
func waitReady(ctx context.Context, url string, timeout time.Duration) error {
	return waitStatus(ctx, url, http.StatusOK, timeout)
}

// waitStatus polls url until it answers status.
func waitStatus(ctx context.Context, url string, status int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	last := "no answer"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == status {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s (%s): %s", timeout, url, last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// proxyName turns a link name ("portal->registry") into a toxiproxy proxy name, which
// appears in URL paths of the toxiproxy API ("portal_to_registry").
func proxyName(link string) string { return strings.ReplaceAll(link, "->", "_to_") }
