package scenarios

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/thongsuot/thongsuot/units"
)

// SUT says what the system under test is, role by role: the portal, the identity
// provider and each national registry. Left out, a role is thongsuot's reference stub.
type SUT struct {
	Portal   Role `yaml:"portal,omitempty"`
	Identity Role `yaml:"identity,omitempty"`
	// Registries replace single registries (scenarios.Registries); the others stay the
	// reference registry server's.
	Registries map[string]Role `yaml:"registries,omitempty"`
	// Allow names the hosts off this machine the run may send to (url roles, a token
	// endpoint): without it, or `run --allow-target HOST`, a run refuses them.
	Allow []string `yaml:"allow,omitempty"`
	// Token says how virtual users get their bearer tokens; left out, a password grant at
	// the identity role's /oauth2/token, as the reference identity provider takes it.
	Token *Token `yaml:"token,omitempty"`
}

// Role is where one role of the system under test comes from: thongsuot's reference
// stub (Mode), the user's container image (Image and what starts it), or a system
// already running (URL).
type Role struct {
	// Mode picks a variant of the reference role: "reference" (the default) or, for the
	// portal, "naive" — the reference portal without its protections (no timeouts,
	// breakers, bulkheads or shedding; registry calls inline), so that a gate can be
	// shown to fail what should fail.
	Mode string `yaml:"mode,omitempty"`

	// Image is NAME:TAG (or NAME@sha256:…) of an image on the Docker engine, never
	// pulled, started on the run's private network; it finds the other roles through
	// the environment variables of the contract (EnvIdentityURL, …), which Env and
	// Command may pass on under other names as ${THONGSUOT_…}.
	Image   string            `yaml:"image,omitempty"`
	Port    int               `yaml:"port,omitempty" range:"[1,65535] or 0"` // it listens on, in its container (default 8080)
	Env     map[string]string `yaml:"env,omitempty"`
	Health  *Health           `yaml:"health,omitempty"`  // when it is ready (default GET /readyz → 200)
	Command []string          `yaml:"command,omitempty"` // arguments after the image's entrypoint
	// Volumes are container paths that keep their data across a process fault (a volume
	// of the run, removed with it), or HOST:PATH to mount a file or folder of this machine.
	Volumes []string `yaml:"volumes,omitempty"`

	// URL is the base URL of a system already running; a local proxy stands in front of
	// it, so client links and their faults still apply.
	URL string `yaml:"url,omitempty"`
	// CA is a PEM file of certificate authorities an https URL is checked against,
	// besides the system's roots.
	CA string `yaml:"ca,omitempty"`

	// Receipts is the portal's listing of stored dossiers (zero_loss): the reference
	// portal has one; an image or URL portal opts in.
	Receipts *Receipts `yaml:"receipts,omitempty"`
}

// Health is how a runtime tells an image role is ready: GET Path answers Status.
type Health struct {
	Path   string `yaml:"path,omitempty"`
	Status int    `yaml:"status,omitempty" range:"[100,599] or 0"`
}

// Receipts is the portal's listing of the dossiers it stores, which zero_loss reconciles
// against: GET Path?after=N&limit=M → {"receipts":[{"id"}…], "next_after": N|null}.
type Receipts struct {
	Path string `yaml:"path,omitempty"`
	// Auth is how the harness asks: "service" — a client-credentials token from the
	// token endpoint as ClientID, the secret in the environment variable ClientSecretEnv
	// (with the reference identity provider, its thongsuot-harness client); "bearer" — the
	// token in TokenEnv; "none".
	Auth            string `yaml:"auth,omitempty"`
	ClientID        string `yaml:"client_id,omitempty"`
	ClientSecretEnv string `yaml:"client_secret_env,omitempty"`
	TokenEnv        string `yaml:"token_env,omitempty"`
}

// Token is how virtual users get bearer tokens: an OAuth2 token endpoint — the identity
// role's (Path, through client->identity) or one named by URL (no link in front) — with
// a password grant (each user as themselves) or a client-credentials grant.
type Token struct {
	URL   string `yaml:"url,omitempty"`
	Path  string `yaml:"path,omitempty"`  // on the identity role; default /oauth2/token
	Grant string `yaml:"grant,omitempty"` // password (default) or client_credentials
	// ClientID defaults to npsp, the portal's public client at the reference identity.
	ClientID        string `yaml:"client_id,omitempty"`
	ClientSecretEnv string `yaml:"client_secret_env,omitempty"`
	// Username is the password grant's user name; {id} is the one the reference would
	// use (a census personal ID, an official's cb.<unit>.<n>). Default {id}.
	Username string `yaml:"username,omitempty"`
	// PasswordEnv names the environment variable holding the users' password; left
	// out, any password (the reference identity provider takes any).
	PasswordEnv string `yaml:"password_env,omitempty"`
	Scope       string `yaml:"scope,omitempty"`
	CA          string `yaml:"ca,omitempty"` // for an https URL, as Role.CA
}

// Sources of a role.
const (
	SourceReference = "reference"
	SourceImage     = "image"
	SourceURL       = "url"
)

// Portal modes.
const (
	ModeReference = "reference"
	ModeNaive     = "naive"
)

// PortalModes are the modes the portal role takes.
var PortalModes = []string{ModeReference, ModeNaive}

// Defaults of an image role, a receipts listing and the token endpoint: the reference's.
const (
	DefaultPort         = 8080
	DefaultHealthPath   = "/readyz"
	DefaultHealthStatus = 200
	DefaultReceiptsPath = "/admin/v1/receipts"
	DefaultTokenPath    = "/oauth2/token"
	DefaultClientID     = "npsp"
	UsernameID          = "{id}"
)

// Receipts auth and token grants.
const (
	AuthService       = "service"
	AuthBearer        = "bearer"
	AuthNone          = "none"
	GrantPassword     = "password"
	GrantClientCreds  = "client_credentials"
	EnvPrefix         = "THONGSUOT_"
	envRegistryPrefix = "THONGSUOT_REGISTRY_URL_"
	envProvincePrefix = "THONGSUOT_PROVINCE_URL_"
)

// The environment contract: what thongsuot sets in an image role's container. URLs go
// through the run's proxies, so the links and their faults apply.
const (
	EnvPort          = "THONGSUOT_PORT"           // the port to listen on (Role.Port)
	EnvIdentityURL   = "THONGSUOT_IDENTITY_URL"   // identity provider (JWKS, tokens), through portal->identity
	EnvRegistryURL   = "THONGSUOT_REGISTRY_URL"   // the registries, through the trunk portal->registry
	EnvRegistryToken = "THONGSUOT_REGISTRY_TOKEN" // bearer the registries take from the portal
	EnvAdminToken    = "THONGSUOT_ADMIN_TOKEN"    // the harness's: identity's and registries' /admin/, thongsuot-harness's secret
	EnvIssuer        = "THONGSUOT_ISSUER"         // iss of the tokens
	EnvAudience      = "THONGSUOT_AUDIENCE"       // aud of the tokens
	EnvSeed          = "THONGSUOT_SEED"           // the census: identity and registries agree on it
	EnvCitizens      = "THONGSUOT_CITIZENS"
)

// RegistryURLEnv names the variable holding one registry's URL, through its own link:
// THONGSUOT_REGISTRY_URL_CIVIL_STATUS.
func RegistryURLEnv(registry string) string {
	return envRegistryPrefix + strings.ToUpper(strings.ReplaceAll(registry, "-", "_"))
}

// ProvinceURLEnv names the variable holding one province's case-handling system's URL,
// through the document exchange and the province's own link: THONGSUOT_PROVINCE_URL_79.
// A portal hands each stored dossier to its unit's province there (POST /v1/dossiers).
func ProvinceURLEnv(code string) string { return envProvincePrefix + code }

// contractBase are the contract's variables that are not one per registry or province.
var contractBase = []string{EnvPort, EnvIdentityURL, EnvRegistryURL, EnvRegistryToken, EnvAdminToken, EnvIssuer, EnvAudience, EnvSeed, EnvCitizens}

// ContractEnv lists every variable of the contract.
func ContractEnv() []string {
	out := slices.Clone(contractBase)
	for _, r := range Registries {
		out = append(out, RegistryURLEnv(r))
	}
	for _, p := range units.Provinces() {
		out = append(out, ProvinceURLEnv(p.Code))
	}
	return out
}

// Source says where the role comes from: reference, image or url.
func (r Role) Source() string {
	switch {
	case r.Image != "":
		return SourceImage
	case r.URL != "":
		return SourceURL
	}
	return SourceReference
}

// Naive says whether the portal is the reference portal without its protections.
func (s SUT) Naive() bool { return s.Portal.Source() == SourceReference && s.Portal.Mode == ModeNaive }

// Roles lists every role the scenario replaces or keeps, by name: portal, identity and
// registry.<name> for each registry it names.
func (s SUT) Roles() map[string]Role {
	out := map[string]Role{"portal": s.Portal, "identity": s.Identity}
	for name, r := range s.Registries {
		out[RoleRegistry(name)] = r
	}
	return out
}

// RoleRegistry names a single registry's role: registry.population.
func RoleRegistry(name string) string { return "registry." + name }

// Registry is the role of one registry: the scenario's, or the reference.
func (s SUT) Registry(name string) Role { return s.Registries[name] }

// HasImage says whether any role is an image: those run on the containers runtime.
func (s SUT) HasImage() bool {
	for _, r := range s.Roles() {
		if r.Source() == SourceImage {
			return true
		}
	}
	return false
}

// ReceiptsListing is the portal's receipts contract, defaults filled in; nil when the
// portal has none.
func (s SUT) ReceiptsListing() *Receipts {
	if s.Portal.Source() == SourceReference {
		return &Receipts{Path: DefaultReceiptsPath, Auth: AuthService}
	}
	return s.Portal.Receipts
}

// TokenEndpoint is how virtual users get tokens, defaults filled in.
func (s SUT) TokenEndpoint() Token {
	t := Token{}
	if s.Token != nil {
		t = *s.Token
	}
	setDefault(&t.Grant, GrantPassword)
	setDefault(&t.ClientID, DefaultClientID)
	setDefault(&t.Username, UsernameID)
	if t.URL == "" {
		setDefault(&t.Path, DefaultTokenPath)
	}
	return t
}

// resolveSUT fills an image role's defaults and a receipts listing's.
func (s *SUT) resolveSUT() {
	for _, r := range []*Role{&s.Portal, &s.Identity} {
		r.resolve()
	}
	for name, r := range s.Registries {
		r.resolve()
		s.Registries[name] = r
	}
}

func (r *Role) resolve() {
	if r.Source() == SourceImage {
		setDefault(&r.Port, DefaultPort)
		if r.Health == nil {
			r.Health = &Health{}
		}
		setDefault(&r.Health.Path, DefaultHealthPath)
		setDefault(&r.Health.Status, DefaultHealthStatus)
	}
	if rc := r.Receipts; rc != nil {
		setDefault(&rc.Path, DefaultReceiptsPath)
		setDefault(&rc.Auth, AuthService)
	}
}

// SetPortal puts the portal `run --portal` names in place: reference, naive,
// image=NAME:TAG or url=URL. An image (a URL) keeps what the scenario says of its image
// (URL) portal — port, env, health, receipts — so a pipeline can name only the build.
func (s *Scenario) SetPortal(flag, value string) error {
	kind, arg, _ := strings.Cut(value, "=")
	old := s.SUT.Portal
	switch {
	case value == ModeReference || value == ModeNaive:
		s.SUT.Portal = Role{Mode: value}
	case kind == SourceImage && arg != "":
		if old.Source() != SourceImage {
			old = Role{Receipts: old.Receipts}
		}
		old.Image = arg
		s.SUT.Portal = old
	case kind == SourceURL && arg != "":
		if old.Source() != SourceURL {
			old = Role{Receipts: old.Receipts}
		}
		old.URL = arg
		s.SUT.Portal = old
	default:
		return fmt.Errorf("%s %q: want reference, naive, image=NAME:TAG or url=URL", flag, value)
	}
	if s.SUT.Portal.Source() == SourceReference {
		s.SUT.Portal.Receipts = nil
	}
	s.SUT.Portal.resolve()
	s.override("sut.portal", flag)
	return nil
}

// SetReceipts opts the portal's receipts listing in at path (`run --receipts`).
func (s *Scenario) SetReceipts(flag, path string) {
	rc := Receipts{}
	if s.SUT.Portal.Receipts != nil {
		rc = *s.SUT.Portal.Receipts
	}
	rc.Path = path
	s.SUT.Portal.Receipts = &rc
	s.SUT.Portal.resolve()
	s.override("sut.portal.receipts", flag)
}

// override notes that a flag set the fields under path: a problem there is the flag's.
func (s *Scenario) override(path, flag string) {
	if s.flags == nil {
		s.flags = map[string]string{}
	}
	s.flags[path] = flag
}

// imageRefRe is NAME:TAG or NAME@sha256:HEX (NAME may carry a registry and a path).
var imageRefRe = regexp.MustCompile(`^[a-z0-9]+(?:[._/-][a-z0-9]+|:[0-9]+/[a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$`)

// envNameRe is a name an environment variable may have.
var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envRefRe finds ${NAME} in an image role's env values and command.
var envRefRe = regexp.MustCompile(`\$\{([^}]*)\}`)

// Expand replaces each ${NAME} in text with lookup(NAME): an image role's env values
// and command refer to the contract (and to each other) the way a shell entrypoint
// would, so an image with other variable names can be wired without one.
func Expand(text string, lookup func(name string) (string, bool)) (string, error) {
	var missing []string
	out := envRefRe.ReplaceAllStringFunc(text, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := lookup(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("${%s} is not set", strings.Join(missing, "}, ${"))
	}
	return out, nil
}

// parseTargetURL checks a base URL a role or token endpoint is reached at.
func parseTargetURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, fmt.Errorf("not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("want an http:// or https:// URL, got %q", raw)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%q has no host", raw)
	case u.User != nil:
		return nil, fmt.Errorf("credentials do not go in the URL: use the environment variables of token or receipts")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("a base URL takes no query or fragment, got %q", raw)
	}
	return u, nil
}

// sortedRoleNames lists the roles in a stable order for messages.
func sortedRoleNames(roles map[string]Role) []string {
	return slices.Sorted(maps.Keys(roles))
}
