package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/scenarios"
)

// adminKnobs turns the stubs' knobs over their admin API (GET and PUT
// /admin/v1/knobs/{name}, Bearer the stack's admin token), straight to each role, not
// through a link: a knob fault must not be held up by a link fault. It is the fault
// engine's Knobs.
type adminKnobs struct {
	direct   map[string]string // reference role → base URL
	replaced map[string]bool   // registries a role of their own stands in for
	token    string
	client   *http.Client
}

// newAdminKnobs turns the knobs of the reference roles among roles (direct: Stack.Direct);
// the admin token never goes to a role the runtime did not start from its own stubs.
func newAdminKnobs(roles []roleSpec, direct map[string]string, token string) *adminKnobs {
	a := &adminKnobs{direct: map[string]string{}, replaced: map[string]bool{}, token: token, client: &http.Client{Timeout: 10 * time.Second}}
	for _, r := range roles {
		if _, name, ok := strings.Cut(r.name, "."); ok && strings.HasPrefix(r.name, roleRegistry+".") {
			a.replaced[name] = true
			continue
		}
		if r.src.Source() == scenarios.SourceReference {
			a.direct[r.name] = direct[r.name]
		}
	}
	return a
}

// url is the admin URL of a knob target (scenarios.KnobTargets).
func (a *adminKnobs) url(target string) (string, error) {
	role, name := scenarios.KnobRole(target)
	if role == roleRegistry && a.replaced[name] {
		return "", fmt.Errorf("knob %s: registry %s is not the reference's: it has no knob to turn", target, name)
	}
	base, ok := a.direct[role]
	if !ok {
		return "", fmt.Errorf("knob %s: this stack has no reference %s to turn it on", target, role)
	}
	return strings.TrimSuffix(base, "/") + "/admin/v1/knobs/" + name, nil
}

// Knob reads a knob's settings.
func (a *adminKnobs) Knob(ctx context.Context, target string) (map[string]any, error) {
	var out map[string]any
	return out, a.do(ctx, http.MethodGet, target, nil, &out)
}

// SetKnob replaces a knob's settings.
func (a *adminKnobs) SetKnob(ctx context.Context, target string, settings map[string]any) error {
	return a.do(ctx, http.MethodPut, target, settings, nil)
}

func (a *adminKnobs) do(ctx context.Context, method, target string, in, out any) error {
	u, err := a.url(target)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, u, err)
		}
	}
	return nil
}
