package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/thongsuot/thongsuot/harness/journal"
	"github.com/thongsuot/thongsuot/harness/runtime"
)

// How long the harness waits, after the load, for the portal to hand on the dossiers
// still on their way to the provinces: until the count holds still for provincesQuiet,
// at most provincesWait.
const (
	provincesQuiet = time.Second
	provincesWait  = 20 * time.Second
)

// collectProvinces records what the provincial case-handling systems received, once
// the portal has stopped handing dossiers on (or provincesWait has passed).
func collectProvinces(ctx context.Context, stack *runtime.Stack, opts Options) {
	base, ok := stack.Direct[runtime.RoleProvince]
	if !ok {
		return
	}
	client := &http.Client{Timeout: 5 * time.Second}
	read := func() (*journal.Provinces, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/admin/v1/received", nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+stack.AdminToken)
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET /admin/v1/received: %s", resp.Status)
		}
		var got struct {
			Provinces []journal.ProvinceIntake `json:"provinces"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			return nil, err
		}
		p := &journal.Provinces{Received: got.Provinces}
		for _, r := range got.Provinces {
			p.Dossiers += r.Dossiers
		}
		return p, nil
	}
	deadline := time.Now().Add(provincesWait)
	var p *journal.Provinces
	var err error
	steady := time.Now()
	for {
		next, rerr := read()
		if rerr != nil {
			err = rerr
		} else {
			if p == nil || next.Dossiers != p.Dossiers {
				steady = time.Now()
			}
			p, err = next, nil
		}
		if time.Since(steady) >= provincesQuiet || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		p = &journal.Provinces{Error: err.Error()}
	}
	if werr := journal.WriteProvinces(opts.Dir, p); werr != nil {
		say(opts.Progress, "provinces: %v", werr)
		return
	}
	say(opts.Progress, "provinces: %d dossiers received by the provincial systems", p.Dossiers)
}
