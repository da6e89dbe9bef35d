package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/thongsuot/thongsuot/stubs/registry"
)

// The settler carries every fee paid online to the State Treasury (the treasury
// registry, over its own link): a payment writes its settlement into table settlements
// in the payment's own transaction, and the settler delivers the pending ones with
// retries and backoff, once per dossier by its Idempotency-Key. A treasury that is down
// or slow delays settlements, never a payment.

const settlementSchema = `CREATE TABLE IF NOT EXISTS settlements(
  dossier_id TEXT PRIMARY KEY,
  payer TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  amount_vnd INTEGER NOT NULL,
  e_receipt TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '')`

// ensureSettlements creates the settlements table before the first payment.
func ensureSettlements(ctx context.Context, st *store) error {
	return st.write(ctx, func(tx *wtx) error { _, err := tx.tx.Exec(settlementSchema); return err })
}

// settle queues a paid dossier's fee for the treasury, in the payment's transaction.
func settle(tx *wtx, d *Dossier, receipt string, now time.Time) error {
	_, err := tx.Exec(`INSERT OR IGNORE INTO settlements(dossier_id, payer, unit_code, amount_vnd, e_receipt, state, attempts, next_at) VALUES(?,?,?,?,?,'pending',0,?)`,
		d.ID, d.Applicant, d.UnitCode, d.FeeVND, receipt, now.UnixMilli())
	return err
}

// runSettlements delivers the due settlements every poll until ctx ends.
func (s *Server) runSettlements(ctx context.Context) {
	poll := s.cfg.OutboxPoll
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rows, err := s.store.r.QueryContext(ctx, `SELECT dossier_id, payer, unit_code, amount_vnd, e_receipt, attempts FROM settlements
			WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT 64`, time.Now().UnixMilli())
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("settlements: due", "err", err)
			}
			continue
		}
		type due struct {
			id, payer, unit, receipt string
			amount                   int64
			attempts                 int
		}
		var batch []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.payer, &d.unit, &d.amount, &d.receipt, &d.attempts); err == nil {
				batch = append(batch, d)
			}
		}
		rows.Close()
		for _, d := range batch {
			body, _ := json.Marshal(map[string]string{"payer_id": d.payer, "unit_code": d.unit,
				"amount_vnd": strconv.FormatInt(d.amount, 10), "e_receipt": d.receipt, "dossier_id": d.id})
			rep, err := s.deps[registry.Treasury].call(ctx, http.MethodPost, "/treasury/v1/fee-settlements", body,
				http.Header{"Idempotency-Key": {"fee:" + d.id}})
			now := time.Now()
			switch {
			case errors.Is(err, context.Canceled) && ctx.Err() != nil:
				return
			case err == nil && rep.status < 300:
				s.metrics.outboxSteps.WithLabelValues(registry.Treasury, "done").Inc()
				_ = s.store.write(ctx, func(tx *wtx) error {
					_, err := tx.Exec(`UPDATE settlements SET state = 'done', attempts = attempts + 1, last_error = '' WHERE dossier_id = ?`, d.id)
					return err
				})
			default:
				msg := "treasury answered " + strconv.Itoa(rep.status)
				if err != nil {
					msg = err.Error()
				}
				s.metrics.outboxSteps.WithLabelValues(registry.Treasury, "retry").Inc()
				next := now.Add(s.outbox.backoff(d.attempts + 1)).UnixMilli()
				_ = s.store.write(ctx, func(tx *wtx) error {
					_, err := tx.Exec(`UPDATE settlements SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE dossier_id = ?`, next, msg, d.id)
					return err
				})
			}
		}
	}
}
