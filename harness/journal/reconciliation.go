package journal

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// reconciliationFile holds the end-of-run check of acknowledged dossiers.
const reconciliationFile = "reconcile.json"

// Reconciliation is what the portal held at the end compared with what it
// acknowledged during the run: the zero-loss, zero-duplicate check.
type Reconciliation struct {
	Acknowledged int      `json:"acknowledged"` // dossiers the load was told were created (2xx with Location)
	Stored       int      `json:"stored"`       // dossiers the portal lists
	Missing      []string `json:"missing"`      // acknowledged but not stored: lost
	Duplicated   []string `json:"duplicated"`   // Idempotency-Keys acknowledged with more than one dossier
	// Unacknowledged are stored dossiers the load never saw acknowledged (set-up,
	// timeouts, a crash before the answer): their outcome was unknown to the client.
	Unacknowledged int    `json:"unacknowledged"`
	Error          string `json:"error,omitempty"` // why the check could not be made
}

// Held reports whether nothing was lost or duplicated and the check could be made.
func (r *Reconciliation) Held() bool {
	return r.Error == "" && len(r.Missing) == 0 && len(r.Duplicated) == 0
}

// WriteReconciliation records the check in the run's journal.
func WriteReconciliation(runDir string, r *Reconciliation) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(runDir, Dir, reconciliationFile), append(data, '\n'), 0o644)
}

func readReconciliation(runDir string) (*Reconciliation, error) {
	r, path, err := readOptional[Reconciliation](runDir, reconciliationFile, maxReconciliationFile)
	if r == nil || err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s:1: %w", path, err)
	}
	return r, nil
}
