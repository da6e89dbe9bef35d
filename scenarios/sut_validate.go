package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MaxSUTList bounds an image role's env, command and volumes, and sut.allow.
const MaxSUTList = 100

// validateSUT checks what each role's source allows, and what the rest of the scenario
// asks of the roles: a fault needs its link or process, zero_loss a receipts listing.
func (s *Scenario) validateSUT() []problem {
	var ps []problem
	add := func(field, format string, args ...any) { ps = append(ps, problemf(field, format, args...)) }
	sut := s.SUT
	for _, name := range sortedRoleNames(sut.Roles()) {
		field := "sut." + name
		if reg, ok := strings.CutPrefix(name, "registry."); ok {
			field = "sut.registries." + reg
			if !slices.Contains(Registries, reg) {
				add(field, "unknown registry %q (known: %s)", reg, strings.Join(Registries, ", "))
				continue
			}
		}
		ps = append(ps, sut.Roles()[name].validate(field, name == "portal", s.File)...)
	}
	for i, h := range sut.Allow {
		if h == "" || strings.ContainsAny(h, "/:@ ") && !strings.HasPrefix(h, "[") {
			add(fmt.Sprintf("sut.allow[%d]", i), "want a host name or address, without scheme or port, got %q", h)
		}
	}
	if len(sut.Allow) > MaxSUTList {
		add("sut.allow", "has %d hosts; the limit is %d", len(sut.Allow), MaxSUTList)
	}
	if t := sut.Token; t != nil {
		ps = append(ps, t.validate(s.File)...)
	}

	portal, identity := sut.Portal.Source(), sut.Identity.Source()
	if portal == SourceURL {
		if identity != SourceURL && (sut.Token == nil || sut.Token.URL == "") && s.signsInAtIdentity() {
			add("sut.identity", "a portal already running trusts an identity provider thongsuot cannot start for it: give sut.identity.url (the one it trusts) or sut.token.url")
		}
		for _, reg := range sortedKeys(sut.Registries) {
			add("sut.registries."+reg, "the registries behind a portal already running are its own: thongsuot cannot put another in front of it")
		}
	}
	// A listing read as a service client: thongsuot has a client of its own only at an
	// identity provider it starts (the reference, or an image given the contract).
	needsClient := identity == SourceURL
	if rc := sut.Portal.Receipts; rc != nil && rc.Auth == AuthService && rc.ClientID == "" && needsClient {
		add("sut.portal.receipts.client_id", "missing: the service client thongsuot signs in as at your identity provider to read the listing (and client_secret_env)")
	}

	replaced := sortedKeys(sut.Registries)
	for i, f := range s.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		switch {
		case f.Link != "" && portal == SourceURL && strings.HasPrefix(f.Link, "portal->"):
			add(p+".link", "the portal is already running at %s: its calls to %s do not go through thongsuot, so %s cannot be broken; break a client link (client->portal, a tier) instead",
				sut.Portal.URL, strings.TrimPrefix(f.Link, "portal->"), f.Link)
		case f.Link == "portal->registry" && len(replaced) > 0:
			add(p+".link", "portal->registry is the trunk to the reference registry server; %s %s reached on links of their own: break those (portal->registry.%s)",
				strings.Join(replaced, ", "), plural(len(replaced), "is", "are"), replaced[0])
		case f.Role != "":
			if why := sut.processFaultImpossible(f.Role); why != "" {
				add(p+".role", "%s", why)
			}
		}
	}
	for i, o := range s.SLOs.Objectives {
		if o.Kind != KindZeroLoss {
			continue
		}
		p := fmt.Sprintf("slos.objectives[%d]", i)
		switch {
		case sut.ReceiptsListing() == nil:
			add(p, "zero_loss reconciles against the portal's receipts listing, and this %s portal has none: give sut.portal.receipts (path, auth) or run --receipts PATH if it has one (the reference's: GET %s), or remove the objective",
				sut.Portal.Source(), DefaultReceiptsPath)
		case sut.Portal.Source() == SourceReference && needsClient:
			add(p, "the reference portal lists its receipts to a service client of the identity provider it trusts, and thongsuot has none at %s: remove the objective, or judge the reference identity provider", sut.Identity.URL)
		}
	}
	return ps
}

// processFaultImpossible says why a process fault cannot act on role, or "".
func (s SUT) processFaultImpossible(role string) string {
	switch role {
	case "portal", "identity":
		r := s.Portal
		if role == "identity" {
			r = s.Identity
		}
		if r.Source() == SourceURL {
			return fmt.Sprintf("the %s is already running at %s: thongsuot has no process of it to stop, kill or pause; break its client link instead", role, r.URL)
		}
	case "registry":
		if s.Portal.Source() == SourceURL {
			return "the registries behind a portal already running are its own: thongsuot starts no registry process"
		}
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// validate checks one role; dir-relative files (CA, volumes) are checked to exist.
func (r Role) validate(field string, portal bool, file string) []problem {
	var ps []problem
	add := func(f, format string, args ...any) { ps = append(ps, problemf(field+f, format, args...)) }
	sources := 0
	for _, set := range []bool{r.Mode != "", r.Image != "", r.URL != ""} {
		if set {
			sources++
		}
	}
	if sources > 1 {
		add("", "one of mode (a reference variant), image or url, not several")
	}
	modes := []string{ModeReference}
	if portal {
		modes = PortalModes
	}
	if r.Mode != "" && !slices.Contains(modes, r.Mode) {
		add(".mode", "unknown mode %q (known: %s)", r.Mode, strings.Join(modes, ", "))
	}
	src := r.Source()
	if src != SourceImage {
		for name, set := range map[string]bool{"port": r.Port != 0, "env": len(r.Env) > 0, "health": r.Health != nil, "command": len(r.Command) > 0, "volumes": len(r.Volumes) > 0} {
			if set {
				add("."+name, "only an image role takes %s; this one is %s", name, src)
			}
		}
	}
	if src != SourceURL && r.CA != "" {
		add(".ca", "only a url role takes ca; this one is %s", src)
	}
	if r.Receipts != nil {
		switch {
		case !portal:
			add(".receipts", "only the portal has a receipts listing")
		case src == SourceReference:
			add(".receipts", "the reference portal's listing is built in (GET %s): give receipts to an image or url portal", DefaultReceiptsPath)
		default:
			ps = append(ps, r.Receipts.validate(field+".receipts")...)
		}
	}
	switch src {
	case SourceImage:
		if !imageRefRe.MatchString(r.Image) {
			add(".image", "want NAME:TAG or NAME@sha256:DIGEST (a tag names the build the verdict is about), got %q", r.Image)
		}
		if h := r.Health; h != nil && !strings.HasPrefix(h.Path, "/") {
			add(".health.path", "want a path starting with /, got %q", h.Path)
		}
		for _, k := range sortedKeys(r.Env) {
			if !envNameRe.MatchString(k) {
				add(".env."+k, "not a name an environment variable can have")
			}
			ps = append(ps, checkRefs(field+".env."+k, r.Env[k])...)
		}
		for i, arg := range r.Command {
			ps = append(ps, checkRefs(fmt.Sprintf("%s.command[%d]", field, i), arg)...)
		}
		for i, v := range r.Volumes {
			ps = append(ps, checkVolume(fmt.Sprintf("%s.volumes[%d]", field, i), v, file)...)
		}
		for name, n := range map[string]int{"env": len(r.Env), "command": len(r.Command), "volumes": len(r.Volumes)} {
			if n > MaxSUTList {
				add("."+name, "has %d entries; the limit is %d", n, MaxSUTList)
			}
		}
	case SourceURL:
		ps = append(ps, checkURL(field, r.URL, r.CA, file)...)
	}
	return ps
}

func (rc *Receipts) validate(field string) []problem {
	var ps []problem
	add := func(f, format string, args ...any) { ps = append(ps, problemf(field+f, format, args...)) }
	if !strings.HasPrefix(rc.Path, "/") {
		add(".path", "want a path starting with /, got %q", rc.Path)
	}
	switch rc.Auth {
	case AuthService:
		if (rc.ClientID == "") != (rc.ClientSecretEnv == "") {
			add("", "client_id and client_secret_env go together: the service client and where its secret is")
		}
	case AuthBearer:
		if rc.TokenEnv == "" {
			add(".token_env", "missing: the environment variable holding the bearer token")
		}
	case AuthNone:
	default:
		add(".auth", "unknown auth %q (known: %s, %s, %s)", rc.Auth, AuthService, AuthBearer, AuthNone)
	}
	return append(ps, checkEnvNames(field, map[string]string{"client_secret_env": rc.ClientSecretEnv, "token_env": rc.TokenEnv})...)
}

func (t *Token) validate(file string) []problem {
	var ps []problem
	add := func(f, format string, args ...any) { ps = append(ps, problemf("sut.token"+f, format, args...)) }
	if t.URL != "" {
		ps = append(ps, checkURL("sut.token", t.URL, t.CA, file)...)
		if t.Path != "" {
			add(".path", "path is on the identity role; with url the endpoint is named whole")
		}
	} else if t.CA != "" {
		add(".ca", "only a token url takes ca (the identity role's URL has its own)")
	}
	if t.Path != "" && !strings.HasPrefix(t.Path, "/") {
		add(".path", "want a path starting with /, got %q", t.Path)
	}
	switch t.Grant {
	case "", GrantPassword:
	case GrantClientCreds:
		if t.ClientSecretEnv == "" {
			add(".client_secret_env", "missing: a client_credentials grant needs the client's secret (the environment variable holding it)")
		}
	default:
		add(".grant", "unknown grant %q (known: %s, %s)", t.Grant, GrantPassword, GrantClientCreds)
	}
	if t.Username != "" && !strings.Contains(t.Username, UsernameID) {
		add(".username", "must contain %s, where each virtual user's own name goes", UsernameID)
	}
	return append(ps, checkEnvNames("sut.token", map[string]string{"client_secret_env": t.ClientSecretEnv, "password_env": t.PasswordEnv})...)
}

// checkURL checks the url field under field and its ca: an https URL, a file that exists.
func checkURL(field, raw, ca, file string) []problem {
	var ps []problem
	u, err := parseTargetURL(raw)
	if err != nil {
		ps = append(ps, problemf(field+".url", "%v", err))
	} else if ca != "" && u.Scheme != "https" {
		ps = append(ps, problemf(field+".ca", "a CA checks an https URL; %s is %s", raw, u.Scheme))
	}
	if ca != "" {
		ps = append(ps, checkFile(field+".ca", ca, file)...)
	}
	return ps
}

// checkEnvNames holds the fields under field that name environment variables to names
// a variable can have.
func checkEnvNames(field string, names map[string]string) []problem {
	var ps []problem
	for _, name := range sortedKeys(names) {
		if v := names[name]; v != "" && !envNameRe.MatchString(v) {
			ps = append(ps, problemf(field+"."+name, "not a name an environment variable can have: %q", v))
		}
	}
	return ps
}

// checkRefs holds each ${THONGSUOT_…} of text to the contract; other names are the
// role's own env or come from the harness's environment when the role starts.
func checkRefs(field, text string) []problem {
	var ps []problem
	for _, m := range envRefRe.FindAllStringSubmatch(text, -1) {
		name := m[1]
		switch {
		case !envNameRe.MatchString(name):
			ps = append(ps, problemf(field, "${%s}: not a name an environment variable can have", name))
		case strings.HasPrefix(name, EnvPrefix) && !slices.Contains(ContractEnv(), name):
			ps = append(ps, problemf(field, "${%s} is not a variable of the contract (%s, %s, %s)", name,
				strings.Join(contractBase, ", "), RegistryURLEnv("<REGISTRY>"), ProvinceURLEnv("<CODE>")))
		}
	}
	return ps
}

// checkVolume checks PATH or HOST:PATH.
func checkVolume(field, v, file string) []problem {
	host, path, bind := strings.Cut(v, ":")
	if !bind {
		path = host
	}
	if !strings.HasPrefix(path, "/") {
		return []problem{problemf(field, "want an absolute path in the container (or HOST:PATH), got %q", v)}
	}
	if bind {
		return checkFile(field, host, file)
	}
	return nil
}

// RelativeTo resolves a path a scenario names against the scenario file's folder.
func RelativeTo(file, path string) string {
	if filepath.IsAbs(path) || file == "" {
		return path
	}
	return filepath.Join(filepath.Dir(file), path)
}

// checkFile checks that a file the scenario names exists (relative to its folder).
func checkFile(field, path, file string) []problem {
	if _, err := os.Stat(RelativeTo(file, path)); err != nil {
		return []problem{problemf(field, "%v", err)}
	}
	return nil
}
