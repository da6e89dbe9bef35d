package scenarios

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
)

// A run sends load only to this machine unless told otherwise: a role or token endpoint
// on another host needs that host named in sut.allow or `run --allow-target HOST`.
// Nothing resolves a name to decide: only localhost and loopback addresses are local.

// IsLoopback says whether host (a name or an address) is this machine's loopback.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// target is one host a run would send to, and the field that names it.
type target struct {
	field, host string
}

// targets lists the hosts of the url roles and the token endpoint.
func (s SUT) targets() []target {
	var out []target
	for _, name := range sortedRoleNames(s.Roles()) {
		r := s.Roles()[name]
		if r.Source() != SourceURL {
			continue
		}
		if u, err := parseTargetURL(r.URL); err == nil {
			out = append(out, target{roleField(name) + ".url", u.Hostname()})
		}
	}
	if s.Token != nil && s.Token.URL != "" {
		if u, err := parseTargetURL(s.Token.URL); err == nil {
			out = append(out, target{"sut.token.url", u.Hostname()})
		}
	}
	return out
}

// roleField is a role's path in the scenario: sut.portal, sut.registries.population.
func roleField(role string) string {
	if reg, ok := strings.CutPrefix(role, "registry."); ok {
		return "sut.registries." + reg
	}
	return "sut." + role
}

// RunOptions are what a run adds to the scenario file: the runtime it asked for ("" =
// chosen by the roles) and the hosts it allows (`run --allow-target`).
type RunOptions struct {
	Runtime string
	Allow   []string
}

// Runtime is the runtime the run takes: the one asked for, else containers when a role
// is an image (only containers start images), else embedded.
func (s *Scenario) Runtime(asked string) string {
	switch {
	case asked != "":
		return asked
	case s.SUT.HasImage():
		return "containers"
	}
	return "embedded"
}

// CheckRun validates the scenario again with what the command line changed, and with
// what only a run knows: its runtime, the hosts it may send to, the secrets in its
// environment. Every problem comes back as Errors, located in the file or at the flag
// that set the field. A scenario not read from a file (`up` without one) is only its
// sut: section.
func (s *Scenario) CheckRun(opts RunOptions) error {
	var ps []problem
	if s.index.lines != nil {
		ps = s.validate()
	} else {
		ps = s.validateSUT()
	}
	rt := s.Runtime(opts.Runtime)
	for _, name := range sortedRoleNames(s.SUT.Roles()) {
		r, field := s.SUT.Roles()[name], roleField(name)
		switch {
		case r.Source() == SourceImage && rt != "containers":
			ps = append(ps, problemf(field+".image", "an image runs on the containers runtime; --runtime %s cannot start it (leave --runtime out, or say containers)", rt))
		case r.Source() == SourceURL && rt == "containers":
			if u, err := parseTargetURL(r.URL); err == nil && IsLoopback(u.Hostname()) {
				ps = append(ps, problemf(field+".url", "%s is this machine's loopback, which the containers runtime's proxies (in a container) cannot reach: run it on the embedded runtime", u.Host))
			}
		}
	}
	allowed := append(slices.Clone(s.SUT.Allow), opts.Allow...)
	for _, t := range append(s.SUT.targets(), s.journeyTargets()...) {
		if !IsLoopback(t.host) && !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, t.host) }) {
			ps = append(ps, problemf(t.field, "%s is not this machine: thongsuot sends load there only when told to, with sut.allow: [%s] or --allow-target %s", t.host, t.host, t.host))
		}
	}
	ps = append(ps, s.SUT.unsetSecrets()...)
	ps = append(ps, s.journeyFiles()...)
	if len(ps) == 0 {
		return nil
	}
	return s.locate(ps)
}

// unsetSecrets are the environment variables the scenario names for secrets that this
// process does not have: better said before the system comes up than after.
func (s SUT) unsetSecrets() []problem {
	named := map[string]string{}
	if t := s.Token; t != nil {
		named["sut.token.client_secret_env"], named["sut.token.password_env"] = t.ClientSecretEnv, t.PasswordEnv
	}
	if rc := s.Portal.Receipts; rc != nil {
		named["sut.portal.receipts.client_secret_env"], named["sut.portal.receipts.token_env"] = rc.ClientSecretEnv, rc.TokenEnv
	}
	var ps []problem
	for _, field := range sortedKeys(named) {
		if name := named[field]; name != "" && os.Getenv(name) == "" {
			ps = append(ps, problemf(field, "$%s is not set in thongsuot's environment", name))
		}
	}
	return ps
}

// locate gives each problem its line, or the flag that set its field.
func (s *Scenario) locate(ps []problem) Errors {
	es := locate(s.File, ps, s.index)
	for i := range es {
		for path, flag := range s.flags {
			if es[i].Field == path || strings.HasPrefix(es[i].Field, path+".") || strings.HasPrefix(es[i].Field, path+"[") {
				es[i].Line = 0
				es[i].Msg += fmt.Sprintf(" (set by %s)", flag)
			}
		}
	}
	return es.first(MaxErrors)
}
