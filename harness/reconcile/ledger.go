// Package reconcile checks at the end of a run that every dossier the portal
// acknowledged is stored, and stored once: during the run a ledger notes each
// acknowledgement (from response headers — no bodies are kept), and at the end the
// portal's admin listing is compared with it.
package reconcile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/thongsuot/thongsuot/harness/journal"
)

// ledgerFile lists acknowledged dossiers, one JSON object per line.
const ledgerFile = "acknowledged.jsonl"

const dossierPath = "/api/v1/dossiers/"

// ack is one acknowledgement: the dossier and the Idempotency-Key it answered.
type ack struct {
	ID  string `json:"id"`
	Key string `json:"key,omitempty"`
}

// Ledger notes acknowledged dossiers on disk. It is safe for concurrent use.
type Ledger struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
	n  int
}

// OpenLedger starts the ledger in the run's journal directory.
func OpenLedger(runDir string) (*Ledger, error) {
	f, err := os.OpenFile(filepath.Join(runDir, journal.Dir, ledgerFile), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("reconciliation ledger: %w", err)
	}
	return &Ledger{f: f, w: bufio.NewWriter(f)}, nil
}

// Observe notes res if it acknowledged a new dossier: a 2xx to a POST whose Location
// names a dossier. Everything else costs one comparison.
func (l *Ledger) Observe(res *vegeta.Result) {
	if res.Code != http.StatusCreated || res.Method != http.MethodPost {
		return
	}
	id, ok := strings.CutPrefix(res.Headers.Get("Location"), dossierPath)
	if !ok || id == "" || strings.Contains(id, "/") {
		return
	}
	line, _ := json.Marshal(ack{ID: id, Key: res.Headers.Get("Idempotency-Key")})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(append(line, '\n'))
	l.n++
}

// Close flushes the ledger to disk.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.w.Flush(); err != nil {
		l.f.Close()
		return err
	}
	if err := l.f.Sync(); err != nil {
		l.f.Close()
		return err
	}
	return l.f.Close()
}

func readLedger(runDir string) ([]ack, error) {
	f, err := os.Open(filepath.Join(runDir, journal.Dir, ledgerFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ack
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var a ack
		if json.Unmarshal(sc.Bytes(), &a) == nil { // a torn last line is no acknowledgement
			out = append(out, a)
		}
	}
	return out, sc.Err()
}
