package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	mobynetwork "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
	"golang.org/x/sync/errgroup"

	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
)

// Container ports: every stub serves on 8080, the toxiproxy API on 8474, and link i's
// proxy listens on firstLinkPort+i inside the toxiproxy container.
const (
	stubPort      = 8080
	toxiproxyPort = 8474
	firstLinkPort = 21000
	stopTimeout   = 2 * time.Second
	startTimeout  = 60 * time.Second
)

// Containers runs each role in its own container on a private Docker network: one
// FROM scratch image holding the static thongsuot binary, roles as subcommands
// (thongsuot stub portal|identity|registry|toxiproxy). Services reach each other only
// through the toxiproxy container, so every link can be faulted; the load reaches the
// client-side proxies through ports mapped on 127.0.0.1 (or the engine's host).
type Containers struct {
	Binary   string    // static thongsuot binary for the image; "" = $THONGSUOT_BINARY or this executable
	Progress io.Writer // bring-up steps; nil for none
}

// containerStack is what Close and the container faults need.
type containerStack struct {
	cli        *testcontainers.DockerClient
	network    *testcontainers.DockerNetwork
	volumes    []string
	image      *HeldImage // the reference image, held until the stack is closed
	mu         sync.Mutex
	containers map[string]*testcontainers.DockerContainer // by role
}

// alias is a role's name on the run's network: registry.population → registry-population.
func alias(role string) string { return strings.ReplaceAll(role, ".", "-") }

// rolePort is the port a role listens on in its container.
func rolePort(r roleSpec) int {
	if r.src.Source() == scenarios.SourceImage {
		return r.src.Port
	}
	return stubPort
}

// Up builds (or reuses) the reference image and starts the roles — the reference stubs
// from it, the user's images as they are — and toxiproxy with a proxy on every link,
// all at once: the portal keeps fetching the identity keys through its proxy until
// identity answers, and is ready then.
func (c Containers) Up(ctx context.Context, opts Options) (st *Stack, err error) {
	say := func(format string, args ...any) {
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, format+"\n", args...)
		}
	}
	binary, err := imageBinary(c.Binary)
	if err != nil {
		return nil, err
	}
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	cs := &containerStack{cli: cli, containers: map[string]*testcontainers.DockerContainer{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, cs.close())
		}
	}()
	if err := RemoveLeftovers(ctx, cli); err != nil {
		say("warning: removing leftovers of earlier runs: %v", err)
	}
	runID := newRunID()
	labels := map[string]string{LabelRun: runID, LabelPID: strconv.Itoa(os.Getpid())}
	if cs.image, err = EnsureImage(ctx, cli, referenceImage(binary), labels, say); err != nil {
		return nil, err
	}
	roles := append(stackRoles(opts.SUT), provinceRoles(opts.SUT)...)
	remote, err := urlRoles(opts.SUT)
	if err != nil {
		return nil, err
	}
	var systems []System
	for _, r := range roles {
		digest := ""
		switch r.src.Source() {
		case scenarios.SourceImage: // on the engine, or the run stops here: nothing is pulled
			if digest, err = imageDigest(ctx, cli, r.src.Image); err != nil {
				return nil, fmt.Errorf("%s: %w", r.name, err)
			}
		case scenarios.SourceURL:
			if host, _, _ := net.SplitHostPort(remote[r.name].upstream); scenarios.IsLoopback(host) {
				return nil, fmt.Errorf("%s at %s: a container cannot reach this machine's loopback; run it on the embedded runtime", r.name, r.src.URL)
			}
		}
		systems = append(systems, systemOf(r, digest))
	}

	if cs.network, err = network.New(ctx, network.WithLabels(labels)); err != nil {
		return nil, fmt.Errorf("creating the network: %w", err)
	}
	// The secrets go in the environment, not on command lines. The harness's opens
	// identity's and the registry's admin APIs; the portal's, the registries.
	adminToken, registryToken := credential.NewSecret(), credential.NewSecret()

	// The toxiproxy container creates every proxy as it starts. Link i listens on
	// firstLinkPort+i; a chained link's upstream is the other link's port in the same
	// container; a url role's, the host its URL names.
	ls := append(topology(opts.SUT), subsetLinks(opts.Subsets)...)
	ports := map[string]int{}
	byName := map[string]roleSpec{}
	for _, r := range roles {
		byName[r.name] = r
	}
	var proxyArgs, linkPorts []string
	inside := newWiring() // link → base URL for the services on the network
	for i, l := range ls {
		ports[l.name] = firstLinkPort + i
		upstream := fmt.Sprintf("%s:%d", alias(l.role), rolePort(byName[l.role]))
		switch {
		case l.via != "":
			upstream = fmt.Sprintf("127.0.0.1:%d", ports[l.via])
		case remote[l.role].upstream != "":
			upstream = remote[l.role].upstream
		}
		proxyArgs = append(proxyArgs, "--proxy", fmt.Sprintf("%s=0.0.0.0:%d=%s", proxyName(l.name), ports[l.name], upstream))
		linkPorts = append(linkPorts, fmt.Sprintf("%d/tcp", ports[l.name]))
		inside.add(ls, l.name, fmt.Sprintf("toxiproxy:%d", ports[l.name]), remote)
	}
	contract := contractEnv(inside, opts, adminToken, registryToken)
	specs := map[string][]testcontainers.ContainerCustomizer{
		"toxiproxy": append(cs.reference("toxiproxy", toxiproxyPort, labels, runID, "/version", nil,
			append([]string{"--listen", fmt.Sprintf("0.0.0.0:%d", toxiproxyPort)}, proxyArgs...)...),
			testcontainers.WithExposedPorts(linkPorts...)),
	}
	for _, r := range roles {
		var o []testcontainers.ContainerCustomizer
		switch r.src.Source() {
		case scenarios.SourceURL:
			continue
		case scenarios.SourceImage:
			if o, err = cs.userImage(ctx, r, contract[r.name], labels, runID, opts.BaseDir); err != nil {
				return nil, err
			}
		default:
			if o, err = cs.referenceRole(ctx, r, inside, opts, labels, runID, adminToken, registryToken); err != nil {
				return nil, err
			}
		}
		specs[r.name] = o
	}
	say("starting %s", strings.Join(sortedKeys(specs), ", "))
	g, gctx := errgroup.WithContext(ctx)
	for role, o := range specs {
		img := cs.image.Ref
		if r, ok := byName[role]; ok && r.src.Source() == scenarios.SourceImage {
			img = r.src.Image
		}
		g.Go(func() error { return cs.start(gctx, role, img, o) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	tpc := cs.containers["toxiproxy"]
	apiPort, err := tpc.MappedPort(ctx, fmt.Sprintf("%d/tcp", toxiproxyPort))
	if err != nil {
		return nil, err
	}
	// Mapped ports are on the engine's host: 127.0.0.1 unless TESTCONTAINERS_HOST_OVERRIDE
	// says otherwise (a Docker-in-Docker service in CI).
	host, err := tpc.Host(ctx)
	if err != nil {
		return nil, err
	}
	at := func(port uint16) string { return net.JoinHostPort(host, strconv.Itoa(int(port))) }
	api := at(apiPort.Num())
	tp := toxiproxy.NewClient(api)
	proxies := map[string]*toxiproxy.Proxy{}
	links := map[string]string{}
	outside := newWiring() // link → base URL from this machine
	for _, l := range ls {
		if proxies[l.name], err = tp.Proxy(proxyName(l.name)); err != nil {
			return nil, fmt.Errorf("proxy for %s: %w", l.name, err)
		}
		mapped, err := tpc.MappedPort(ctx, fmt.Sprintf("%d/tcp", ports[l.name]))
		if err != nil {
			return nil, err
		}
		links[l.name] = at(mapped.Num())
		outside.add(ls, l.name, links[l.name], remote)
	}
	direct := map[string]string{}
	for _, r := range roles {
		if r.src.Source() == scenarios.SourceURL {
			direct[r.name] = r.src.URL
			continue
		}
		mapped, err := cs.containers[r.name].MappedPort(ctx, fmt.Sprintf("%d/tcp", rolePort(r)))
		if err != nil {
			return nil, err
		}
		direct[r.name] = "http://" + at(mapped.Num())
	}
	// The meters count in the toxiproxy container; the harness reads them over its API.
	linkBytes, _, err := meter(proxies, remoteMeters(api))
	if err != nil {
		return nil, err
	}
	if err := standing(opts.Tiers, proxies); err != nil {
		return nil, err
	}
	if p := byName[rolePortal].src; p.Source() != scenarios.SourceURL {
		path, status := "/readyz", http.StatusOK
		if p.Health != nil {
			path, status = p.Health.Path, p.Health.Status
		}
		if err := waitStatus(ctx, outside.urls["client->portal"]+path, status, readyTimeout); err != nil {
			return nil, fmt.Errorf("portal through client->portal: %w", err)
		}
	}

	people := census.New(opts.Seed, opts.Citizens)
	return &Stack{
		Runtime: "containers", Portal: outside.urls["client->portal"], Identity: outside.urls["client->identity"], Tiers: outside.tiers(), IdentityTiers: outside.identityTiers(),
		Names: outside.names, Proxies: proxies, Links: links, Direct: direct, Systems: systems, ToxiproxyAPI: api,
		Citizen: people.Citizen, Roles: cs, AdminToken: adminToken, Knobs: newAdminKnobs(roles, direct, adminToken),
		LinkBytes: linkBytes, close: cs.close,
	}, nil
}

// reference is what every container of the reference image has: its subcommand, the
// secrets in its environment, the run's network and labels, scratch space, the port it
// serves on, and readiness by HTTP — scratch has no shell, so never a port exec.
func (cs *containerStack) reference(role string, port int, labels map[string]string, runID, ready string, env map[string]string, args ...string) []testcontainers.ContainerCustomizer {
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(env),
		testcontainers.WithCmd(append([]string{"stub", strings.SplitN(role, ".", 2)[0]}, args...)...),
		network.WithNetwork([]string{alias(role)}, cs.network),
		testcontainers.WithLabels(labels),
		testcontainers.WithName("thongsuot-" + runID + "-" + alias(role)),
		testcontainers.WithTmpfs(map[string]string{"/tmp": "rw"}),
		testcontainers.WithExposedPorts(fmt.Sprintf("%d/tcp", port)),
		testcontainers.WithWaitStrategy(wait.ForHTTP(ready).WithPort(fmt.Sprintf("%d/tcp", port)).WithStartupTimeout(startTimeout)),
	}
}

// referenceRole is a reference stub's container: the portal keeps its store on a
// volume of the run, so a restarted portal keeps every acknowledged dossier.
func (cs *containerStack) referenceRole(ctx context.Context, r roleSpec, w wiring, opts Options, labels map[string]string, runID, adminToken, registryToken string) ([]testcontainers.ContainerCustomizer, error) {
	seed := []string{"--seed", strconv.FormatInt(opts.Seed, 10), "--citizens", strconv.Itoa(opts.Citizens)}
	listen := []string{"--listen", fmt.Sprintf("0.0.0.0:%d", stubPort)}
	switch r.name {
	case roleRegistry:
		env := map[string]string{credential.AdminTokenEnv: adminToken, credential.RegistryTokenEnv: registryToken}
		return cs.reference(r.name, stubPort, labels, runID, "/readyz", env, append(listen, seed...)...), nil
	case roleProvince:
		env := map[string]string{credential.AdminTokenEnv: adminToken, credential.RegistryTokenEnv: registryToken}
		return cs.reference(r.name, stubPort, labels, runID, "/readyz", env, listen...), nil
	case roleIdentity:
		args := append(append(listen, seed...), "--token-ttl", opts.TokenTTL.String())
		return cs.reference(r.name, stubPort, labels, runID, "/readyz", map[string]string{credential.AdminTokenEnv: adminToken}, args...), nil
	}
	vol, err := cs.volume(ctx, "portal", labels, runID)
	if err != nil {
		return nil, err
	}
	args := append(listen, "--data", "/data", "--identity", w.urls["portal->identity"], "--registry", w.urls["portal->registry"])
	for name, u := range w.registries() {
		args = append(args, "--registry-url", name+"="+u)
	}
	for code, u := range w.provinces() {
		args = append(args, "--province-url", code+"="+u)
	}
	if r.src.Mode == scenarios.ModeNaive {
		args = append(args, "--naive")
	}
	return append(cs.reference(r.name, stubPort, labels, runID, "/readyz", map[string]string{credential.RegistryTokenEnv: registryToken}, args...),
		testcontainers.WithMounts(testcontainers.VolumeMount(vol, "/data"))), nil
}

// volume creates a volume of the run, removed with it.
func (cs *containerStack) volume(ctx context.Context, name string, labels map[string]string, runID string) (string, error) {
	vol, err := cs.cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: "thongsuot-" + runID + "-" + name, Labels: labels})
	if err != nil {
		return "", fmt.Errorf("creating volume %s: %w", name, err)
	}
	cs.mu.Lock()
	cs.volumes = append(cs.volumes, vol.Volume.Name)
	cs.mu.Unlock()
	return vol.Volume.Name, nil
}

func (cs *containerStack) start(ctx context.Context, role, image string, opts []testcontainers.ContainerCustomizer) error {
	c, err := testcontainers.Run(ctx, image, opts...)
	if c != nil {
		cs.mu.Lock()
		cs.containers[role] = c
		cs.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("starting %s: %w", role, err)
	}
	return nil
}

// close removes every container, the network and the volume.
func (cs *containerStack) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	errs := make([]error, len(cs.containers), len(cs.containers)+3)
	var wg sync.WaitGroup
	i := 0
	for _, c := range cs.containers {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = c.Terminate(ctx, testcontainers.StopTimeout(stopTimeout))
		}(i)
		i++
	}
	wg.Wait()
	if cs.network != nil {
		errs = append(errs, cs.network.Remove(ctx))
	}
	for _, v := range cs.volumes {
		_, err := cs.cli.VolumeRemove(ctx, v, client.VolumeRemoveOptions{Force: true})
		errs = append(errs, err)
	}
	errs = append(errs, cs.image.Release(ctx))
	errs = append(errs, cs.cli.Close())
	return errors.Join(errs...)
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Act is a process fault on a role's container (fault.Roles).
func (cs *containerStack) Act(ctx context.Context, role, action string) error {
	id, err := cs.containerID(role)
	if err != nil {
		return err
	}
	timeout := int(stopTimeout / time.Second)
	switch action {
	case scenarios.ActionStop:
		_, err = cs.cli.ContainerStop(ctx, id, client.ContainerStopOptions{Timeout: &timeout})
	case scenarios.ActionKill:
		_, err = cs.cli.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: "KILL"})
	case scenarios.ActionRestart:
		_, err = cs.cli.ContainerRestart(ctx, id, client.ContainerRestartOptions{Timeout: &timeout})
	case scenarios.ActionPause:
		_, err = cs.cli.ContainerPause(ctx, id, client.ContainerPauseOptions{})
	case scenarios.ActionDisconnect:
		_, err = cs.cli.NetworkDisconnect(ctx, cs.network.ID, client.NetworkDisconnectOptions{Container: id, Force: true})
	default:
		err = fmt.Errorf("unknown action %q", action)
	}
	return err
}

// Restore undoes Act (fault.Roles).
func (cs *containerStack) Restore(ctx context.Context, role, action string) error {
	id, err := cs.containerID(role)
	if err != nil {
		return err
	}
	switch action {
	case scenarios.ActionStop, scenarios.ActionKill:
		_, err = cs.cli.ContainerStart(ctx, id, client.ContainerStartOptions{})
	case scenarios.ActionPause:
		_, err = cs.cli.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
	case scenarios.ActionDisconnect:
		// The alias is how the others find it: reconnect under the same name.
		_, err = cs.cli.NetworkConnect(ctx, cs.network.ID, client.NetworkConnectOptions{
			Container: id, EndpointConfig: &mobynetwork.EndpointSettings{Aliases: []string{alias(role)}}})
	}
	return err
}

func (cs *containerStack) containerID(role string) (string, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.containers[role]
	if !ok || role == "toxiproxy" { // the proxies are the harness's, not the system's
		return "", fmt.Errorf("no role %q in this stack", role)
	}
	return c.GetContainerID(), nil
}
