package runtime

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/thongsuot/thongsuot/scenarios"
)

// contractEnv is the environment contract, per role: what an image role finds in its
// environment (scenarios.Env…). URLs go through the proxies, so every link applies to
// the user's image as to the reference one; each role gets only what it needs — the
// portal no admin secret.
func contractEnv(w wiring, opts Options, adminToken, registryToken string) map[string]map[string]string {
	issuer := map[string]string{scenarios.EnvIssuer: Issuer, scenarios.EnvAudience: Audience}
	census := map[string]string{scenarios.EnvSeed: strconv.FormatInt(opts.Seed, 10), scenarios.EnvCitizens: strconv.Itoa(opts.Citizens)}
	portal := map[string]string{scenarios.EnvIdentityURL: w.urls["portal->identity"], scenarios.EnvRegistryURL: w.urls["portal->registry"],
		scenarios.EnvRegistryToken: registryToken}
	for name, u := range w.registries() {
		portal[scenarios.RegistryURLEnv(name)] = u
	}
	for code, u := range w.provinces() {
		portal[scenarios.ProvinceURLEnv(code)] = u
	}
	out := map[string]map[string]string{
		rolePortal:   merge(portal, issuer),
		roleIdentity: merge(map[string]string{scenarios.EnvAdminToken: adminToken}, issuer, census),
	}
	for _, r := range scenarios.Registries {
		out[scenarios.RoleRegistry(r)] = merge(map[string]string{scenarios.EnvAdminToken: adminToken, scenarios.EnvRegistryToken: registryToken}, census)
	}
	return out
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// userImage is the container of an image role: the user's image as it is (its
// entrypoint, Command after it), the contract and its own env, a volume of the run for
// each path that must outlive a process fault, ready when its health path answers.
func (cs *containerStack) userImage(ctx context.Context, r roleSpec, contract map[string]string, labels map[string]string, runID, baseDir string) ([]testcontainers.ContainerCustomizer, error) {
	src := r.src
	env := map[string]string{}
	for k, v := range contract {
		env[k] = v
	}
	env[scenarios.EnvPort] = strconv.Itoa(src.Port)
	fromContract := func(name string) (string, bool) {
		if v, ok := env[name]; ok && strings.HasPrefix(name, scenarios.EnvPrefix) {
			return v, true
		}
		return os.LookupEnv(name)
	}
	for _, k := range sortedKeys(src.Env) {
		v, err := scenarios.Expand(src.Env[k], fromContract)
		if err != nil {
			return nil, fmt.Errorf("%s: env %s: %w", r.name, k, err)
		}
		env[k] = v
	}
	cmd := make([]string, len(src.Command))
	for i, arg := range src.Command {
		v, err := scenarios.Expand(arg, func(name string) (string, bool) {
			if v, ok := env[name]; ok {
				return v, true
			}
			return os.LookupEnv(name)
		})
		if err != nil {
			return nil, fmt.Errorf("%s: command[%d]: %w", r.name, i, err)
		}
		cmd[i] = v
	}
	port := fmt.Sprintf("%d/tcp", src.Port)
	o := []testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(env),
		network.WithNetwork([]string{alias(r.name)}, cs.network),
		testcontainers.WithLabels(labels),
		testcontainers.WithName("thongsuot-" + runID + "-" + alias(r.name)),
		testcontainers.WithExposedPorts(port),
		testcontainers.WithWaitStrategy(wait.ForHTTP(src.Health.Path).WithPort(port).
			WithStatusCodeMatcher(func(status int) bool { return status == src.Health.Status }).WithStartupTimeout(startTimeout)),
	}
	if len(cmd) > 0 {
		o = append(o, testcontainers.WithCmd(cmd...))
	}
	var binds []string
	for i, v := range src.Volumes {
		host, path, bind := strings.Cut(v, ":")
		if bind {
			if !filepath.IsAbs(host) { // relative to the scenario file, as validation checked it
				host = filepath.Join(baseDir, host)
			}
			binds = append(binds, host+":"+path)
			continue
		}
		vol, err := cs.volume(ctx, fmt.Sprintf("%s-%d", alias(r.name), i), labels, runID)
		if err != nil {
			return nil, err
		}
		o = append(o, testcontainers.WithMounts(testcontainers.VolumeMount(vol, testcontainers.ContainerMountTarget(host))))
	}
	if len(binds) > 0 {
		o = append(o, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) { hc.Binds = append(hc.Binds, binds...) }))
	}
	return o, nil
}

// sortedKeys lists a map's keys in order, for messages.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
