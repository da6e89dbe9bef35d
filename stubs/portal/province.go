package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/thongsuot/thongsuot/units"
)

// The forwarder hands every stored dossier to its province's case-handling system
// (Config.Provinces, over the national document exchange), where the commune's
// officials work it. It reads new dossiers from the store after they are committed —
// the submit path is untouched — and keeps its own durable queue (table forwards), so a
// province that is down or slow delays its own dossiers and nobody else's, and a
// restarted portal carries on where it stopped. Delivery is at least once; the
// province system takes a dossier once by its id.

const forwardSchema = `CREATE TABLE IF NOT EXISTS forwards(
  dossier_rowid INTEGER PRIMARY KEY,
  dossier_id TEXT NOT NULL,
  province TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  procedure_code TEXT NOT NULL,
  submitted_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '')`

// forwardBatch bounds the dossiers read or delivered per poll.
const forwardBatch = 128

type forwarder struct {
	s      *Server
	client *http.Client
	sem    chan struct{}
	mu     sync.Mutex
	busy   map[int64]bool
}

func newForwarder(s *Server) *forwarder {
	timeout := s.cfg.RegistryTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &forwarder{s: s, client: &http.Client{Timeout: timeout}, sem: make(chan struct{}, max(s.cfg.OutboxWorkers, 1)), busy: map[int64]bool{}}
}

// run scans for new dossiers and delivers the due ones every poll until ctx ends.
func (f *forwarder) run(ctx context.Context) {
	if err := f.s.store.write(ctx, func(tx *wtx) error { _, err := tx.tx.Exec(forwardSchema); return err }); err != nil {
		f.s.log.Error("forwarder: schema", "err", err)
		return
	}
	poll := f.s.cfg.OutboxPoll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := f.scan(ctx); err != nil && ctx.Err() == nil {
			f.s.log.Error("forwarder: scan", "err", err)
		}
		due, err := f.due(ctx)
		if err != nil {
			if ctx.Err() == nil {
				f.s.log.Error("forwarder: due", "err", err)
			}
			continue
		}
		for _, d := range due {
			select {
			case f.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer func() { <-f.sem; wg.Done() }()
				f.deliver(ctx, d)
			}()
		}
	}
}

// scan queues the dossiers stored since the last one queued.
func (f *forwarder) scan(ctx context.Context) error {
	var last int64
	if err := f.s.store.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(dossier_rowid), 0) FROM forwards`).Scan(&last); err != nil {
		return err
	}
	rows, err := f.s.store.r.QueryContext(ctx, `SELECT rowid, id, unit_code, procedure_code, created_at FROM dossiers WHERE rowid > ? ORDER BY rowid LIMIT ?`, last, forwardBatch)
	if err != nil {
		return err
	}
	var batch []forward
	for rows.Next() {
		var d forward
		if err := rows.Scan(&d.rowid, &d.id, &d.unit, &d.procedure, &d.submitted); err != nil {
			rows.Close()
			return err
		}
		u, _ := units.Lookup(d.unit)
		d.province = u.ProvinceCode
		batch = append(batch, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(batch) == 0 {
		return err
	}
	now := time.Now().UnixMilli()
	return f.s.store.write(ctx, func(tx *wtx) error {
		for _, d := range batch {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO forwards(dossier_rowid, dossier_id, province, unit_code, procedure_code, submitted_at, state, attempts, next_at) VALUES(?,?,?,?,?,?,'pending',0,?)`,
				d.rowid, d.id, d.province, d.unit, d.procedure, d.submitted, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// forward is one dossier on its way to its province.
type forward struct {
	rowid                         int64
	id, unit, procedure, province string
	submitted                     int64 // ms
	attempts                      int
}

// due lists the queued dossiers whose time has come and that no worker holds.
func (f *forwarder) due(ctx context.Context) ([]forward, error) {
	rows, err := f.s.store.r.QueryContext(ctx, `SELECT dossier_rowid, dossier_id, unit_code, procedure_code, province, submitted_at, attempts FROM forwards
		WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?`, time.Now().UnixMilli(), forwardBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []forward
	f.mu.Lock()
	defer f.mu.Unlock()
	for rows.Next() {
		var d forward
		if err := rows.Scan(&d.rowid, &d.id, &d.unit, &d.procedure, &d.province, &d.submitted, &d.attempts); err != nil {
			return nil, err
		}
		if !f.busy[d.rowid] {
			f.busy[d.rowid] = true
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// deliver posts one dossier to its province and records the outcome: done, or retried
// after a backoff.
func (f *forwarder) deliver(ctx context.Context, d forward) {
	defer func() {
		f.mu.Lock()
		delete(f.busy, d.rowid)
		f.mu.Unlock()
	}()
	err := f.post(ctx, d)
	now := time.Now()
	if ctx.Err() != nil {
		return
	}
	if err == nil {
		f.s.metrics.outboxSteps.WithLabelValues("province", "done").Inc()
		_ = f.s.store.write(ctx, func(tx *wtx) error {
			_, err := tx.Exec(`UPDATE forwards SET state = 'done', attempts = attempts + 1, last_error = '' WHERE dossier_rowid = ?`, d.rowid)
			return err
		})
		return
	}
	f.s.metrics.outboxSteps.WithLabelValues("province", "retry").Inc()
	next := now.Add(f.s.outbox.backoff(d.attempts + 1)).UnixMilli()
	_ = f.s.store.write(ctx, func(tx *wtx) error {
		_, err := tx.Exec(`UPDATE forwards SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE dossier_rowid = ?`, next, err.Error(), d.rowid)
		return err
	})
}

func (f *forwarder) post(ctx context.Context, d forward) error {
	base, ok := f.s.cfg.Provinces[d.province]
	if !ok {
		return fmt.Errorf("no case-handling system for province %q", d.province)
	}
	body, _ := json.Marshal(map[string]any{"id": d.id, "unit_code": d.unit, "procedure_code": d.procedure,
		"submitted_at": time.UnixMilli(d.submitted).UTC()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/"+d.province+"/v1/dossiers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if f.s.cfg.RegistryToken != "" {
		req.Header.Set("Authorization", "Bearer "+f.s.cfg.RegistryToken)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("province %s: %s", d.province, resp.Status)
	}
	return nil
}
