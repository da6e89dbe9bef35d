package portal

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// handlePay records the online payment of a dossier's fee and issues the
// electronic receipt (biên lai điện tử). Paying twice returns the first receipt:
// a retried payment must never charge twice.
func (s *Server) handlePay(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method string `json:"method"` // e.g. "vnpay", "bank_transfer", "card"
	}
	if err := jsonapi.Decode(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	if in.Method == "" {
		in.Method = "bank_transfer"
	}
	d, err := s.visibleDossier(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	if d.FeeVND == 0 {
		jsonapi.Error(w, http.StatusConflict, "this procedure has no fee")
		return
	}
	receipt := newEReceipt(time.Now())
	var existing string
	err = s.store.write(r.Context(), func(tx *wtx) error {
		if err := tx.QueryRow(`SELECT payment_receipt FROM dossiers WHERE id = ?`, d.ID).Scan(&existing); err != nil {
			return fmt.Errorf("load payment: %w", err)
		}
		if existing != "" {
			return nil
		}
		now := time.Now()
		if _, err := tx.Exec(`UPDATE dossiers SET payment_receipt = ?, updated_at = ? WHERE id = ?`, receipt, now.UnixMilli(), d.ID); err != nil {
			return fmt.Errorf("record payment: %w", err)
		}
		if err := settle(tx, d, receipt, now); err != nil { // to the treasury (treasury.go)
			return fmt.Errorf("queue settlement: %w", err)
		}
		return addHistory(tx, d.ID, now, d.Status, d.Applicant, fmt.Sprintf("paid %d VND by %s, e-receipt %s", d.FeeVND, in.Method, receipt))
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	code := http.StatusCreated
	if existing != "" {
		receipt, code = existing, http.StatusOK
	}
	jsonapi.Write(w, code, map[string]any{"dossier_id": d.ID, "amount_vnd": d.FeeVND, "e_receipt": receipt})
}

// newEReceipt is an e-receipt number: series, year, ten digits.
func newEReceipt(at time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(10_000_000_000))
	return fmt.Sprintf("BLDT-%s-%010d", at.Format("06"), n.Int64())
}
