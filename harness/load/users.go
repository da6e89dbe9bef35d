package load

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Endpoints are the base URLs the load goes to, as the runtime exposes them (through the
// client-side proxies, so client links can be faulted).
type Endpoints struct {
	Portal   string
	Identity string
	// Tiers gives, per link tier (scenarios.Tiers), the portal's base URL over that
	// tier's link; users of a tier without an entry use Portal.
	Tiers map[string]string
	// Units gives the portal's base URL for the users of a unit a fault with units
	// hits (UnitRoutes), in place of its tier's.
	Units map[string]string
	// IdentityTiers gives, per link tier, the identity provider's base URL over that
	// tier's link: logins go over the user's tier (tier.go); a tier without one uses
	// Identity.
	IdentityTiers map[string]string
	// Reach is how the client reaches them (proxies standing for other hosts, TLS).
	Reach Reach
	// Token says how users get tokens (scenarios.SUT.TokenEndpoint); nil: as the
	// reference identity provider takes them, at Identity.
	Token *scenarios.Token
}

// User is one virtual citizen, signed in before the run.
type User struct {
	ID      string // 12-digit personal ID
	Token   string // bearer token from the identity provider
	Dossier string // a dossier the user filed during set-up, for the status class
}

// Setup is what the load needs from the system before the first measured request:
// signed-in users and the procedure codes the portal offers.
type Setup struct {
	Users      []User
	Procedures []string
	// FeeProcedures and FreeProcedures split Procedures by whether a fee is paid online.
	FeeProcedures, FreeProcedures []string
	// Citizens are the personal IDs (level-2 accounts) journeys sign in as; they sign
	// in during the run, as part of their journey.
	Citizens []string
	// Tokens signs users in and holds their tokens (Endpoints.Token).
	Tokens *Tokens
}

// setupParallelism bounds set-up requests so that bring-up does not look like load.
const setupParallelism = 8

// Prepare signs in n users (ids gives user i's personal ID), has each file one dossier,
// and reads the procedure catalogue. It fails on the first error: a run without users
// would measure nothing meaningful.
func Prepare(ctx context.Context, client *http.Client, ep Endpoints, ids func(i int) string, n int) (*Setup, error) {
	s := &Setup{Users: make([]User, n), Tokens: ReferenceTokens(ep.Identity, client)}
	if ep.Token != nil {
		var err error
		if s.Tokens, err = NewTokens(*ep.Token, ep.Identity, client); err != nil {
			return nil, err
		}
	}
	var catalogue struct {
		Procedures []struct {
			Code   string `json:"code"`
			Fee    int64  `json:"fee_vnd"`
			Bundle bool   `json:"bundle"` // linked-procedure bundles are filed elsewhere
		} `json:"procedures"`
	}
	if err := call(ctx, client, http.MethodGet, ep.Portal+"/api/v1/procedures", nil, nil, &catalogue); err != nil {
		return nil, fmt.Errorf("reading the procedure catalogue: %w", err)
	}
	for _, p := range catalogue.Procedures {
		if p.Bundle {
			continue
		}
		s.Procedures = append(s.Procedures, p.Code)
		if p.Fee > 0 {
			s.FeeProcedures = append(s.FeeProcedures, p.Code)
		} else {
			s.FreeProcedures = append(s.FreeProcedures, p.Code)
		}
	}
	if len(s.Procedures) == 0 {
		return nil, fmt.Errorf("the portal's procedure catalogue is empty")
	}

	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(setupParallelism)
	for i := range s.Users {
		g.Go(func() error {
			u := &s.Users[i]
			u.ID = ids(i)
			var err error
			if u.Token, err = s.Tokens.Token(ctx, u.ID); err != nil {
				return fmt.Errorf("signing in user %s: %w", u.ID, err)
			}
			var receipt struct {
				ID string `json:"id"`
			}
			body := dossierBody(s.Procedures[i%len(s.Procedures)], unitFor(uint64(i)), u.ID)
			h := http.Header{"Authorization": {"Bearer " + u.Token}, "Idempotency-Key": {"setup-" + u.ID}}
			if err := call(ctx, client, http.MethodPost, ep.Portal+"/api/v1/dossiers", h, body, &receipt); err != nil {
				return fmt.Errorf("filing user %s's first dossier: %w", u.ID, err)
			}
			u.Dossier = receipt.ID
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s, nil
}

// call makes one set-up request: body is url.Values (a form) or []byte (JSON).
func call(ctx context.Context, client *http.Client, method, u string, h http.Header, body any, out any) error {
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case url.Values:
		rd, contentType = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, strings.TrimSpace(string(data)))
	}
	return json.Unmarshal(data, out)
}
