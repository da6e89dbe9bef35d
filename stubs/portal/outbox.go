package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The outbox carries bundle steps to the registries. A step is written in the same
// transaction as its dossier, so an acknowledged bundle cannot lose a step; it is
// delivered with an Idempotency-Key of "<dossier id>:<step>", the same on every
// retry and after a restart, so the registry applies it once however often it is
// sent; and a failed delivery is retried with exponential backoff and jitter until
// it succeeds. Steps of one bundle run in order; bundles run in parallel.

// Step states.
const (
	stepPending = "pending"
	stepDone    = "done"
	stepFailed  = "failed" // the registry refused the step (4xx): retrying cannot help
)

// Step is one registry call of a bundle, as the API shows it.
type Step struct {
	Step      int             `json:"step"`
	Name      string          `json:"name"`
	Registry  string          `json:"registry"`
	Path      string          `json:"-"`
	State     string          `json:"state"`
	Attempts  int             `json:"attempts"`
	LastError string          `json:"last_error,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	UpdatedAt time.Time       `json:"updated_at"`
}

type outbox struct {
	s        *Server
	nudge    chan struct{}
	mu       sync.Mutex
	inFlight map[int64]bool
	sem      chan struct{}
}

func newOutbox(s *Server) *outbox {
	return &outbox{s: s, nudge: make(chan struct{}, 1), inFlight: map[int64]bool{}, sem: make(chan struct{}, s.cfg.OutboxWorkers)}
}

// created tells the outbox that new steps are waiting, so they start without
// waiting for the next poll.
func (o *outbox) created(context.Context, string) {
	select {
	case o.nudge <- struct{}{}:
	default:
	}
}

// run delivers due steps until ctx ends.
func (o *outbox) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(o.s.cfg.OutboxPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.nudge:
		}
		due, err := o.due(ctx, 4*cap(o.sem))
		if err != nil {
			if ctx.Err() == nil {
				o.s.log.Error("outbox: list due steps", "err", err)
			}
			continue
		}
		for _, id := range due {
			o.mu.Lock()
			busy := o.inFlight[id]
			o.inFlight[id] = true
			o.mu.Unlock()
			if busy {
				continue
			}
			select {
			case o.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					<-o.sem
					o.mu.Lock()
					delete(o.inFlight, id)
					o.mu.Unlock()
					o.created(ctx, "") // a finished step may make the next one due
				}()
				if err := o.deliver(ctx, id); err != nil && ctx.Err() == nil {
					o.s.log.Warn("outbox: step not delivered", "step", id, "err", err)
				}
			}()
		}
	}
}

// due lists pending steps whose time has come and whose earlier steps are done.
func (o *outbox) due(ctx context.Context, limit int) ([]int64, error) {
	rows, err := o.s.store.r.QueryContext(ctx, `SELECT o.id FROM outbox o
		WHERE o.state = 'pending' AND o.next_at <= ?
		AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.dossier_id = o.dossier_id AND p.step < o.step AND p.state != 'done')
		ORDER BY o.next_at LIMIT ?`, time.Now().UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("query due steps: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan due step: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deliver sends one step and records the outcome durably.
func (o *outbox) deliver(ctx context.Context, id int64) error {
	var dossierID, name, reg, path, state string
	var step, attempts int
	err := o.s.store.r.QueryRowContext(ctx, `SELECT dossier_id, step, name, registry, path, state, attempts FROM outbox WHERE id = ?`, id).
		Scan(&dossierID, &step, &name, &reg, &path, &state, &attempts)
	if err != nil {
		return fmt.Errorf("load step %d: %w", id, err)
	}
	if state != stepPending {
		return nil
	}
	body, err := o.body(ctx, dossierID, name)
	if err != nil {
		return err
	}
	hdr := http.Header{"Idempotency-Key": {dossierID + ":" + strconv.Itoa(step)}}
	rep, callErr := o.s.deps[reg].call(ctx, http.MethodPost, path, body, hdr)
	now := time.Now()
	switch {
	case callErr == nil && rep.status < 300:
		o.s.metrics.outboxSteps.WithLabelValues(reg, "done").Inc()
		return o.s.store.write(ctx, func(tx *wtx) error { return completeStep(tx, id, dossierID, name, rep.body, now) })
	case callErr == nil:
		// A 4xx is the registry refusing the data: park the step and tell the applicant.
		o.s.metrics.outboxSteps.WithLabelValues(reg, "refused").Inc()
		msg := fmt.Sprintf("%s refused %s (%d): %s", reg, name, rep.status, rep.body)
		return o.s.store.write(ctx, func(tx *wtx) error { return failStep(tx, id, dossierID, msg, now) })
	default:
		if errors.Is(callErr, context.Canceled) && ctx.Err() != nil {
			return nil // shutting down; the step stays pending for the next start
		}
		o.s.metrics.outboxSteps.WithLabelValues(reg, "retry").Inc()
		next := now.Add(o.backoff(attempts + 1))
		err := o.s.store.write(ctx, func(tx *wtx) error {
			_, err := tx.Exec(`UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
				next.UnixMilli(), callErr.Error(), now.UnixMilli(), id)
			return err
		})
		return errors.Join(callErr, err)
	}
}

// backoff is exponential with equal jitter: half fixed, half random, so retries
// after an outage spread out instead of arriving together.
func (o *outbox) backoff(attempt int) time.Duration {
	d := o.s.cfg.RetryBase << min(attempt-1, 20)
	if d > o.s.cfg.RetryMax || d <= 0 {
		d = o.s.cfg.RetryMax
	}
	return d/2 + rand.N(d/2+1)
}

// body builds a step's request from the dossier's form and earlier results.
func (o *outbox) body(ctx context.Context, dossierID, name string) ([]byte, error) {
	d, err := o.s.loadDossier(ctx, dossierID)
	if err != nil {
		return nil, err
	}
	spec, err := stepSpecFor(d.ProcedureCode, name)
	if err != nil {
		return nil, err
	}
	in := bundleInput{applicant: d.Applicant, unit: d.UnitCode}
	if err := json.Unmarshal(d.Form, &in.form); err != nil {
		return nil, fmt.Errorf("bundle %s form: %w", dossierID, err)
	}
	prior := map[string]map[string]any{}
	steps, err := o.steps(ctx, dossierID)
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		if st.State == stepDone {
			var m map[string]any
			if err := json.Unmarshal(st.Result, &m); err == nil {
				prior[st.Name] = m
			}
		}
	}
	return json.Marshal(spec.body(in, prior))
}

func completeStep(tx *wtx, id int64, dossierID, name string, result []byte, now time.Time) error {
	res, err := tx.Exec(`UPDATE outbox SET state = 'done', attempts = attempts + 1, result = ?, last_error = '', updated_at = ? WHERE id = ? AND state = 'pending'`,
		string(result), now.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("complete step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already recorded by another delivery
	}
	var left int
	if err := tx.QueryRow(`SELECT count(*) FROM outbox WHERE dossier_id = ? AND state != 'done'`, dossierID).Scan(&left); err != nil {
		return fmt.Errorf("count open steps: %w", err)
	}
	if left > 0 {
		return nil
	}
	return setStatus(tx, dossierID, StatusCompleted, "portal", "all linked procedures completed", now)
}

func failStep(tx *wtx, id int64, dossierID, msg string, now time.Time) error {
	if _, err := tx.Exec(`UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
		msg, now.UnixMilli(), id); err != nil {
		return fmt.Errorf("fail step: %w", err)
	}
	return setStatus(tx, dossierID, StatusNeedsInfo, "portal", msg, now)
}

func setStatus(tx *wtx, id, status, actor, note string, now time.Time) error {
	if _, err := tx.Exec(`UPDATE dossiers SET status = ?, updated_at = ? WHERE id = ?`, status, now.UnixMilli(), id); err != nil {
		return fmt.Errorf("set status: %w", err)
	}
	return addHistory(tx, id, now, status, actor, note)
}

// steps lists a bundle's steps in order.
func (o *outbox) steps(ctx context.Context, dossierID string) ([]Step, error) {
	rows, err := o.s.store.r.QueryContext(ctx, `SELECT step, name, registry, path, state, attempts, last_error, result, updated_at FROM outbox WHERE dossier_id = ? ORDER BY step`, dossierID)
	if err != nil {
		return nil, fmt.Errorf("load steps: %w", err)
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		var result string
		var updated int64
		if err := rows.Scan(&st.Step, &st.Name, &st.Registry, &st.Path, &st.State, &st.Attempts, &st.LastError, &result, &updated); err != nil {
			return nil, fmt.Errorf("scan step: %w", err)
		}
		if result != "" {
			st.Result = json.RawMessage(result)
		}
		st.UpdatedAt = time.UnixMilli(updated)
		out = append(out, st)
	}
	return out, rows.Err()
}

// runInline is the naive portal's way: every step now, in the request, no retry.
func (o *outbox) runInline(ctx context.Context, dossierID string) error {
	steps, err := o.steps(ctx, dossierID)
	if err != nil {
		return err
	}
	for _, st := range steps {
		var id int64
		if err := o.s.store.r.QueryRowContext(ctx, `SELECT id FROM outbox WHERE dossier_id = ? AND step = ?`, dossierID, st.Step).Scan(&id); err != nil {
			return fmt.Errorf("load step: %w", err)
		}
		if err := o.deliver(ctx, id); err != nil {
			return err
		}
		var state string
		if err := o.s.store.r.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&state); err != nil {
			return fmt.Errorf("load step state: %w", err)
		}
		if state != stepDone {
			return nil // refused by the registry: the dossier already says why
		}
	}
	return nil
}
