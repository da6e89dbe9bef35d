package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// Listing is where and how the portal lists the dossiers it stores: GET URL?after=N&limit=M
// answers {"receipts":[{"id"}…], "next_after": N|null} (scenarios.Receipts, resolved).
type Listing struct {
	URL string
	// Bearer gets the token to ask with; nil asks without one.
	Bearer func(ctx context.Context) (string, error)
}

// pageSize is how many receipts one listing request asks for.
const pageSize = 10_000

// Check compares the ledger of runDir with the portal's listing and records the outcome
// in the journal. A check that cannot be made is recorded with its reason.
func Check(ctx context.Context, client *http.Client, listing Listing, runDir string) *journal.Reconciliation {
	r, err := check(ctx, client, listing, runDir)
	if err != nil {
		r = &journal.Reconciliation{Error: err.Error()}
	}
	if werr := journal.WriteReconciliation(runDir, r); werr != nil && r.Error == "" {
		r.Error = werr.Error()
	}
	return r
}

func check(ctx context.Context, client *http.Client, listing Listing, runDir string) (*journal.Reconciliation, error) {
	acks, err := readLedger(runDir)
	if err != nil {
		return nil, fmt.Errorf("reading the ledger: %w", err)
	}
	token := ""
	if listing.Bearer != nil {
		if token, err = listing.Bearer(ctx); err != nil {
			return nil, fmt.Errorf("the listing's token: %w", err)
		}
	}
	stored, err := listReceipts(ctx, client, listing.URL, token)
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

// listReceipts pages through the portal's admin listing of acknowledged dossiers.
func listReceipts(ctx context.Context, client *http.Client, listing, token string) (map[string]bool, error) {
	stored := map[string]bool{}
	after := int64(0)
	for page := 0; page < 10_000; page++ { // bounded: 10⁸ dossiers
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s?after=%d&limit=%d", listing, after, pageSize), nil)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
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
