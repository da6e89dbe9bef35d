package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
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
// client-side proxies through ports mapped on 127.0.0.1.
type Containers struct {
	Binary   string    // static thongsuot binary for the image; "" = $THONGSUOT_BINARY or this executable
	Progress io.Writer // bring-up steps; nil for none
}

// containerStack is what Close and the container faults need.
type containerStack struct {
	cli        *testcontainers.DockerClient
	network    *testcontainers.DockerNetwork
	volume     string
	image      *HeldImage // the reference image, held until the stack is closed
	mu         sync.Mutex
	containers map[string]*testcontainers.DockerContainer // by role
}

// Up builds (or reuses) the image and starts registry, identity and toxiproxy, the
// proxies, then the portal behind them.
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
	labels := map[string]string{LabelRun: runID, labelPID: strconv.Itoa(os.Getpid())}
	if cs.image, err = EnsureImage(ctx, cli, referenceImage(binary), labels, say); err != nil {
		return nil, err
	}
	image := cs.image.Ref
	if cs.network, err = network.New(ctx, network.WithLabels(labels)); err != nil {
		return nil, fmt.Errorf("creating the network: %w", err)
	}
	vol, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: "thongsuot-portal-" + runID, Labels: labels})
	if err != nil {
		return nil, fmt.Errorf("creating the portal's volume: %w", err)
	}
	cs.volume = vol.Volume.Name

	// The secrets go in the environment, not on command lines. The harness's opens
	// identity's and the registry's admin APIs; the portal's, the registries.
	adminToken, registryToken := credential.NewSecret(), credential.NewSecret()
	env := map[string]map[string]string{
		"registry":  {credential.AdminTokenEnv: adminToken, credential.RegistryTokenEnv: registryToken},
		"identity":  {credential.AdminTokenEnv: adminToken},
		"portal":    {credential.RegistryTokenEnv: registryToken},
		"toxiproxy": {},
	}
	common := func(role string, port int, ready string, args ...string) []testcontainers.ContainerCustomizer {
		return []testcontainers.ContainerCustomizer{
			testcontainers.WithEnv(env[role]),
			testcontainers.WithCmd(append([]string{"stub", role}, args...)...),
			network.WithNetwork([]string{role}, cs.network),
			testcontainers.WithLabels(labels),
			testcontainers.WithName("thongsuot-" + runID + "-" + role),
			testcontainers.WithTmpfs(map[string]string{"/tmp": "rw"}),
			testcontainers.WithExposedPorts(fmt.Sprintf("%d/tcp", port)),
			// scratch has no shell, so readiness is an HTTP probe, never a port exec.
			testcontainers.WithWaitStrategy(wait.ForHTTP(ready).WithPort(fmt.Sprintf("%d/tcp", port)).WithStartupTimeout(startTimeout)),
		}
	}
	seed := []string{"--seed", strconv.FormatInt(opts.Seed, 10), "--citizens", strconv.Itoa(opts.Citizens)}
	listen := []string{"--listen", fmt.Sprintf("0.0.0.0:%d", stubPort)}

	// The toxiproxy container creates every proxy as it starts, so all four roles can
	// start at once: the portal keeps fetching the identity keys through its proxy
	// until identity answers, and is ready then. Link i listens on firstLinkPort+i;
	// a chained link's upstream is the other link's port in the same container.
	var proxyArgs, linkPorts []string
	urls := wiring{} // link → base URL for whoever uses it
	port := map[string]int{}
	for i, l := range topology() {
		port[l.name] = firstLinkPort + i
		upstream := fmt.Sprintf("%s:%d", l.role, stubPort)
		if l.via != "" {
			upstream = fmt.Sprintf("127.0.0.1:%d", port[l.via])
		}
		proxyArgs = append(proxyArgs, "--proxy", fmt.Sprintf("%s=0.0.0.0:%d=%s", proxyName(l.name), port[l.name], upstream))
		linkPorts = append(linkPorts, fmt.Sprintf("%d/tcp", port[l.name]))
		urls[l.name] = fmt.Sprintf("http://toxiproxy:%d", port[l.name])
	}
	portalArgs := append(listen, "--data", "/data", "--identity", urls["portal->identity"], "--registry", urls["portal->registry"])
	for name, u := range urls.registries() {
		portalArgs = append(portalArgs, "--registry-url", name+"="+u)
	}
	if opts.Naive {
		portalArgs = append(portalArgs, "--naive")
	}
	identityArgs := append(append(listen, seed...), "--token-ttl", opts.TokenTTL.String())
	toxiproxyArgs := append([]string{"--listen", fmt.Sprintf("0.0.0.0:%d", toxiproxyPort)}, proxyArgs...)
	roles := map[string][]testcontainers.ContainerCustomizer{
		"registry":  common("registry", stubPort, "/readyz", append(listen, seed...)...),
		"identity":  common("identity", stubPort, "/readyz", identityArgs...),
		"toxiproxy": append(common("toxiproxy", toxiproxyPort, "/version", toxiproxyArgs...), testcontainers.WithExposedPorts(linkPorts...)),
		"portal": append(common("portal", stubPort, "/readyz", portalArgs...),
			testcontainers.WithMounts(testcontainers.VolumeMount(cs.volume, "/data"))),
	}
	say("starting registry, identity, toxiproxy and the portal")
	g, gctx := errgroup.WithContext(ctx)
	for role, o := range roles {
		g.Go(func() error { return cs.start(gctx, role, image, o) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	tpc := cs.containers["toxiproxy"]
	apiPort, err := tpc.MappedPort(ctx, fmt.Sprintf("%d/tcp", toxiproxyPort))
	if err != nil {
		return nil, err
	}
	api := fmt.Sprintf("127.0.0.1:%d", apiPort.Num())
	tp := toxiproxy.NewClient(api)
	proxies := map[string]*toxiproxy.Proxy{}
	for _, l := range topology() {
		if proxies[l.name], err = tp.Proxy(proxyName(l.name)); err != nil {
			return nil, fmt.Errorf("proxy for %s: %w", l.name, err)
		}
		if l.client {
			mapped, err := tpc.MappedPort(ctx, fmt.Sprintf("%d/tcp", port[l.name]))
			if err != nil {
				return nil, err
			}
			urls[l.name] = fmt.Sprintf("http://127.0.0.1:%d", mapped.Num())
		}
	}
	if err := standing(opts.Tiers, proxies); err != nil {
		return nil, err
	}
	if err := waitReady(ctx, urls["client->portal"]+"/readyz", readyTimeout); err != nil {
		return nil, fmt.Errorf("portal through client->portal: %w", err)
	}

	people := census.New(opts.Seed, opts.Citizens)
	return &Stack{
		Runtime: "containers", Portal: urls["client->portal"], Identity: urls["client->identity"], Tiers: urls.tiers(),
		Proxies: proxies, ToxiproxyAPI: api, Citizen: people.Citizen, Roles: cs, AdminToken: adminToken,
		close: cs.close,
	}, nil
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
	if cs.volume != "" {
		_, err := cs.cli.VolumeRemove(ctx, cs.volume, client.VolumeRemoveOptions{Force: true})
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
			Container: id, EndpointConfig: &mobynetwork.EndpointSettings{Aliases: []string{role}}})
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
