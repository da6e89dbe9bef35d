package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sutScenario is the valid scenario with a sut: section, faults and objectives of a
// test's own (the faults replace valid's; the objectives come before its own).
func sutScenario(sut, faults, objectives string) string {
	s := strings.Replace(valid, "  - {at: +5m, for: 2s, link: portal->registry, toxic: latency, latency: 100ms}\n", faults, 1)
	s = strings.Replace(s, "slos:", "sut:\n"+sut+"slos:", 1)
	return strings.Replace(s, "    - {name: avail,", objectives+"    - {name: avail,", 1)
}

const (
	urlPortal   = "  portal: {url: 'http://127.0.0.1:8080'}\n  identity: {url: 'http://127.0.0.1:8081'}\n"
	imagePortal = "  portal: {image: 'npsp/portal:1.4.2'}\n"
	zeroLoss    = "    - {name: none lost, kind: zero_loss}\n"
)

// firstOn is the first error on field, or fails the test.
func firstOn(t *testing.T, err error, field string) Error {
	t.Helper()
	require.Error(t, err)
	var es Errors
	require.True(t, errors.As(err, &es), "%v", err)
	for _, e := range es {
		if e.Field == field {
			return e
		}
	}
	t.Fatalf("no error on %s in:\n%v", field, err)
	return Error{}
}

// Each impossible combination of a role's source with what the scenario asks of it is
// refused while parsing, with its line and field: before any traffic.
func TestSUTCombinationsThatCannotRun(t *testing.T) {
	tests := []struct {
		name                    string
		sut, faults, objectives string
		field, msg              string
	}{
		{"a fault on the registry trunk of a running portal", urlPortal, "  - {at: +5m, for: 2s, link: portal->registry, toxic: down}\n", "",
			"faults[0].link", "its calls to registry do not go through thongsuot"},
		{"a fault on a running portal's identity link", urlPortal, "  - {at: +5m, for: 2s, link: portal->identity, toxic: down}\n", "",
			"faults[0].link", "portal->identity cannot be broken"},
		{"a fault on one registry of a running portal", urlPortal, "  - {at: +5m, for: 2s, link: portal->registry.land, toxic: down}\n", "",
			"faults[0].link", "cannot be broken"},
		{"a process fault on a running portal", urlPortal, "  - {at: +5m, for: 2s, role: portal, action: kill}\n", "",
			"faults[0].role", "no process of it to stop, kill or pause"},
		{"a process fault on a running identity provider", "  identity: {url: 'http://127.0.0.1:8081'}\n", "  - {at: +5m, for: 2s, role: identity, action: pause}\n", "",
			"faults[0].role", "the identity is already running"},
		{"a process fault on a running portal's registries", urlPortal, "  - {at: +5m, for: 2s, role: registry, action: stop}\n", "",
			"faults[0].role", "starts no registry process"},
		{"zero_loss on an image portal without a listing", imagePortal, "", zeroLoss,
			"slos.objectives[0]", "this image portal has none"},
		{"zero_loss on a url portal without a listing", urlPortal, "", zeroLoss,
			"slos.objectives[0]", "this url portal has none"},
		{"a running portal without the identity it trusts", "  portal: {url: 'http://127.0.0.1:8080'}\n", "", "",
			"sut.identity", "give sut.identity.url"},
		{"registries behind a running portal", urlPortal + "  registries: {land: {url: 'http://127.0.0.1:9000'}}\n", "", "",
			"sut.registries.land", "its own"},
		{"a fault on the trunk when a registry has a link of its own", "  registries: {land: {url: 'http://127.0.0.1:9000'}}\n",
			"  - {at: +5m, for: 2s, link: portal->registry, toxic: down}\n", "", "faults[0].link", "land is reached on links of their own"},
		{"two sources", "  portal: {image: 'npsp/portal:1', url: 'http://127.0.0.1:8080'}\n", "", "", "sut.portal", "one of mode"},
		{"naive identity", "  identity: {mode: naive}\n", "", "", "sut.identity.mode", `unknown mode "naive" (known: reference)`},
		{"an image without a tag", "  portal: {image: npsp/portal}\n", "", "", "sut.portal.image", "want NAME:TAG"},
		{"a port on a url role", "  portal: {url: 'http://127.0.0.1:8080', port: 80}\n  identity: {url: 'http://127.0.0.1:8081'}\n", "", "",
			"sut.portal.port", "only an image role takes port"},
		{"a CA for plain http", "  portal: {url: 'http://127.0.0.1:8080', ca: ca.pem}\n  identity: {url: 'http://127.0.0.1:8081'}\n", "", "",
			"sut.portal.ca", "a CA checks an https URL"},
		{"receipts of the reference portal", "  portal: {receipts: {path: /x}}\n", "", "", "sut.portal.receipts", "built in"},
		{"bearer receipts without a token", "  portal: {image: 'npsp/portal:1', receipts: {auth: bearer}}\n", "", "",
			"sut.portal.receipts.token_env", "missing"},
		{"a service client at an identity thongsuot does not run", "  portal:\n    url: 'http://127.0.0.1:8080'\n    receipts: {}\n  identity: {url: 'http://127.0.0.1:8081'}\n",
			"", "", "sut.portal.receipts.client_id", "the service client"},
		{"zero_loss on the reference portal trusting an identity thongsuot has no client at", "  identity: {url: 'http://127.0.0.1:8081'}\n", "", zeroLoss,
			"slos.objectives[0]", "thongsuot has none at http://127.0.0.1:8081"},
		{"an unknown registry", "  registries: {bank: {url: 'http://127.0.0.1:9000'}}\n", "", "", "sut.registries.bank", "unknown registry"},
		{"a contract variable that does not exist", "  portal: {image: 'npsp/portal:1', env: {IDP: '${THONGSUOT_IDP}'}}\n", "", "",
			"sut.portal.env.IDP", "not a variable of the contract"},
		{"a relative volume", "  portal: {image: 'npsp/portal:1', volumes: [data]}\n", "", "", "sut.portal.volumes[0]", "absolute path"},
		{"a client-credentials grant without its secret", "  token: {grant: client_credentials}\n", "", "", "sut.token.client_secret_env", "missing"},
		{"a user name template without the user", "  token: {username: loadtest}\n", "", "", "sut.token.username", "must contain {id}"},
		{"credentials in a URL", "  portal: {url: 'https://u:p@portal.example'}\n  identity: {url: 'http://127.0.0.1:8081'}\n", "", "",
			"sut.portal.url", "credentials do not go in the URL"},
		{"not a web URL", "  portal: {url: 'ftp://portal.example'}\n  identity: {url: 'http://127.0.0.1:8081'}\n", "", "",
			"sut.portal.url", "want an http:// or https:// URL"},
		{"an allowed host with a scheme", "  allow: ['https://portal.example']\n", "", "", "sut.allow[0]", "without scheme or port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(sutScenario(tt.sut, tt.faults, tt.objectives)), "sut.yaml")
			e := firstOn(t, err, tt.field)
			assert.Positive(t, e.Line, "located in the file")
			assert.Contains(t, e.Msg, tt.msg)
		})
	}
}

// What only a run knows — its runtime, the hosts it may send to, the secrets in its
// environment, the --portal it was given — is checked by CheckRun, located in the file
// or at the flag.
func TestCheckRunRefusesWhatThisRunCannotDo(t *testing.T) {
	remote := "  portal: {url: 'https://staging.npsp.example'}\n  identity: {url: 'https://id.npsp.example'}\n"
	tests := []struct {
		name       string
		sut        string
		objectives string
		opts       RunOptions
		portal     string // --portal, if given
		field, msg string
	}{
		{"an image on the embedded runtime", imagePortal, "", RunOptions{Runtime: "embedded"}, "",
			"sut.portal.image", "an image runs on the containers runtime; --runtime embedded cannot start it"},
		{"loopback behind the containers runtime", urlPortal, "", RunOptions{Runtime: "containers"}, "",
			"sut.portal.url", "this machine's loopback"},
		{"a host off this machine, not allowed", remote, "", RunOptions{}, "",
			"sut.portal.url", "staging.npsp.example is not this machine: thongsuot sends load there only when told to"},
		{"another host off this machine, not allowed", remote, "", RunOptions{Allow: []string{"staging.npsp.example"}}, "",
			"sut.identity.url", "id.npsp.example is not this machine"},
		{"a token endpoint off this machine", "  token: {url: 'https://sso.npsp.example/token'}\n", "", RunOptions{}, "",
			"sut.token.url", "sso.npsp.example is not this machine"},
		{"a secret not in the environment", "  token: {password_env: SUT_TEST_UNSET_PASSWORD}\n", "", RunOptions{}, "",
			"sut.token.password_env", "$SUT_TEST_UNSET_PASSWORD is not set"},
		{"--portal image= where zero_loss needs a listing", "", zeroLoss, RunOptions{}, "image=npsp/portal:1.4.2",
			"slos.objectives[0]", "this image portal has none"},
		{"--portal url= of a portal trusting an identity thongsuot cannot tell it of", "", "", RunOptions{}, "url=http://127.0.0.1:8080",
			"sut.identity", "give sut.identity.url"},
		{"--portal image= without a tag", "", "", RunOptions{}, "image=npsp/portal",
			"sut.portal.image", "want NAME:TAG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(sutScenario(tt.sut, "", tt.objectives)), "sut.yaml")
			require.NoError(t, err, "the file alone is valid")
			if tt.portal != "" {
				require.NoError(t, s.SetPortal("--portal", tt.portal))
			}
			e := firstOn(t, s.CheckRun(tt.opts), tt.field)
			assert.Contains(t, e.Msg, tt.msg)
			if strings.HasPrefix(tt.field, "sut.portal") && tt.portal != "" {
				assert.Zero(t, e.Line)
				assert.Contains(t, e.Msg, "(set by --portal)", "a field the flag set is the flag's")
			} else {
				assert.Positive(t, e.Line)
			}
		})
	}
}

// What the run is told makes it possible: an allowed host, a listing named by flag,
// the runtime an image asks for.
func TestCheckRunAcceptsWhatMakesItPossible(t *testing.T) {
	remote := "  portal: {url: 'https://staging.npsp.example'}\n  identity: {url: 'https://id.npsp.example'}\n"
	s, err := Parse([]byte(sutScenario(remote, "", "")), "sut.yaml")
	require.NoError(t, err)
	assert.NoError(t, s.CheckRun(RunOptions{Allow: []string{"staging.npsp.example", "ID.npsp.example"}}))
	s, err = Parse([]byte(sutScenario(remote+"  allow: [staging.npsp.example, id.npsp.example]\n", "", "")), "sut.yaml")
	require.NoError(t, err)
	assert.NoError(t, s.CheckRun(RunOptions{}), "sut.allow allows as the flag does")

	s, err = Parse([]byte(sutScenario("", "", zeroLoss)), "sut.yaml")
	require.NoError(t, err)
	require.NoError(t, s.SetPortal("--portal", "image=npsp/portal:1.4.2"))
	s.SetReceipts("--receipts", "/admin/v1/receipts")
	require.NoError(t, s.CheckRun(RunOptions{}))
	assert.Equal(t, "containers", s.Runtime(""), "an image chooses the containers runtime")
	assert.Equal(t, "embedded", s.Runtime("embedded"), "what was asked for is kept (and refused when it cannot be)")
	p := s.SUT.Portal
	assert.Equal(t, DefaultPort, p.Port)
	assert.Equal(t, &Health{Path: "/readyz", Status: 200}, p.Health)
	assert.Equal(t, &Receipts{Path: "/admin/v1/receipts", Auth: AuthService}, s.SUT.ReceiptsListing())

	require.NoError(t, s.SetPortal("--portal", "naive"))
	assert.True(t, s.SUT.Naive())
	assert.Nil(t, s.SUT.Portal.Receipts, "the reference portal's listing is its own")
	assert.Error(t, s.SetPortal("--portal", "mainframe"))
}

// An image the scenario describes whole keeps its port, env, command and listing when
// --portal names another build of it: a pipeline names only the tag.
func TestSetPortalKeepsTheImageDescription(t *testing.T) {
	sut := "  portal:\n    image: 'npsp/portal:1.4.1'\n    port: 9090\n    env: {IDP: '${THONGSUOT_IDENTITY_URL}'}\n    receipts: {path: /ops/receipts}\n"
	s, err := Parse([]byte(sutScenario(sut, "", zeroLoss)), "sut.yaml")
	require.NoError(t, err)
	require.NoError(t, s.SetPortal("--portal", "image=npsp/portal:1.4.2"))
	require.NoError(t, s.CheckRun(RunOptions{}))
	assert.Equal(t, "npsp/portal:1.4.2", s.SUT.Portal.Image)
	assert.Equal(t, 9090, s.SUT.Portal.Port)
	assert.Equal(t, "${THONGSUOT_IDENTITY_URL}", s.SUT.Portal.Env["IDP"])
	assert.Equal(t, "/ops/receipts", s.SUT.ReceiptsListing().Path)
}

// A resolved sut: section reads back as it was: a run directory's scenario.yaml says
// what was judged.
func TestSUTReadsBack(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, []byte("-"), 0o644))
	sut := "  portal:\n    image: 'npsp/portal@sha256:" + strings.Repeat("ab", 32) + "'\n    command: [--listen, '0.0.0.0:8080']\n    volumes: [/var/lib/npsp]\n    receipts: {auth: bearer, token_env: NPSP_OPS_TOKEN}\n" +
		"  registries:\n    land: {url: 'https://land.npsp.example/api', ca: ca.pem}\n  token: {grant: password, username: 'lt-{id}', password_env: NPSP_LT_PASSWORD}\n  allow: [land.npsp.example]\n"
	s, err := Parse([]byte(sutScenario(sut, "", zeroLoss)), filepath.Join(dir, "s.yaml"))
	require.NoError(t, err)
	data, err := Marshal(s)
	require.NoError(t, err)
	back, err := Parse(data, filepath.Join(dir, ResolvedFile))
	require.NoError(t, err)
	assert.Equal(t, s.SUT, back.SUT)
	assert.Equal(t, SourceURL, back.SUT.Registry("land").Source())
	assert.Equal(t, "lt-{id}", back.SUT.TokenEndpoint().Username)
}

func TestExpandFillsReferencesOrSaysWhichAreMissing(t *testing.T) {
	env := map[string]string{"THONGSUOT_IDENTITY_URL": "http://toxiproxy:21005"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	tests := []struct {
		in, want, err string
	}{
		{"${THONGSUOT_IDENTITY_URL}/jwks", "http://toxiproxy:21005/jwks", ""},
		{"--data=/var/lib/npsp", "--data=/var/lib/npsp", ""},
		{"${A}${B}", "", "${A}, ${B} is not set"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.in, lookup)
		if tt.err != "" {
			assert.EqualError(t, err, tt.err)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true, "localhost": true, "LocalHost": true,
		"10.0.0.1": false, "staging.npsp.example": false, "localhost.example": false, "0.0.0.0": false,
	} {
		assert.Equal(t, want, IsLoopback(host), host)
	}
}
