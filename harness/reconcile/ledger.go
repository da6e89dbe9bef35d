// Package reconcile checks at the end of a run that every dossier the portal
// acknowledged is stored, and stored once: during the run a ledger notes each
// acknowledgement (from response headers — no bodies are kept), and at the end the
// portal's admin listing is compared with it.
package reconcile

import (
	"bufio"
	"encoding/json"
	"errors"
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

// Ledger notes acknowledged dossiers on disk. It is safe for concurrent use. Notes are
// buffered and reach the disk at each Sync — the run syncs the ledger whenever it
// flushes its windows — so a run killed loses at most the notes of one flush interval.
type Ledger struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	n   int
	err error // the first error writing the ledger
}

// OpenLedger starts the ledger in the run's journal directory.
func OpenLedger(runDir string) (*Ledger, error) {
	f, err := os.OpenFile(filepath.Join(runDir, journal.Dir, ledgerFile), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("reconciliation ledger: %w", err)
	}
	return &Ledger{f: f, w: bufio.NewWriter(f)}, nil
}

// ReceiptHeader names, on a result the load hands on, the dossier a YAML journey step
// says its answer acknowledged (its receipt:): the load's (harness/load.ReceiptHeader),
// which this package may not import.
const ReceiptHeader = "Thongsuot-Receipt"

// Observe notes res if it acknowledged a new dossier: a 201 to a POST whose Location
// names a dossier, or a 2xx that a journey step's receipt names. Everything else costs
// a comparison or two.
func (l *Ledger) Observe(res *vegeta.Result) {
	if res.Code < 200 || res.Code >= 300 {
		return
	}
	id := res.Headers.Get(ReceiptHeader)
	if id == "" {
		if res.Code != http.StatusCreated || res.Method != http.MethodPost {
			return
		}
		var ok bool
		id, ok = strings.CutPrefix(res.Headers.Get("Location"), dossierPath)
		if !ok || id == "" || strings.Contains(id, "/") {
			return
		}
	}
	line, _ := json.Marshal(ack{ID: id, Key: res.Headers.Get("Idempotency-Key")})
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.w.Write(append(line, '\n')); err != nil && l.err == nil {
		l.err = fmt.Errorf("writing %s: %w", l.f.Name(), err)
	}
	l.n++
}

// Sync writes the notes buffered so far and syncs them to disk; it returns the first
// error the ledger met, for a run stops on it.
func (l *Ledger) Sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sync()
}

func (l *Ledger) sync() error {
	if l.err != nil {
		return l.err
	}
	if err := l.w.Flush(); err != nil {
		l.err = fmt.Errorf("writing %s: %w", l.f.Name(), err)
	} else if err := l.f.Sync(); err != nil {
		l.err = fmt.Errorf("syncing %s: %w", l.f.Name(), err)
	}
	return l.err
}

// Close syncs the ledger and closes it.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.sync(), l.f.Close())
}

// maxLedgerLine bounds a line of the ledger: an ID and a key, a few dozen bytes.
const maxLedgerLine = 64 << 10

func readLedger(runDir string) ([]ack, error) {
	path := filepath.Join(runDir, journal.Dir, ledgerFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ack
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxLedgerLine)
	line := 0
	for sc.Scan() {
		line++
		var a ack
		if json.Unmarshal(sc.Bytes(), &a) == nil { // a torn last line is no acknowledgement
			out = append(out, a)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	return out, nil
}
