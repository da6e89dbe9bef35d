package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// ServiceClient is the identity provider's service client whose token carries the
// admin scope the portal's reconciliation listing needs: the runtime knows it
// (runtime.Stack's ServiceClient and AdminToken).
type ServiceClient struct {
	ID, Secret string
}

// pageSize is how many receipts one listing request asks for.
const pageSize = 10_000

// Check compares the ledger of runDir with the portal's admin listing and records the
// outcome in the journal, asking the portal as svc. A check that cannot be made is
// recorded with its reason.
func Check(ctx context.Context, client *http.Client, portal, identity string, svc ServiceClient, runDir string) *journal.Reconciliation {
	r, err := check(ctx, client, portal, identity, svc, runDir)
	if err != nil {
		r = &journal.Reconciliation{Error: err.Error()}
	}
	if werr := journal.WriteReconciliation(runDir, r); werr != nil && r.Error == "" {
		r.Error = werr.Error()
	}
	return r
}

func check(ctx context.Context, client *http.Client, portal, identity string, svc ServiceClient, runDir string) (*journal.Reconciliation, error) {
	acks, err := readLedger(runDir)
	if err != nil {
		return nil, fmt.Errorf("reading the ledger: %w", err)
	}
	token, err := serviceToken(ctx, client, identity, svc)
	if err != nil {
		return nil, err
	}
	stored, err := listReceipts(ctx, client, portal, token)
	if err != nil {
		return nil, err
	}
	r := &journal.Reconciliation{Stored: len(stored), Missing: []string{}, Duplicated: []string{}}
	acked := map[string]bool{}
	byKey := map[string]string{}
	for _, a := range acks {
		if acked[a.ID] {
			continue // a replay of the same dossier: the same answer twice, not a duplicate
		}
		acked[a.ID] = true
		if !stored[a.ID] {
			r.Missing = append(r.Missing, a.ID)
		}
		if a.Key == "" {
			continue
		}
		if first, ok := byKey[a.Key]; ok && first != a.ID {
			r.Duplicated = append(r.Duplicated, a.Key)
		}
		byKey[a.Key] = a.ID
	}
	r.Acknowledged = len(acked)
	for id := range stored {
		if !acked[id] {
			r.Unacknowledged++
		}
	}
	sort.Strings(r.Missing)
	sort.Strings(r.Duplicated)
	return r, nil
}

func serviceToken(ctx context.Context, client *http.Client, identityURL string, svc ServiceClient) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {svc.ID}, "client_secret": {svc.Secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, identityURL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := getJSON(client, req, &tok); err != nil {
		return "", fmt.Errorf("service token: %w", err)
	}
	return tok.AccessToken, nil
}

// listReceipts pages through the portal's admin listing of acknowledged dossiers.
func listReceipts(ctx context.Context, client *http.Client, portal, token string) (map[string]bool, error) {
	stored := map[string]bool{}
	after := int64(0)
	for page := 0; page < 10_000; page++ { // bounded: 10⁸ dossiers
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/admin/v1/receipts?after=%d&limit=%d", portal, after, pageSize), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		var p struct {
			Receipts []struct {
				ID string `json:"id"`
			} `json:"receipts"`
			NextAfter *int64 `json:"next_after"`
		}
		if err := getJSON(client, req, &p); err != nil {
			return nil, fmt.Errorf("listing the portal's receipts: %w", err)
		}
		for _, rc := range p.Receipts {
			stored[rc.ID] = true
		}
		if p.NextAfter == nil {
			return stored, nil
		}
		after = *p.NextAfter
	}
	return nil, fmt.Errorf("listing the portal's receipts: more than 10,000 pages")
}

func getJSON(client *http.Client, req *http.Request, out any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, strings.TrimSpace(string(body)))
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<30)).Decode(out)
}
