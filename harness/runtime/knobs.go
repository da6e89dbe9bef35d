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
	direct map[string]string // role → base URL (Stack.Direct)
	token  string
	client *http.Client
}

func newAdminKnobs(direct map[string]string, token string) *adminKnobs {
	return &adminKnobs{direct: direct, token: token, client: &http.Client{Timeout: 10 * time.Second}}
}

// url is the admin URL of a knob target (scenarios.KnobTargets).
func (a *adminKnobs) url(target string) (string, error) {
	role, name := scenarios.KnobRole(target)
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
