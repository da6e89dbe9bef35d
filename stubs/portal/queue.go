package portal

import (
	"fmt"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// The officials' side: each commune's one-door office works the dossiers filed at
// its unit. An official sees and acts on their own unit's dossiers only.

// transitions says which actions move a dossier from which states to which.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"accept":       {[]string{StatusReceived, StatusNeedsInfo}, StatusProcessing},
	"request-info": {[]string{StatusReceived, StatusProcessing}, StatusNeedsInfo},
	"complete":     {[]string{StatusProcessing}, StatusCompleted},
	"reject":       {[]string{StatusReceived, StatusProcessing, StatusNeedsInfo}, StatusRejected},
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = StatusReceived
	}
	switch status {
	case StatusReceived, StatusProcessing, StatusNeedsInfo, StatusCompleted, StatusRejected:
	default:
		jsonapi.Error(w, http.StatusBadRequest, "unknown status")
		return
	}
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		s.fail(w, err)
		return
	}
	unit := claimsFrom(r).Unit
	list, err := s.queryDossiers(r.Context(), `WHERE unit_code = ? AND status = ? AND kind = 'single' ORDER BY created_at LIMIT ?`, unit, status, limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"unit_code": unit, "status": status, "dossiers": list})
}

func (s *Server) handleOfficialAction(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	tr, ok := transitions[action]
	if !ok {
		jsonapi.Error(w, http.StatusNotFound, "unknown action; use accept, request-info, complete or reject")
		return
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := jsonapi.Decode(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
			jsonapi.Fail(w, err, http.StatusBadRequest)
			return
		}
	}
	d, err := s.visibleDossier(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	if d.Kind != "single" {
		jsonapi.Error(w, http.StatusConflict, "bundles are processed by the registries, not by hand")
		return
	}
	official := claimsFrom(r).Subject
	var from string
	err = s.store.write(r.Context(), func(tx *wtx) error {
		if err := tx.QueryRow(`SELECT status FROM dossiers WHERE id = ?`, d.ID).Scan(&from); err != nil {
			return fmt.Errorf("load status: %w", err)
		}
		for _, f := range tr.from {
			if f == from {
				return setStatus(tx, d.ID, tr.to, official, in.Note, time.Now())
			}
		}
		return &jsonapi.StatusError{Code: http.StatusConflict, Msg: fmt.Sprintf("cannot %s a dossier that is %s", action, from)}
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"id": d.ID, "receipt": d.Receipt, "status": tr.to})
}
