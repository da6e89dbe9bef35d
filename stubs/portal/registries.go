package portal

import "strings"

// registryURL is the base URL of one registry: its own entry in Registries, so that
// each registry can sit behind its own link (the harness's per-registry proxies), or
// RegistryURL, the registry server every registry without an entry shares.
func (c *Config) registryURL(name string) string {
	if u := c.Registries[name]; u != "" {
		return strings.TrimRight(u, "/")
	}
	return c.RegistryURL
}
