package portal

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// ReceiptState is one acknowledged dossier as reconciliation sees it.
type ReceiptState struct {
	Cursor        int64     `json:"cursor"`
	ID            string    `json:"id"`
	Receipt       string    `json:"receipt"`
	Status        string    `json:"status"`
	Kind          string    `json:"kind"`
	Applicant     string    `json:"applicant"`
	ProcedureCode string    `json:"procedure_code"`
	UnitCode      string    `json:"unit_code"`
	CreatedAt     time.Time `json:"created_at"`
	StepsTotal    int       `json:"steps_total"`
	StepsDone     int       `json:"steps_done"`
}

// handleReceipts lists every acknowledged dossier with its state, in the order
// they were stored, for the harness's zero-loss / zero-duplicate check: every 201
// the load generator saw must be here exactly once. Paged by cursor: pass the
// last cursor as ?after= until next_after is absent.
func (s *Server) handleReceipts(w http.ResponseWriter, r *http.Request) {
	after, err := queryInt(r, "after", 0, 0, math.MaxInt)
	if err != nil {
		s.fail(w, err)
		return
	}
	limit, err := queryInt(r, "limit", 10000, 1, 100000)
	if err != nil {
		s.fail(w, err)
		return
	}
	rows, err := s.store.r.QueryContext(r.Context(), `SELECT d.rowid, d.id, d.receipt, d.status, d.kind, d.owner, d.procedure_code, d.unit_code, d.created_at,
		(SELECT count(*) FROM outbox o WHERE o.dossier_id = d.id), (SELECT count(*) FROM outbox o WHERE o.dossier_id = d.id AND o.state = 'done')
		FROM dossiers d WHERE d.rowid > ? ORDER BY d.rowid LIMIT ?`, after, limit)
	if err != nil {
		s.fail(w, fmt.Errorf("list receipts: %w", err))
		return
	}
	defer rows.Close()
	out := []ReceiptState{}
	for rows.Next() {
		var rs ReceiptState
		var created int64
		if err := rows.Scan(&rs.Cursor, &rs.ID, &rs.Receipt, &rs.Status, &rs.Kind, &rs.Applicant, &rs.ProcedureCode, &rs.UnitCode, &created, &rs.StepsTotal, &rs.StepsDone); err != nil {
			s.fail(w, fmt.Errorf("scan receipt: %w", err))
			return
		}
		rs.CreatedAt = time.UnixMilli(created)
		out = append(out, rs)
	}
	if err := rows.Err(); err != nil {
		s.fail(w, fmt.Errorf("list receipts: %w", err))
		return
	}
	resp := map[string]any{"receipts": out}
	if len(out) == limit {
		resp["next_after"] = out[len(out)-1].Cursor
	}
	jsonapi.Write(w, http.StatusOK, resp)
}
